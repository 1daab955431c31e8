import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// @grpc/grpc-js and @grpc/proto-loader come with google-gax (a dependency of @google-cloud/pubsub);
// resolving them through it keeps the fake from adding dependencies to the test workspace.
const requireHere = createRequire(import.meta.url);
const pubsubEntry = requireHere.resolve("@google-cloud/pubsub");
const requirePubSub = createRequire(pubsubEntry);
const gaxEntry = requirePubSub.resolve("google-gax");
const requireGax = createRequire(gaxEntry);

/** The `@grpc/grpc-js` module used by the SDK. */
export const grpc = requireGax("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const protoLoader = requireGax("@grpc/proto-loader") as typeof import("@grpc/proto-loader");

/** `google.pubsub.v1` service definitions loaded from the `.proto` files shipped in the SDK. */
export function loadPubSubServices(): {
  publisher: import("@grpc/grpc-js").ServiceDefinition;
  subscriber: import("@grpc/grpc-js").ServiceDefinition;
} {
  const pubsubProtos = join(dirname(pubsubEntry), "..", "protos");
  const gaxProtos = join(dirname(gaxEntry), "..", "protos");
  const definition = protoLoader.loadSync("google/pubsub/v1/pubsub.proto", {
    includeDirs: [pubsubProtos, gaxProtos],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const service = (name: string) => {
    const found = definition[`google.pubsub.v1.${name}`];
    if (found === undefined) throw new Error(`[asya:test] proto service ${name} not found`);
    return found as unknown as import("@grpc/grpc-js").ServiceDefinition;
  };
  return { publisher: service("Publisher"), subscriber: service("Subscriber") };
}
