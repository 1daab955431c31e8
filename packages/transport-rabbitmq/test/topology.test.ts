import { delayBucketMs, delayQueueName, delayQueueOptions, queueArguments } from "@asya/transport-rabbitmq";
import { describe, expect, it } from "vitest";

describe("queueArguments", () => {
  it("gives work queues a DLX to <queue>-dlq and a delivery limit (quorum)", () => {
    expect(queueArguments("asya-a", "quorum", 20)).toEqual({
      "x-queue-type": "quorum",
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": "asya-a-dlq",
      "x-delivery-limit": 20,
    });
    expect(queueArguments("asya-a", "classic", 20)).toEqual({
      "x-queue-type": "classic",
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": "asya-a-dlq",
    });
  });

  it("gives dead-letter queues no DLX of their own", () => {
    expect(queueArguments("asya-a-dlq", "quorum", 20)).toEqual({ "x-queue-type": "quorum" });
  });
});

describe("delay buckets", () => {
  it("round up to two significant digits: never early, at most 10% late", () => {
    expect(delayBucketMs(0.2)).toBe(1);
    expect(delayBucketMs(99)).toBe(99);
    expect(delayBucketMs(1000)).toBe(1000);
    expect(delayBucketMs(1234)).toBe(1300);
    expect(delayBucketMs(56_789)).toBe(57_000);
    for (let ms = 1; ms < 1_000_000; ms = Math.ceil(ms * 1.37)) {
      const bucket = delayBucketMs(ms);
      expect(bucket).toBeGreaterThanOrEqual(ms);
      expect(bucket).toBeLessThanOrEqual(Math.max(ms + 1, ms * 1.1));
    }
  });

  it("name delay queues with a dot (impossible in actor names) and dead-letter back to the work queue", () => {
    expect(delayQueueName("asya-a", 1300)).toBe("asya-a.delay.1300");
    const options = delayQueueOptions("asya-a", 1300);
    expect(options.durable).toBe(true);
    expect(options.arguments).toMatchObject({
      "x-queue-type": "classic",
      "x-message-ttl": 1300,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": "asya-a",
    });
    expect(options.arguments!["x-expires"]).toBeGreaterThan(1300 * 2);
  });
});
