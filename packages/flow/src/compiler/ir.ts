// The flow as the parser sees it: statements over one state value, before lowering to routers.

/** A place in a flow's source file (1-based line and column). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A piece of user code that runs inside a router: JavaScript over the state parameter `param`. */
export interface RouterCode {
  /** Transpiled JavaScript (statements, or one expression for conditions). */
  readonly js: string;
  /** The state's name in this code (an inlined flow may call it differently). */
  readonly param: string;
  /** The TypeScript as written, for comments, names and the graph. */
  readonly source: string;
  readonly loc: SourceLocation;
}

/** A called handler: an exported function of a module. */
export interface HandlerRef {
  /** The export's name (`classify`). */
  readonly exportName: string;
  /** Absolute path of the module's source file (for a package: its resolved declaration file). */
  readonly moduleFile: string;
  /** The package specifier when the handler comes from a package (`@acme/handlers`), not a file. */
  readonly packageName?: string;
  /** The actor's name (DNS-1123): from the export name, or an `// @asya actor=<name>` comment. */
  readonly actor: string;
}

export type FanOutSource =
  /** `Promise.all(<array>.map((i) => h(i)))`: one slice per item, each through `handler`. */
  | { readonly kind: "map"; readonly items: RouterCode; readonly handler: HandlerRef }
  /** `Promise.all([a(p), b(p)])`: one slice per call, each a copy of the state. */
  | { readonly kind: "all"; readonly handlers: readonly HandlerRef[] };

export type FlowStatement =
  | { readonly kind: "call"; readonly handler: HandlerRef; readonly loc: SourceLocation }
  | { readonly kind: "code"; readonly code: RouterCode }
  | {
      readonly kind: "if";
      readonly condition: RouterCode;
      readonly yes: readonly FlowStatement[];
      readonly no: readonly FlowStatement[];
      readonly loc: SourceLocation;
    }
  | {
      readonly kind: "while";
      /** `undefined` for `while (true)`. */
      readonly condition: RouterCode | undefined;
      readonly body: readonly FlowStatement[];
      readonly loc: SourceLocation;
    }
  | { readonly kind: "break" | "continue" | "return"; readonly loc: SourceLocation }
  | { readonly kind: "throw"; readonly value: RouterCode }
  | {
      readonly kind: "try";
      readonly body: readonly FlowStatement[];
      readonly catch: readonly FlowStatement[] | undefined;
      readonly finally: readonly FlowStatement[] | undefined;
      /** The try statement's source, for the slug of its actors' names. */
      readonly source: string;
      readonly loc: SourceLocation;
    }
  | {
      readonly kind: "fan-out";
      /** JSON Pointer in the state where the results go, as an array. */
      readonly pointer: string;
      readonly source: FanOutSource;
      readonly text: string;
      readonly loc: SourceLocation;
    }
  | { readonly kind: "pause"; readonly request: RouterCode }
  /** Another flow's body, inlined at its call: its `return` continues after the call. */
  | { readonly kind: "inline"; readonly flow: string; readonly body: readonly FlowStatement[] };

/** A parsed flow. */
export interface ParsedFlow {
  /** DNS-1123 name (from the function's or the variable's name). */
  readonly name: string;
  /** The exported binding, e.g. `triage`. */
  readonly exportName: string;
  readonly file: string;
  readonly loc: SourceLocation;
  readonly body: readonly FlowStatement[];
  /** Where falling off the function's end would be (the closing brace). */
  readonly endLoc: SourceLocation;
  readonly maxIterations: number;
}
