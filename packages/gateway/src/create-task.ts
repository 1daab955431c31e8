import { randomUUID } from "node:crypto";
import { ClaimCheckError } from "@asya/claim-check";
import {
  createEnvelope,
  DEFAULT_MAX_ENVELOPE_BYTES,
  encodeEnvelope,
  HEADER_GATEWAY_URL,
  queueName,
} from "@asya/envelope";
import type { ResolvedGatewayOptions } from "./gateway-options.js";
import type { TaskStore } from "./store/task-store.js";

/** One new task: the route it starts (its first actor receives the envelope) and what it carries. */
export interface TaskRequest {
  readonly route: readonly string[];
  readonly payload: unknown;
  readonly headers?: Readonly<Record<string, unknown>>;
  /** Seconds until `deadline_at`. */
  readonly timeoutSeconds?: number;
  readonly namespace?: string;
  readonly idempotencyKey?: string | undefined;
  readonly traceparent?: string | undefined;
}

/** A created task (`created: false` when an `Idempotency-Key` matched an earlier one), or why not. */
export type TaskCreation =
  | { readonly ok: true; readonly id: string; readonly created: boolean }
  | { readonly ok: false; readonly status: 400 | 503; readonly message: string };

/** What creating a task needs; shared by the mesh API, MCP and A2A. */
export interface TaskCreator {
  create(request: TaskRequest): Promise<TaskCreation>;
}

/**
 * Stores a new task and publishes its envelope (GATEWAY.md section 2) to the route's first actor,
 * with the rest of the route as `next` and the gateway's internal URL stamped in. A task whose
 * envelope cannot be built or published is stored `failed`, so no caller waits on it.
 */
export function createTaskCreator(
  options: ResolvedGatewayOptions,
  store: TaskStore,
  internalUrl: () => string,
): TaskCreator {
  return {
    async create(request) {
      const actor = request.route[0];
      if (actor === undefined) return { ok: false, status: 400, message: "the route is empty" };
      const id = randomUUID();
      const deadlineAt =
        request.timeoutSeconds === undefined
          ? undefined
          : new Date(Date.now() + request.timeoutSeconds * 1000).toISOString();
      const { task, created } = await store.create({
        id,
        deadlineAt,
        idempotencyKey: request.idempotencyKey,
      });
      if (!created) return { ok: true, id: task.id, created: false };
      let body: Uint8Array;
      try {
        const envelope = createEnvelope({
          id,
          route: { prev: [], curr: actor, next: request.route.slice(1) },
          headers: {
            ...request.headers,
            [HEADER_GATEWAY_URL]: internalUrl(),
            ...(request.traceparent === undefined ? {} : { traceparent: request.traceparent }),
          },
          status: { phase: "pending", ...(deadlineAt === undefined ? {} : { deadline_at: deadlineAt }) },
          payload: request.payload ?? null,
        });
        // A large input goes by claim-check (GATEWAY.md section 7), as actors' outputs do: the
        // payload is serialized once either way, and refused alike when it cannot be.
        const { claimCheck } = options;
        const limits = [options.transport.capabilities.maxMessageBytes, DEFAULT_MAX_ENVELOPE_BYTES];
        body =
          claimCheck === undefined
            ? encodeEnvelope(envelope)
            : await claimCheck.encodeForWire(envelope, limits);
      } catch (error) {
        if (error instanceof ClaimCheckError) {
          // The store refused or did not answer: the caller may try again, as for the broker.
          options.logger.error("storing a new task's payload failed", { task_id: id, err: error.message });
          await store.reportStatus(id, "failed", { error: `could not store the payload: ${error.message}` });
          return { ok: false, status: 503, message: "could not store the task's payload" };
        }
        await store.reportStatus(id, "failed", { error: (error as Error).message });
        return { ok: false, status: 400, message: (error as Error).message };
      }
      try {
        await options.transport.publish(queueName(actor, request.namespace ?? options.namespace), { body });
      } catch (error) {
        options.logger.error("publishing a new task failed", { task_id: id, err: (error as Error).message });
        await store.reportStatus(id, "failed", {
          error: `could not publish to ${actor}: ${(error as Error).message}`,
        });
        return { ok: false, status: 503, message: `could not publish the task to ${actor}` };
      }
      return { ok: true, id, created: true };
    },
  };
}
