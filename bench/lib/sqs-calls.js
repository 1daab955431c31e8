// Counting the SQS API calls a variant makes (moto is the bottleneck: calls per message decide).
import { SQSClient } from "@aws-sdk/client-sqs";

/** An SQS client (same options as `new SQSClient(options)`) that counts its calls by command name. */
export function countingSqs(options) {
  const calls = {};
  const sqs = new SQSClient(options);
  sqs.middlewareStack.add(
    (next, context) => (args) => {
      calls[context.commandName] = (calls[context.commandName] ?? 0) + 1;
      return next(args);
    },
    { step: "initialize", name: "benchCallCounter" },
  );
  return { sqs, calls };
}

/** `Receive 1.02, Send 1.00, ...`: each command's calls divided by `per`, with `digits` decimals. */
export function callSummary(calls, per, digits = 2) {
  return Object.entries(calls)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name.replace("Command", "")} ${(n / per).toFixed(digits)}`)
    .join(", ");
}
