import { createEnvelope, encodeEnvelope, queueName } from "@asya/envelope";
import { ActorProcess } from "./actor-process.js";
import { freePort } from "./ports.js";
import { PUBSUB_TEST_PROJECT } from "./raw-pubsub.js";
import { waitForReadiness } from "./readiness.js";

/** Transport environment of a child actor. */
export type BrokerEnv = Readonly<Record<string, string>>;

/** ASYA_* variables for RabbitMQ at `url`. */
export function rabbitMqEnv(url: string): BrokerEnv {
  return { ASYA_TRANSPORT: "rabbitmq", ASYA_RABBITMQ_URL: url };
}

/** ASYA_* variables for SQS at `endpoint` (moto). */
export function sqsEnv(endpoint: string): BrokerEnv {
  return {
    ASYA_TRANSPORT: "sqs",
    ASYA_QUEUE_AUTO_CREATE: "true",
    ASYA_SQS_ENDPOINT: endpoint,
    ASYA_AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    ASYA_SQS_WAIT_TIME_SECONDS: "1",
    ASYA_SQS_VISIBILITY_TIMEOUT: "5",
  };
}

/** ASYA_* variables for the Pub/Sub emulator at `host` (`host:port`). */
export function pubSubEnv(host: string): BrokerEnv {
  return {
    ASYA_TRANSPORT: "pubsub",
    ASYA_QUEUE_AUTO_CREATE: "true",
    ASYA_PUBSUB_PROJECT_ID: PUBSUB_TEST_PROJECT,
    ASYA_PUBSUB_ENDPOINT: host,
    PUBSUB_EMULATOR_HOST: host,
    // Leases of a SIGKILLed actor lapse after 10 s instead of the 60 s default.
    ASYA_PUBSUB_ACK_DEADLINE_SEC: "10",
  };
}

/** Options of {@link launchActor}. */
export interface LaunchOptions {
  /** Actor name; with `crew`, the crew actor's name. */
  readonly name: string;
  readonly namespace: string;
  readonly broker: BrokerEnv;
  /** ASYA_HANDLER value (see `fixtureHandler`); omit for crew actors. */
  readonly handler?: string;
  /** Run `asya run --crew <crew>` instead of a handler. */
  readonly crew?: "x-sink" | "x-sump" | "x-pause" | "x-resume" | "fan-in";
  /** @default 16 */
  readonly concurrency?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Wait for /readyz after start. @default 60000 */
  readonly readyTimeoutMs?: number;
}

/** A launched actor and the port of its health server. */
export interface LaunchedActor {
  readonly process: ActorProcess;
  readonly healthPort: number;
  /** SIGKILL, start again, and wait until it is ready. */
  killAndRestart(): Promise<void>;
}

/**
 * Starts `asya run` (or `asya run --crew ...`) as a child process on a free health port, and waits
 * until its /readyz answers ready.
 *
 * @throws Error with the process output when it does not become ready.
 */
export async function launchActor(options: LaunchOptions): Promise<LaunchedActor> {
  const healthPort = await freePort();
  const proc = new ActorProcess({
    label: options.name,
    args: options.crew === undefined ? ["run"] : ["run", "--crew", options.crew],
    env: {
      ...options.broker,
      // The aggregator's name is its actor name (the frames name it); other crew names are fixed.
      ...(options.crew === undefined || options.crew === "fan-in" ? { ASYA_ACTOR_NAME: options.name } : {}),
      ...(options.handler === undefined ? {} : { ASYA_HANDLER: options.handler }),
      ASYA_NAMESPACE: options.namespace,
      ASYA_CONCURRENCY: String(options.concurrency ?? 16),
      ASYA_HEALTH_PORT: String(healthPort),
      ASYA_LOG_LEVEL: "warn",
      ...options.env,
    },
  });
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const startReady = async (): Promise<void> => {
    await proc.start();
    try {
      await waitForReadiness(healthPort, true, readyTimeoutMs);
    } catch (error) {
      // Never ready: the caller gets no handle to stop it, so it is stopped here.
      const output = proc.tail();
      await proc.kill().catch(() => {});
      throw new Error(`${(error as Error).message}\n--- ${options.name} output ---\n${output}`);
    }
  };
  await startReady();
  return {
    process: proc,
    healthPort,
    async killAndRestart() {
      await proc.kill();
      await startReady();
    },
  };
}

/** Encoded envelopes `<prefix>-0..count-1` routed through `route`, payload `{ key, seq, ...extra }`. */
export function makeEnvelopes(
  prefix: string,
  count: number,
  route: readonly string[],
  extra: (seq: number) => Record<string, unknown> = () => ({}),
): { ids: string[]; bodies: Uint8Array[] } {
  const ids: string[] = [];
  const bodies: Uint8Array[] = [];
  for (let seq = 0; seq < count; seq++) {
    const id = `${prefix}-${seq}`;
    ids.push(id);
    bodies.push(
      encodeEnvelope(createEnvelope({ id, route: [...route], payload: { key: id, seq, ...extra(seq) } })),
    );
  }
  return { ids, bodies };
}

/** The queues of `actors` in `namespace`, plus x-sink's (and x-sump's). */
export function meshQueues(
  actors: readonly string[],
  namespace: string,
): { actors: string[]; sink: string; sump: string } {
  return {
    actors: actors.map((actor) => queueName(actor, namespace)),
    sink: queueName("x-sink", namespace),
    sump: queueName("x-sump", namespace),
  };
}
