import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { classifySqsError } from "./classify-sqs-error.js";
import { SQS_MAX_VISIBILITY_SECONDS } from "./sqs-transport-options.js";

/** Settings of {@link startVisibilityHeartbeat}. */
export interface HeartbeatSettings {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly receiptHandle: string;
  /** When the message was received (epoch ms): the 12 h visibility cap counts from here. */
  readonly receivedAtMs: number;
  readonly visibilityTimeoutSec: number;
  /** Extend every `visibilityTimeoutSec * fraction`. */
  readonly fraction: number;
  /** Stop extending this long after the receive. */
  readonly maxProcessingMs: number;
  /** The delivery can no longer be kept (receipt handle invalid / message no longer in flight). */
  readonly onLost: (error: unknown) => void;
  /** A transient extension failure (the next tick tries again). */
  readonly onError: (error: unknown) => void;
}

/** A running heartbeat. */
export interface Heartbeat {
  /** Stops extending and waits for an extension call in flight, so it cannot override a later settle. */
  stop(): Promise<void>;
}

/**
 * Keeps a message invisible while its handler runs: every `fraction` of the visibility timeout it
 * re-sets the visibility to `visibilityTimeoutSec`, never past SQS's 12 h cap nor past
 * `maxProcessingMs` after the receive.
 */
export function startVisibilityHeartbeat(settings: HeartbeatSettings): Heartbeat {
  const intervalMs = Math.max(100, Math.floor(settings.visibilityTimeoutSec * 1000 * settings.fraction));
  let stopped = false;
  let pending: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    const elapsedMs = Date.now() - settings.receivedAtMs;
    if (elapsedMs >= settings.maxProcessingMs) {
      stopped = true;
      clearInterval(timer);
      return;
    }
    const capSec = SQS_MAX_VISIBILITY_SECONDS - Math.ceil(elapsedMs / 1000) - 1;
    const untilMaxSec = Math.ceil((settings.maxProcessingMs - elapsedMs) / 1000);
    const timeoutSec = Math.max(0, Math.min(settings.visibilityTimeoutSec, capSec, untilMaxSec));
    if (timeoutSec <= 0) return;
    try {
      await settings.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: settings.queueUrl,
          ReceiptHandle: settings.receiptHandle,
          VisibilityTimeout: timeoutSec,
        }),
      );
    } catch (error) {
      const classified = classifySqsError(error);
      if (!classified.retryable && classified.code !== "ABORTED") {
        stopped = true;
        clearInterval(timer);
        settings.onLost(classified);
      } else {
        settings.onError(classified);
      }
    }
  };

  const timer = setInterval(() => {
    if (stopped) return;
    pending = pending.then(tick);
  }, intervalMs);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await pending;
    },
  };
}
