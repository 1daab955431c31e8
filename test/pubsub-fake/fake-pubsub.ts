import { randomBytes } from "node:crypto";
import { grpc } from "./grpc.js";

// A test-only, in-memory fake of the Pub/Sub gRPC API: just what @google-cloud/pubsub's publisher,
// streaming-pull subscriber and admin calls need. Used only where Google's emulator is absent.
// Semantics follow the service: at-least-once, ack deadlines, nack = deadline 0, dead-letter
// policies (deliveryAttempt), per-key ordering, server-side flow control per stream.

type Status = import("@grpc/grpc-js").status;
type Attributes = Record<string, string>;

interface StoredMessage {
  readonly data: Buffer;
  readonly attributes: Attributes;
  readonly messageId: string;
  readonly publishTime: { seconds: string; nanos: number };
  readonly orderingKey: string;
}

interface Entry {
  readonly message: StoredMessage;
  deliveryAttempt: number;
  /** When it may be delivered (again); while leased, when the lease expires. */
  visibleAt: number;
  ackId: string | undefined;
  stream: PullStream | undefined;
}

interface SubscriptionState {
  readonly name: string;
  readonly topic: string;
  readonly ackDeadlineSeconds: number;
  readonly deadLetterTopic: string | undefined;
  readonly maxDeliveryAttempts: number;
  readonly ordered: boolean;
  readonly raw: Record<string, unknown>;
  readonly entries: Entry[];
}

interface PullStream {
  readonly subscription: SubscriptionState;
  readonly deadlineSeconds: number;
  readonly maxOutstanding: number;
  outstanding: number;
  /** Sequence number of its last delivery: ties go to the stream served longest ago. */
  lastServed: number;
  write(response: unknown): void;
}

const NAME = /^projects\/[^/]+\/(topics|subscriptions)\/[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

class FakeError extends Error {
  constructor(
    readonly code: Status,
    message: string,
  ) {
    super(message);
  }
}

/** The fake's state and delivery logic. */
class FakeStore {
  readonly topics = new Map<string, Record<string, unknown>>();
  readonly subscriptions = new Map<string, SubscriptionState>();
  readonly ackIds = new Map<string, { subscription: SubscriptionState; entry: Entry }>();
  readonly streams = new Set<PullStream>();
  #nextId = 1;
  #nextServe = 1;

  createTopic(topic: Record<string, unknown>): Record<string, unknown> {
    const name = validName(topic.name, "topics");
    if (this.topics.has(name))
      throw new FakeError(grpc.status.ALREADY_EXISTS, `Topic already exists: ${name}`);
    this.topics.set(name, { ...topic, name });
    return this.topics.get(name)!;
  }

  getTopic(name: unknown): Record<string, unknown> {
    const topic = this.topics.get(String(name));
    if (topic === undefined) throw new FakeError(grpc.status.NOT_FOUND, `Topic not found: ${String(name)}`);
    return topic;
  }

  createSubscription(raw: Record<string, unknown>): Record<string, unknown> {
    const name = validName(raw.name, "subscriptions");
    if (this.subscriptions.has(name)) {
      throw new FakeError(grpc.status.ALREADY_EXISTS, `Subscription already exists: ${name}`);
    }
    this.getTopic(raw.topic);
    const policy = raw.deadLetterPolicy as { deadLetterTopic?: string; maxDeliveryAttempts?: number } | null;
    const ackDeadlineSeconds = Number(raw.ackDeadlineSeconds) || 10;
    const stored = { ...raw, name, ackDeadlineSeconds };
    this.subscriptions.set(name, {
      name,
      topic: String(raw.topic),
      ackDeadlineSeconds,
      deadLetterTopic: policy?.deadLetterTopic || undefined,
      maxDeliveryAttempts: policy?.maxDeliveryAttempts || 5,
      ordered: raw.enableMessageOrdering === true,
      raw: stored,
      entries: [],
    });
    return stored;
  }

  getSubscription(name: unknown): SubscriptionState {
    const subscription = this.subscriptions.get(String(name));
    if (subscription === undefined) {
      throw new FakeError(grpc.status.NOT_FOUND, `Subscription does not exist: ${String(name)}`);
    }
    return subscription;
  }

  publish(topicName: unknown, messages: Array<Record<string, unknown>>): string[] {
    this.getTopic(topicName);
    let bytes = 0;
    for (const message of messages) {
      const data = message.data as Buffer | undefined;
      const attributes = (message.attributes ?? {}) as Attributes;
      if ((data === undefined || data.length === 0) && Object.keys(attributes).length === 0) {
        throw new FakeError(grpc.status.INVALID_ARGUMENT, "Some messages are empty");
      }
      bytes += (data?.length ?? 0) + JSON.stringify(attributes).length;
    }
    if (bytes > MAX_REQUEST_BYTES) {
      throw new FakeError(
        grpc.status.INVALID_ARGUMENT,
        "Request payload size exceeds the limit: 10485760 bytes.",
      );
    }
    const ids: string[] = [];
    for (const message of messages) {
      const now = Date.now();
      const stored: StoredMessage = {
        data: Buffer.from((message.data as Buffer | undefined) ?? Buffer.alloc(0)),
        attributes: { ...((message.attributes ?? {}) as Attributes) },
        messageId: String(this.#nextId++),
        publishTime: { seconds: String(Math.floor(now / 1000)), nanos: (now % 1000) * 1e6 },
        orderingKey: String(message.orderingKey ?? ""),
      };
      ids.push(stored.messageId);
      this.#fanOut(String(topicName), stored);
    }
    this.dispatch();
    return ids;
  }

  #fanOut(topic: string, message: StoredMessage): void {
    for (const subscription of this.subscriptions.values()) {
      if (subscription.topic !== topic) continue;
      subscription.entries.push({
        message,
        deliveryAttempt: 0,
        visibleAt: 0,
        ackId: undefined,
        stream: undefined,
      });
    }
  }

  acknowledge(subscriptionName: unknown, ackIds: string[]): void {
    const subscription = this.getSubscription(subscriptionName);
    for (const ackId of ackIds) {
      const lease = this.#lease(ackId);
      if (lease === undefined) continue; // expired ack ids are ignored, as by the service
      this.#release(lease.entry);
      const index = subscription.entries.indexOf(lease.entry);
      if (index >= 0) subscription.entries.splice(index, 1);
    }
    this.dispatch();
  }

  modifyAckDeadline(subscriptionName: unknown, ackIds: string[], seconds: number): void {
    this.getSubscription(subscriptionName);
    for (const ackId of ackIds) {
      const lease = this.#lease(ackId);
      if (lease === undefined) continue;
      lease.entry.visibleAt = Date.now() + seconds * 1000;
      if (seconds === 0) this.#release(lease.entry);
    }
    this.dispatch();
  }

  #lease(ackId: string): { subscription: SubscriptionState; entry: Entry } | undefined {
    const lease = this.ackIds.get(ackId);
    return lease !== undefined && lease.entry.ackId === ackId ? lease : undefined;
  }

  #release(entry: Entry): void {
    if (entry.ackId !== undefined) this.ackIds.delete(entry.ackId);
    entry.ackId = undefined;
    if (entry.stream !== undefined) entry.stream.outstanding -= 1;
    entry.stream = undefined;
  }

  /** Expires lapsed leases and hands ready messages to streams with capacity. */
  dispatch(): void {
    const now = Date.now();
    for (const subscription of this.subscriptions.values()) {
      for (const entry of subscription.entries) {
        if (entry.ackId !== undefined && entry.visibleAt <= now) this.#release(entry);
      }
      const streams = [...this.streams].filter((s) => s.subscription === subscription);
      if (streams.length === 0) continue;
      const blockedKeys = new Set<string>();
      const batches = new Map<PullStream, unknown[]>();
      for (const entry of [...subscription.entries]) {
        const key = entry.message.orderingKey;
        const ordered = subscription.ordered && key !== "";
        if (ordered && blockedKeys.has(key)) continue;
        if (ordered) blockedKeys.add(key); // later messages of this key wait for this one
        if (entry.ackId !== undefined || entry.visibleAt > now) continue;
        const stream = streams
          .filter((s) => s.outstanding < s.maxOutstanding)
          .sort((a, b) => a.outstanding - b.outstanding || a.lastServed - b.lastServed)[0];
        if (stream === undefined) break;
        entry.deliveryAttempt += 1;
        if (
          subscription.deadLetterTopic !== undefined &&
          entry.deliveryAttempt > subscription.maxDeliveryAttempts
        ) {
          subscription.entries.splice(subscription.entries.indexOf(entry), 1);
          this.#deadLetter(subscription, entry);
          continue;
        }
        const ackId = `${subscription.name.length}-${randomBytes(8).toString("hex")}`;
        entry.ackId = ackId;
        entry.stream = stream;
        entry.visibleAt = now + stream.deadlineSeconds * 1000;
        stream.outstanding += 1;
        stream.lastServed = this.#nextServe++;
        this.ackIds.set(ackId, { subscription, entry });
        const batch = batches.get(stream) ?? [];
        batch.push({
          ackId,
          message: entry.message,
          deliveryAttempt: subscription.deadLetterTopic === undefined ? 0 : entry.deliveryAttempt,
        });
        batches.set(stream, batch);
      }
      for (const [stream, receivedMessages] of batches) {
        stream.write({
          receivedMessages,
          subscriptionProperties: {
            exactlyOnceDeliveryEnabled: false,
            messageOrderingEnabled: subscription.ordered,
          },
        });
      }
    }
  }

  #deadLetter(subscription: SubscriptionState, entry: Entry): void {
    const topic = subscription.deadLetterTopic!;
    if (!this.topics.has(topic)) return; // the service drops it too (and reports an error metric)
    const now = Date.now();
    this.#fanOut(topic, {
      ...entry.message,
      messageId: String(this.#nextId++),
      publishTime: { seconds: String(Math.floor(now / 1000)), nanos: (now % 1000) * 1e6 },
      attributes: {
        ...entry.message.attributes,
        CloudPubSubDeadLetterSourceDeliveryCount: String(entry.deliveryAttempt - 1),
        CloudPubSubDeadLetterSourceSubscription: subscription.name.split("/").pop()!,
      },
    });
  }
}

function validName(value: unknown, kind: "topics" | "subscriptions"): string {
  const name = String(value ?? "");
  const match = NAME.exec(name);
  if (match === null || match[1] !== kind) {
    throw new FakeError(grpc.status.INVALID_ARGUMENT, `Invalid [${kind}] name: (name=${name})`);
  }
  return name;
}

type UnaryCall = import("@grpc/grpc-js").ServerUnaryCall<Record<string, unknown>, unknown>;
type Callback = import("@grpc/grpc-js").sendUnaryData<unknown>;

function unary(handler: (request: Record<string, unknown>) => unknown) {
  return (call: UnaryCall, callback: Callback): void => {
    try {
      callback(null, handler(call.request) ?? {});
    } catch (error) {
      if (error instanceof FakeError) callback({ code: error.code, details: error.message });
      else callback({ code: grpc.status.INTERNAL, details: String(error) });
    }
  };
}

/** A running fake. */
export interface FakePubSub {
  readonly host: string;
  stop(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 (a free port). */
export async function startFakePubSub(services: {
  publisher: import("@grpc/grpc-js").ServiceDefinition;
  subscriber: import("@grpc/grpc-js").ServiceDefinition;
}): Promise<FakePubSub> {
  const store = new FakeStore();
  const server = new grpc.Server({
    "grpc.max_receive_message_length": 20 * 1024 * 1024,
    "grpc.max_send_message_length": 20 * 1024 * 1024,
  });
  server.addService(services.publisher, {
    createTopic: unary((request) => store.createTopic(request)),
    getTopic: unary((request) => store.getTopic(request.topic)),
    publish: unary((request) => ({
      messageIds: store.publish(request.topic, request.messages as Array<Record<string, unknown>>),
    })),
  });
  server.addService(services.subscriber, {
    createSubscription: unary((request) => store.createSubscription(request)),
    getSubscription: unary((request) => store.getSubscription(request.subscription).raw),
    acknowledge: unary((request) => store.acknowledge(request.subscription, request.ackIds as string[])),
    modifyAckDeadline: unary((request) =>
      store.modifyAckDeadline(
        request.subscription,
        request.ackIds as string[],
        Number(request.ackDeadlineSeconds),
      ),
    ),
    streamingPull: (call: import("@grpc/grpc-js").ServerDuplexStream<Record<string, unknown>, unknown>) => {
      let stream: PullStream | undefined;
      call.on("data", (request: Record<string, unknown>) => {
        try {
          if (stream === undefined) {
            const subscription = store.getSubscription(request.subscription);
            const max = Number(request.maxOutstandingMessages);
            stream = {
              subscription,
              deadlineSeconds: Number(request.streamAckDeadlineSeconds) || subscription.ackDeadlineSeconds,
              maxOutstanding: max > 0 ? max : 1000,
              outstanding: 0,
              lastServed: 0,
              write: (response) => call.write(response),
            };
            store.streams.add(stream);
          }
          const ackIds = (request.ackIds as string[] | undefined) ?? [];
          if (ackIds.length > 0) store.acknowledge(stream.subscription.name, ackIds);
          const modIds = (request.modifyDeadlineAckIds as string[] | undefined) ?? [];
          const modSeconds = (request.modifyDeadlineSeconds as number[] | undefined) ?? [];
          for (const [i, ackId] of modIds.entries()) {
            store.modifyAckDeadline(stream.subscription.name, [ackId], modSeconds[i] ?? 0);
          }
          store.dispatch();
        } catch (error) {
          const code = error instanceof FakeError ? error.code : grpc.status.INTERNAL;
          call.emit("error", { code, details: (error as Error).message });
        }
      });
      const end = (): void => {
        if (stream !== undefined) store.streams.delete(stream);
        stream = undefined;
      };
      call.on("end", () => {
        end();
        call.end();
      });
      call.on("cancelled", end);
      call.on("error", end);
    },
  } as unknown as import("@grpc/grpc-js").UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const ticker = setInterval(() => store.dispatch(), 50);
  ticker.unref();
  return {
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        clearInterval(ticker);
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000).unref();
      }),
  };
}
