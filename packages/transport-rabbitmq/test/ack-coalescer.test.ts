import { describe, expect, it } from "vitest";
import { AckCoalescer } from "../src/internal/ack-coalescer.js";

/** Records acks as `tag` or `<=tag` (multiple). */
function recorder() {
  const sent: string[] = [];
  const channel = {
    ack(message: { fields: { deliveryTag: number } }, allUpTo?: boolean) {
      sent.push(allUpTo === true ? `<=${message.fields.deliveryTag}` : String(message.fields.deliveryTag));
    },
  };
  return { sent, acks: new AckCoalescer(channel as never) };
}

describe("AckCoalescer", () => {
  it("sends one multiple ack for a burst that covers every delivery", () => {
    const { sent, acks } = recorder();
    for (let tag = 1; tag <= 50; tag++) acks.delivered(tag);
    // Finishing in any order: 50, 49, ..., 26, then 1, ..., 25.
    for (let tag = 50; tag > 25; tag--) acks.ack(tag);
    for (let tag = 1; tag <= 25; tag++) acks.ack(tag);
    acks.flush();
    expect(sent).toEqual(["<=50"]);
  });

  it("never covers a delivery still in flight or settled otherwise", () => {
    const { sent, acks } = recorder();
    for (let tag = 1; tag <= 6; tag++) acks.delivered(tag);
    acks.settledOtherwise(2); // nacked
    for (const tag of [1, 3, 5, 6]) acks.ack(tag); // 4 is still running
    acks.flush();
    expect(sent).toEqual(["<=3", "5", "6"]);
    acks.ack(4);
    acks.flush();
    expect(sent).toEqual(["<=3", "5", "6", "4"]);
  });

  it("flushes by itself on the next turn of the event loop", async () => {
    const { sent, acks } = recorder();
    acks.delivered(1);
    acks.delivered(2);
    acks.ack(2);
    acks.ack(1);
    expect(sent).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(["<=2"]);
  });

  it("a closed channel does not throw", () => {
    const acks = new AckCoalescer({
      ack() {
        throw new Error("Channel closed");
      },
    } as never);
    acks.delivered(1);
    acks.ack(1);
    expect(() => acks.flush()).not.toThrow();
  });
});
