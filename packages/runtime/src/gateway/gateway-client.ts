import { type Envelope, HEADER_GATEWAY_URL, HEADER_MESH_STATUS } from "@asya/envelope";
import type { Logger } from "../observability/logger.js";
import { type GatewayConfig, originOf } from "./gateway-options.js";

/** A task event as the gateway's internal API takes it (GATEWAY.md section 3). */
export type GatewayEvent =
  | {
      readonly type: "status";
      readonly status: "running" | "paused" | "succeeded" | "failed" | "canceled";
      readonly data: Readonly<Record<string, unknown>>;
    }
  | { readonly type: "fly"; readonly data: unknown };

/** Where one envelope's reports go: the gateway's base URL (from the header, allowed) and the task id. */
export interface GatewayTarget {
  readonly base: string;
  /** The envelope's id: reports go to it. */
  readonly id: string;
  /** The task it belongs to (`parent_id` of a fan-out child, else its id): pre-flight asks for it. */
  readonly taskId: string;
}

/** What pre-flight found: the handler is skipped for `canceled` and `paused` tasks. */
export type PreflightAnswer = "canceled" | "paused" | "proceed";

/** The runtime's side of the gateway protocol, one per actor. */
export interface GatewayClient {
  /** The envelope's target, or undefined: no header, `x-asya-mesh-status: off`, or an origin not allowed. */
  targetOf(envelope: Envelope): GatewayTarget | undefined;
  /** Queues a best-effort report; reports of one task are sent in order. Never throws, never blocks. */
  report(target: GatewayTarget, event: GatewayEvent): void;
  /**
   * Resolves when the task's queued FLY events (and the reports before them) are sent; at once when
   * the task has no FLY event waiting. A busy gateway is waited for as long as it keeps taking
   * reports; one that took none for the request timeout (down, stuck) is not.
   */
  flush(target: GatewayTarget): Promise<void>;
  /** Asks the gateway for the task's status (timeout or network error: proceed). */
  preflight(target: GatewayTarget): Promise<PreflightAnswer>;
  /**
   * Sends a final status now, not queued: true when the gateway took it (2xx) or does not know the
   * task (404); false when it must be tried again (down, timeout, refused).
   */
  final(target: GatewayTarget, event: GatewayEvent): Promise<boolean>;
}

interface Queued {
  readonly target: GatewayTarget;
  readonly body: string;
  readonly fly: boolean;
}

const MAX_REMEMBERED = 10_000;
const CONCURRENT_REQUESTS = 4;

/**
 * Builds the {@link GatewayClient} of an actor. Reports go to `POST {base}{prefix}/mesh/{id}/events`
 * with the bearer token, at most `maxQueuedReports` waiting (the oldest dropped, `onDrop` counts
 * them), a few requests at a time and one at a time per task; redirects are never followed.
 */
export function createGatewayClient(
  config: GatewayConfig,
  logger: Logger,
  onDrop: () => void = () => undefined,
): GatewayClient {
  const warned = new Set<string>();
  const queue: Queued[] = [];
  const busy = new Set<string>();
  const waiters = new Map<string, Array<() => void>>();
  /** FLY events queued or in flight, per task: only those are waited for before outputs go out. */
  const flyPending = new Map<string, number>();
  const flySettled = (item: Queued) => {
    if (!item.fly) return;
    const left = (flyPending.get(item.target.id) ?? 1) - 1;
    if (left <= 0) flyPending.delete(item.target.id);
    else flyPending.set(item.target.id, left);
  };
  const preflightDone = new Map<string, PreflightAnswer>();
  let running = 0;
  /** Flushes waiting on the gateway: each one's patience restarts when the gateway takes a report. */
  const patience = new Set<() => void>();
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (config.token !== undefined) headers.authorization = `Bearer ${config.token}`;
  if (config.origins.size === 0) {
    logger.info(
      "no gateway is trusted (ASYA_GATEWAY_URL / ASYA_GATEWAY_ALLOWED_ORIGINS unset): progress reports and pre-flight are off",
    );
  }

  const url = (base: string, id: string, suffix = "") =>
    `${base}${config.prefix}/mesh/${encodeURIComponent(id)}${suffix}`;

  const pending = (id: string) => flyPending.has(id);
  const wakeWaiters = (id: string) => {
    if (pending(id)) return;
    const list = waiters.get(id);
    waiters.delete(id);
    for (const resolve of list ?? []) resolve();
  };

  const pump = () => {
    while (running < CONCURRENT_REQUESTS) {
      const index = queue.findIndex((item) => !busy.has(item.target.id));
      if (index < 0) return;
      const [item] = queue.splice(index, 1);
      if (item === undefined) return;
      const { id } = item.target;
      busy.add(id);
      running++;
      void send(item).finally(() => {
        flySettled(item);
        busy.delete(id);
        running--;
        wakeWaiters(id);
        pump();
      });
    }
  };

  const send = async (item: Queued): Promise<void> => {
    try {
      const response = await fetch(url(item.target.base, item.target.id, "/events"), {
        method: "POST",
        headers,
        body: item.body,
        redirect: "manual",
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok || response.status === 404) for (const restart of patience) restart();
      // 404 = a task the gateway does not know (it did not create it): ignored, as GATEWAY.md says.
      if (!response.ok && response.status !== 404) {
        logger.debug("gateway refused a report", { status: response.status, envelope_id: item.target.id });
      }
    } catch (error) {
      logger.debug("gateway report not delivered", { err: error, envelope_id: item.target.id });
    }
  };

  return {
    targetOf(envelope) {
      const headerUrl = envelope.headers?.[HEADER_GATEWAY_URL];
      if (typeof headerUrl !== "string" || envelope.headers?.[HEADER_MESH_STATUS] === "off") return undefined;
      if (config.origins.size === 0) return undefined;
      const origin = originOf(headerUrl);
      if (origin === undefined || !config.origins.has(origin)) {
        const key = origin ?? headerUrl.slice(0, 200);
        if (!warned.has(key) && warned.size < MAX_REMEMBERED) {
          warned.add(key);
          logger.warn("ignoring x-asya-gateway-url outside the trusted gateway origins", {
            origin: key,
            envelope_id: envelope.id,
          });
        }
        return undefined;
      }
      return {
        base: headerUrl.replace(/\/+$/, ""),
        id: envelope.id,
        taskId: envelope.parent_id ?? envelope.id,
      };
    },

    report(target, event) {
      if (queue.length >= config.maxQueuedReports) {
        // A status report is superseded by the task's next one; a FLY event is lost for good.
        const statusAt = queue.findIndex((item) => !item.fly);
        const [dropped] = queue.splice(Math.max(statusAt, 0), 1);
        onDrop();
        if (dropped !== undefined) {
          flySettled(dropped);
          wakeWaiters(dropped.target.id);
        }
      }
      const fly = event.type === "fly";
      if (fly) flyPending.set(target.id, (flyPending.get(target.id) ?? 0) + 1);
      queue.push({ target, body: JSON.stringify(event), fly });
      pump();
    },

    flush(target) {
      if (!pending(target.id)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const done = () => {
          clearTimeout(timer);
          patience.delete(restart);
          resolve();
        };
        const restart = () => {
          clearTimeout(timer);
          timer = setTimeout(done, config.timeoutMs);
          timer.unref();
        };
        restart();
        patience.add(restart);
        const list = waiters.get(target.id) ?? [];
        list.push(done);
        waiters.set(target.id, list);
      });
    },

    async final(target, event) {
      try {
        const response = await fetch(url(target.base, target.id, "/events"), {
          method: "POST",
          headers,
          body: JSON.stringify(event),
          redirect: "manual",
          signal: AbortSignal.timeout(config.timeoutMs),
        });
        await response.body?.cancel();
        if (response.ok || response.status === 404) return true;
        logger.warn("gateway refused a final status; it will be sent again", {
          status: response.status,
          envelope_id: target.id,
        });
      } catch (error) {
        logger.warn("gateway did not take a final status; it will be sent again", {
          err: error,
          envelope_id: target.id,
        });
      }
      return false;
    },

    async preflight(target) {
      const known = preflightDone.get(target.taskId);
      if (known !== undefined) return known;
      let answer: PreflightAnswer = "proceed";
      let terminal = false;
      try {
        const response = await fetch(url(target.base, target.taskId), {
          headers,
          redirect: "manual",
          signal: AbortSignal.timeout(config.timeoutMs),
        });
        if (response.ok) {
          const task = (await response.json()) as { status?: unknown };
          if (task.status === "canceled" || task.status === "paused") answer = task.status;
          terminal = task.status === "canceled" || task.status === "succeeded" || task.status === "failed";
        } else {
          await response.body?.cancel();
        }
      } catch (error) {
        logger.debug("gateway pre-flight failed; proceeding", { err: error, envelope_id: target.taskId });
      }
      // A terminal answer never changes: a fan-out's children do not ask again.
      if (terminal) {
        if (preflightDone.size >= MAX_REMEMBERED)
          preflightDone.delete(preflightDone.keys().next().value as string);
        preflightDone.set(target.taskId, answer);
      }
      return answer;
    },
  };
}
