import { connect } from "node:net";

/** Where the SDK sends RPCs when no `apiEndpoint` is configured. */
const GOOGLE_ENDPOINT = "pubsub.googleapis.com:443";

/** `host:port` (or a URL) -> host and port; `undefined` when it cannot be read. */
export function endpointAddress(apiEndpoint: string | undefined): { host: string; port: number } | undefined {
  const text = (apiEndpoint ?? GOOGLE_ENDPOINT).replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(text);
  if (match?.[1] === undefined) return undefined;
  return { host: match[1], port: match[2] === undefined ? 443 : Number(match[2]) };
}

/**
 * One TCP connect to the endpoint, to learn at once whether it is reachable: the SDK itself retries
 * every RPC for up to 60 s and says nothing meanwhile. Resolves with the error code, or undefined
 * when the endpoint accepted the connection.
 */
export function probeEndpoint(host: string, port: number, timeoutMs = 3_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: string | undefined): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done("ETIMEDOUT"));
    socket.once("connect", () => done(undefined));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
