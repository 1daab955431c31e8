import {
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";

const getter = {
  keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
  get: (carrier: Record<string, unknown>, key: string) => {
    const value = carrier[key];
    return typeof value === "string" ? value : undefined;
  },
};

/** The tracer used when none is given: a no-op until the application installs an OTel SDK. */
export function defaultTracer(): Tracer {
  return trace.getTracer("@asya/runtime");
}

/** Starts the span of one handler call as a child of the envelope's `traceparent`. */
export function startHandlerSpan(
  tracer: Tracer,
  actor: string,
  headers: Readonly<Record<string, unknown>> | undefined,
  attributes: Readonly<Record<string, string | number>>,
): { span: Span; ctx: Context } {
  const parent = propagation.extract(context.active(), headers ?? {}, getter);
  const span = tracer.startSpan(
    `asya.process ${actor}`,
    { kind: SpanKind.CONSUMER, attributes: { "asya.actor": actor, ...attributes } },
    parent,
  );
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Writes the span context into outgoing headers (`traceparent`/`tracestate`); keeps old ones when no SDK. */
export function injectTrace(ctx: Context, headers: Record<string, unknown>): void {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  if (carrier.traceparent !== undefined) {
    headers.traceparent = carrier.traceparent;
    if (carrier.tracestate !== undefined) headers.tracestate = carrier.tracestate;
    else delete headers.tracestate;
  }
}

/** Ends a span with an outcome attribute and, for errors, an error status. */
export function endSpan(span: Span, outcome: string, error?: unknown): void {
  span.setAttribute("asya.outcome", outcome);
  if (error !== undefined) {
    if (error instanceof Error) span.recordException(error);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  span.end();
}

/** The trace id carried by headers (`trace_id`, else the id inside `traceparent`). */
export function traceIdOf(headers: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers.trace_id === "string") return headers.trace_id;
  const parent = headers.traceparent;
  if (typeof parent === "string") return parent.split("-")[1];
  return undefined;
}
