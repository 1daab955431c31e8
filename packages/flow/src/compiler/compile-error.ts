import type { SourceLocation } from "./ir.js";

/** One thing the compiler rejects: where, what is wrong, and what to write instead. */
export interface FlowDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** What to write instead. */
  readonly hint?: string;
}

/** `file:line:column: message (hint)`, the form editors and terminals link. */
export function formatDiagnostic(diagnostic: FlowDiagnostic): string {
  const where = `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`;
  return `${where}: ${diagnostic.message}${diagnostic.hint === undefined ? "" : `\n  hint: ${diagnostic.hint}`}`;
}

/**
 * A flow that does not compile. `diagnostics` lists every problem found (the compiler goes on
 * after the first); the message shows them all. Not retryable: the source must change.
 */
export class FlowCompileError extends Error {
  override readonly name = "FlowCompileError";
  readonly code = "FLOW_COMPILE_ERROR";
  readonly retryable = false;
  readonly diagnostics: readonly FlowDiagnostic[];

  constructor(diagnostics: readonly FlowDiagnostic[], options?: { readonly cause?: unknown }) {
    super(diagnostics.map(formatDiagnostic).join("\n"), options);
    this.diagnostics = diagnostics;
  }
}

/** Collects diagnostics while parsing, so one run reports every problem. */
export class DiagnosticBag {
  readonly items: FlowDiagnostic[] = [];

  add(loc: SourceLocation, message: string, hint?: string): void {
    this.items.push({ ...loc, message, ...(hint === undefined ? {} : { hint }) });
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new FlowCompileError(this.items);
  }
}
