import { type Envelope, HEADER_PAUSE } from "@asya/envelope";
import type { GatewayEvent } from "../../gateway/gateway-client.js";

/** The `paused` report of an output held by `x-pause`: the pause metadata as `data.pause`. */
export function pausedReport(actor: string, envelope: Envelope): GatewayEvent {
  return { type: "status", status: "paused", data: { actor, pause: envelope.headers?.[HEADER_PAUSE] } };
}

/**
 * The `running` report of an actor starting an envelope (GATEWAY.md section 3): where it is on its
 * route and how far along, `(len(prev)+1) / (len(prev)+1+len(next)) * 100`.
 */
export function runningReport(actor: string, envelope: Envelope): GatewayEvent {
  const { prev, curr, next } = envelope.route;
  const done = prev.length + 1;
  return {
    type: "status",
    status: "running",
    data: { actor, prev, curr, next, progress: Math.round((done / (done + next.length)) * 1000) / 10 },
  };
}
