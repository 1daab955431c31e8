import { basename } from "node:path";
import type TS from "typescript5";
import type { DiagnosticBag } from "./compile-error.js";
import type {
  FanOutSource,
  FlowStatement,
  HandlerRef,
  ParsedFlow,
  RouterCode,
  SourceLocation,
} from "./ir.js";
import { kebabName } from "./names.js";
import { FLOW_MODULE, locationOf, stripTypes } from "./program.js";
import { ts } from "./typescript.js";

const DEFAULT_MAX_ITERATIONS = 100;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Globals a router may not read: they make it nondeterministic or give it side effects. */
const BANNED_GLOBALS = new Set([
  "Date",
  "globalThis",
  "eval",
  "Function",
  "WeakRef",
  "FinalizationRegistry",
  "Atomics",
  "SharedArrayBuffer",
]);
const FREE_NAMES = new Set(["undefined", "NaN", "Infinity"]);

type Callee =
  | { readonly kind: "handler"; readonly ref: HandlerRef }
  | { readonly kind: "flow"; readonly definition: FlowDefinition }
  | { readonly kind: "pause" | "marker" | "code" }
  | { readonly kind: "local"; readonly name: string };

/** A `flow(...)` call in some file of the program. */
interface FlowDefinition {
  readonly call: TS.CallExpression;
  readonly fn: TS.FunctionExpression | TS.ArrowFunction;
  readonly exportName: string;
  readonly name: string;
}

/** Where a statement sits: the state's symbol and name, and the enclosing constructs. */
interface Scope {
  readonly state: TS.Symbol;
  readonly param: string;
  readonly stateType: TS.Type;
  readonly loop: { exits: number } | undefined;
  readonly inTry: boolean;
  readonly inFinally: boolean;
  readonly flows: readonly TS.Node[];
}

/** Parses every `flow(...)` of `file` (and the flows they call, inlined) into statements. */
export function parseFlows(program: TS.Program, file: string, bag: DiagnosticBag): ParsedFlow[] {
  const source = program.getSourceFile(file);
  if (source === undefined) {
    bag.add({ file, line: 1, column: 1 }, "cannot read the flow file");
    return [];
  }
  const parser = new FlowParser(program, bag);
  for (const diagnostic of [
    ...program.getSyntacticDiagnostics(source),
    ...program.getSemanticDiagnostics(source),
  ]) {
    if (diagnostic.category !== ts.DiagnosticCategory.Error) continue;
    const start = diagnostic.start ?? 0;
    const { line, character } = source.getLineAndCharacterOfPosition(start);
    bag.add(
      { file: source.fileName, line: line + 1, column: character + 1 },
      ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
    );
  }
  const definitions = parser.definitionsIn(source);
  if (definitions.length === 0) {
    bag.add(
      { file: source.fileName, line: 1, column: 1 },
      "no flow in this file",
      'export one: export const myFlow = flow(async function myFlow(p: State): Promise<State> { ... }), with flow imported from "@asya/flow"',
    );
  }
  return definitions.map((definition) => parser.parseFlow(definition));
}

class FlowParser {
  readonly #checker: TS.TypeChecker;
  readonly #program: TS.Program;
  readonly #bag: DiagnosticBag;
  readonly #actors = new Map<string, string>();

  constructor(program: TS.Program, bag: DiagnosticBag) {
    this.#program = program;
    this.#checker = program.getTypeChecker();
    this.#bag = bag;
  }

  /** The flows defined at the top level of `source`. */
  definitionsIn(source: TS.SourceFile): FlowDefinition[] {
    const found: FlowDefinition[] = [];
    for (const statement of source.statements) {
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const definition = this.#definitionOf(declaration);
          if (definition !== undefined) found.push(definition);
        }
      } else if (ts.isExportAssignment(statement)) {
        const call = skipParens(statement.expression);
        if (ts.isCallExpression(call) && this.#flowImport(call.expression) === "flow") {
          const fn = call.arguments[0];
          if (fn !== undefined && (ts.isFunctionExpression(fn) || ts.isArrowFunction(fn))) {
            const name = fn.name?.text ?? basename(source.fileName).replace(/\.[^.]+$/, "");
            found.push({ call, fn, exportName: "default", name: kebabName(name) });
          }
        }
      }
    }
    return found;
  }

  #definitionOf(declaration: TS.VariableDeclaration): FlowDefinition | undefined {
    const init = declaration.initializer === undefined ? undefined : skipParens(declaration.initializer);
    if (init === undefined || !ts.isCallExpression(init) || this.#flowImport(init.expression) !== "flow") {
      return undefined;
    }
    const fn = init.arguments[0];
    if (fn === undefined || !(ts.isFunctionExpression(fn) || ts.isArrowFunction(fn))) {
      this.#bag.add(
        locationOf(init),
        "flow() takes the flow's function itself",
        "write flow(async function name(p: State): Promise<State> { ... })",
      );
      return undefined;
    }
    const variable = ts.isIdentifier(declaration.name) ? declaration.name.text : "flow";
    const name = ts.isFunctionExpression(fn) && fn.name !== undefined ? fn.name.text : variable;
    return { call: init, fn, exportName: variable, name: kebabName(name) };
  }

  parseFlow(definition: FlowDefinition): ParsedFlow {
    const { fn } = definition;
    const loc = locationOf(definition.call);
    const scope = this.#flowScope(definition, []);
    const body = scope === undefined ? [] : this.#block(fn.body as TS.Block, scope);
    const source = fn.getSourceFile();
    const end = source.getLineAndCharacterOfPosition(fn.body.getEnd() - 1);
    return {
      name: definition.name,
      exportName: definition.exportName,
      file: source.fileName,
      loc,
      body,
      endLoc: { file: source.fileName, line: end.line + 1, column: end.character + 1 },
      maxIterations: this.#maxIterations(definition.call),
    };
  }

  #flowScope(definition: FlowDefinition, outer: readonly TS.Node[], inTry = false): Scope | undefined {
    const { fn } = definition;
    const where = locationOf(fn);
    if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) !== true) {
      this.#bag.add(
        where,
        "a flow is an async function",
        "write flow(async function name(p: State) { ... })",
      );
    }
    if (!ts.isBlock(fn.body)) {
      this.#bag.add(locationOf(fn.body), "a flow's body is a block", "write (p) => { ...; return p; }");
      return undefined;
    }
    const [param, ...extra] = fn.parameters;
    if (param === undefined || extra.length > 0 || !ts.isIdentifier(param.name)) {
      this.#bag.add(
        where,
        "a flow takes exactly one parameter, the state, by name (no destructuring)",
        "write async function name(p: State): Promise<State>",
      );
      return undefined;
    }
    const state = this.#checker.getSymbolAtLocation(param.name);
    if (state === undefined) return undefined;
    return {
      state,
      param: param.name.text,
      stateType: this.#checker.getTypeAtLocation(param),
      loop: undefined,
      inTry,
      inFinally: false,
      flows: [...outer, definition.call],
    };
  }

  #maxIterations(call: TS.CallExpression): number {
    const options = call.arguments[1];
    if (options === undefined) return DEFAULT_MAX_ITERATIONS;
    if (ts.isObjectLiteralExpression(options)) {
      for (const property of options.properties) {
        if (
          ts.isPropertyAssignment(property) &&
          property.name.getText() === "maxIterations" &&
          ts.isNumericLiteral(property.initializer) &&
          Number(property.initializer.text) >= 1
        ) {
          return Number(property.initializer.text);
        }
      }
    }
    this.#bag.add(
      locationOf(options),
      "flow()'s options must be a literal the compiler can read",
      "write flow(fn, { maxIterations: 500 })",
    );
    return DEFAULT_MAX_ITERATIONS;
  }

  #block(block: TS.Statement | undefined, scope: Scope): FlowStatement[] {
    if (block === undefined) return [];
    if (ts.isBlock(block)) return block.statements.flatMap((statement) => this.#statement(statement, scope));
    return this.#statement(block, scope);
  }

  #statement(node: TS.Statement, scope: Scope): FlowStatement[] {
    if (ts.isEmptyStatement(node)) return [];
    if (ts.isBlock(node)) return this.#block(node, scope);
    // A throw statement ends the path (the end-of-flow check must know), even when plain code.
    if (ts.isThrowStatement(node)) {
      const value = this.#expression(node.expression, scope);
      if (scope.loop !== undefined) scope.loop.exits += 1;
      return value === undefined ? [] : [{ kind: "throw", value }];
    }
    if (this.#isPlainCode(node)) {
      if (ts.isVariableStatement(node)) {
        this.#bag.add(
          locationOf(node),
          "a local variable does not survive from one actor to the next (each runs in its own process)",
          `keep the value in the state: ${scope.param}.${firstDeclaredName(node) ?? "x"} = ...`,
        );
        return [];
      }
      if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) {
        this.#bag.add(
          locationOf(node),
          "declare functions outside the flow",
          "move it to a module and import it",
        );
        return [];
      }
      if (ts.isLabeledStatement(node)) {
        this.#bag.add(locationOf(node), "labeled statements are not compiled", "restructure with if / while");
        return [];
      }
      const code = this.#code(node, scope, node.getText());
      return code === undefined ? [] : [{ kind: "code", code }];
    }
    if (ts.isExpressionStatement(node)) return this.#expressionStatement(node, scope);
    if (ts.isIfStatement(node)) {
      const condition = this.#expression(node.expression, scope);
      const then = this.#block(node.thenStatement, scope);
      const otherwise = this.#block(node.elseStatement, scope);
      if (condition === undefined) return [];
      return [{ kind: "if", condition, yes: then, no: otherwise, loc: locationOf(node) }];
    }
    if (ts.isWhileStatement(node)) return this.#while(node, scope);
    if (ts.isBreakStatement(node) || ts.isContinueStatement(node)) {
      const kind = ts.isBreakStatement(node) ? "break" : "continue";
      if (node.label !== undefined) {
        this.#bag.add(locationOf(node), `labeled ${kind} is not compiled`, `${kind} the innermost loop only`);
      } else if (scope.loop === undefined) {
        this.#bag.add(locationOf(node), `${kind} outside a while loop`);
      } else if (scope.inFinally) {
        this.#bag.add(
          locationOf(node),
          `${kind} inside finally is not compiled`,
          "move it after the try statement",
        );
      }
      if (kind === "break" && scope.loop !== undefined) scope.loop.exits += 1;
      return [{ kind, loc: locationOf(node) }];
    }
    if (ts.isReturnStatement(node)) return this.#return(node, scope);
    if (ts.isTryStatement(node)) return this.#try(node, scope);
    if (ts.isVariableStatement(node)) {
      this.#bag.add(
        locationOf(node),
        "a handler's result must become the state, not a local variable",
        `write ${scope.param} = await handler(${scope.param})`,
      );
      return [];
    }
    if (ts.isDoStatement(node)) {
      this.#bag.add(
        locationOf(node),
        "do ... while over actors is not compiled",
        "write while (true) { ...; if (!(condition)) break; }",
      );
      return [];
    }
    if (ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) {
      this.#bag.add(
        locationOf(node),
        "a for loop over actors is not compiled",
        `write while (${scope.param}.i < ${scope.param}.items.length) { ...; ${scope.param}.i += 1; }, or fan out with ${scope.param}.results = await Promise.all(${scope.param}.items.map((item) => handler(item)))`,
      );
      return [];
    }
    if (ts.isLabeledStatement(node)) {
      this.#bag.add(
        locationOf(node),
        "labeled statements are not compiled",
        "restructure with if / while and break",
      );
      return [];
    }
    if (ts.isSwitchStatement(node)) {
      this.#bag.add(locationOf(node), "a switch over actors is not compiled", "write if / else if / else");
      return [];
    }
    this.#bag.add(locationOf(node), `this statement (${ts.SyntaxKind[node.kind]}) is not compiled in a flow`);
    return [];
  }

  #while(node: TS.WhileStatement, scope: Scope): FlowStatement[] {
    const forever = node.expression.kind === ts.SyntaxKind.TrueKeyword;
    const condition = forever ? undefined : this.#expression(node.expression, scope);
    const loop = { exits: 0 };
    const body = this.#block(node.statement, { ...scope, loop, inFinally: false });
    if (forever && loop.exits === 0) {
      this.#bag.add(
        locationOf(node),
        "while (true) needs a break (or a return or throw) in its body",
        `add if (${scope.param}.done) break; or write the condition: while (!${scope.param}.done)`,
      );
    }
    if (!forever && condition === undefined) return [];
    return [{ kind: "while", condition, body, loc: locationOf(node) }];
  }

  #return(node: TS.ReturnStatement, scope: Scope): FlowStatement[] {
    const loc = locationOf(node);
    if (scope.loop !== undefined) scope.loop.exits += 1;
    if (scope.inFinally) {
      this.#bag.add(loc, "return inside finally is not compiled", "return after the try statement");
      return [];
    }
    if (node.expression === undefined) {
      this.#bag.add(loc, "a flow returns its state", `write return ${scope.param};`);
      return [];
    }
    const value = skipParens(node.expression);
    if (ts.isIdentifier(value) && this.#isState(value, scope)) return [{ kind: "return", loc }];
    const call = asCall(value);
    if (call !== undefined) {
      const callee = this.#callee(call.expression);
      if (callee.kind === "handler" || callee.kind === "flow") {
        if (scope.inTry && !ts.isAwaitExpression(skipParens(value))) {
          // The function returns the promise: its rejection escapes the catch; compiled, it would not.
          this.#bag.add(
            loc,
            "inside try, a returned handler call must be awaited (an un-awaited failure escapes the catch)",
            `write return await ${call.expression.getText()}(${scope.param})`,
          );
          return [];
        }
        return [...this.#stateCall(call, callee, scope, node), { kind: "return", loc }];
      }
    }
    const code = this.#code(value, scope, `${scope.param} = (${value.getText()});`, loc);
    return code === undefined
      ? []
      : [
          { kind: "code", code },
          { kind: "return", loc },
        ];
  }

  #try(node: TS.TryStatement, scope: Scope): FlowStatement[] {
    const loc = locationOf(node);
    if (node.finallyBlock !== undefined && this.#rebindsState(node.finallyBlock, scope)) {
      for (const block of [node.tryBlock, node.catchClause?.block]) {
        for (const early of block === undefined ? [] : returnsIn(block)) {
          this.#bag.add(
            locationOf(early),
            "return inside try whose finally replaces the state: the function returns the state from before finally, a compiled flow would return finally's",
            `assign the result and return after the try statement, or only change properties of ${scope.param} in finally`,
          );
        }
      }
    }
    const body = this.#block(node.tryBlock, { ...scope, inTry: true });
    let handler: FlowStatement[] | undefined;
    if (node.catchClause !== undefined) {
      const variable = node.catchClause.variableDeclaration;
      if (variable !== undefined && this.#isReferenced(variable, node.catchClause.block)) {
        this.#bag.add(
          locationOf(variable),
          "the caught error is not available to a compiled flow (it travels in the envelope's status.error)",
          "write catch { ... } and decide on the state",
        );
      }
      handler = this.#block(node.catchClause.block, scope);
    }
    const finalizer =
      node.finallyBlock === undefined
        ? undefined
        : this.#block(node.finallyBlock, { ...scope, inFinally: true });
    return [{ kind: "try", body, catch: handler, finally: finalizer, source: node.getText(), loc }];
  }

  #expressionStatement(node: TS.ExpressionStatement, scope: Scope): FlowStatement[] {
    const expression = skipParens(node.expression);
    const loc = locationOf(node);
    if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = skipParens(expression.left);
      const call = asCall(expression.right);
      if (ts.isIdentifier(target) && this.#isState(target, scope) && call !== undefined) {
        const callee = this.#callee(call.expression);
        if (callee.kind === "handler" || callee.kind === "flow")
          return this.#stateCall(call, callee, scope, node);
        if (callee.kind === "pause") return this.#pause(call, scope);
      }
      if (call !== undefined && isPromiseAll(call, this.#checker)) {
        const pointer = this.#pointer(target, scope);
        if (pointer === undefined) {
          this.#bag.add(
            locationOf(target),
            "a fan-out's results go to a property of the state",
            `write ${scope.param}.results = await Promise.all(...)`,
          );
          return [];
        }
        return this.#fanOut(call, pointer, scope, node);
      }
      if (call !== undefined) {
        const callee = this.#callee(call.expression);
        if (callee.kind === "handler" || callee.kind === "flow") {
          this.#bag.add(
            loc,
            "a handler's result replaces the state; it cannot be assigned to a part of it",
            `write ${scope.param} = await ${call.expression.getText()}(${scope.param}), or fan out with Promise.all`,
          );
          return [];
        }
      }
    }
    const call = asCall(expression);
    if (call !== undefined) {
      const callee = this.#callee(call.expression);
      if (callee.kind === "pause") return this.#pause(call, scope);
      if (callee.kind === "handler" || callee.kind === "flow") {
        this.#bag.add(
          loc,
          "a handler's result must become the state",
          `write ${scope.param} = await ${call.expression.getText()}(${scope.param})`,
        );
        return [];
      }
    }
    const code = this.#code(node, scope, node.getText());
    return code === undefined ? [] : [{ kind: "code", code }];
  }

  /** `p = await h(p)` (a handler: one actor) or `p = await otherFlow(p)` (inlined). */
  #stateCall(
    call: TS.CallExpression,
    callee: Extract<Callee, { kind: "handler" | "flow" }>,
    scope: Scope,
    statement: TS.Node,
  ): FlowStatement[] {
    const loc = locationOf(call);
    const [argument, ...extra] = call.arguments;
    if (argument === undefined || extra.length > 0 || !this.#isStateExpression(argument, scope)) {
      this.#bag.add(
        loc,
        `a handler is called with the state and nothing else${argument !== undefined && asCall(argument) !== undefined ? " (calls nested in arguments are not actors)" : ""}`,
        `write ${scope.param} = await ${call.expression.getText()}(${scope.param})`,
      );
      return [];
    }
    if (callee.kind === "flow") {
      const definition = callee.definition;
      if (scope.flows.includes(definition.call)) {
        this.#bag.add(
          loc,
          `flow ${definition.name} calls itself: flows are inlined, so recursion cannot compile`,
        );
        return [];
      }
      // An inlined flow inside try is inside that try (a fan-out in it is rejected there too).
      const inner = this.#flowScope(definition, scope.flows, scope.inTry);
      if (inner === undefined) return [];
      const body = this.#block(definition.fn.body as TS.Block, inner);
      return [{ kind: "inline", flow: definition.name, body }];
    }
    this.#checkHandlerTypes(call, callee.ref, scope);
    const ref = this.#renamed(callee.ref, statement);
    return [{ kind: "call", handler: ref, loc }];
  }

  #checkHandlerTypes(call: TS.CallExpression, ref: HandlerRef, scope: Scope): void {
    const checker = this.#checker;
    const signature = checker.getResolvedSignature(call);
    if (signature === undefined) return;
    const state = checker.typeToString(scope.stateType);
    const parameter = signature.parameters[0];
    if (parameter !== undefined) {
      const accepts = checker.getTypeOfSymbolAtLocation(parameter, call);
      if (!checker.isTypeAssignableTo(scope.stateType, accepts)) {
        this.#bag.add(
          locationOf(call),
          `handler ${ref.exportName} takes ${checker.typeToString(accepts)}, not the state type ${state}`,
          `make ${ref.exportName} take ${state}`,
        );
      }
    }
    const returned = checker.getAwaitedType(signature.getReturnType()) ?? signature.getReturnType();
    if (!checker.isTypeAssignableTo(returned, scope.stateType)) {
      this.#bag.add(
        locationOf(call),
        `handler ${ref.exportName} returns ${checker.typeToString(returned)}, not the state type ${state}`,
        `make ${ref.exportName} return the state (${state} or Promise<${state}>)`,
      );
    }
  }

  /** `// @asya actor=<name>` on the statement renames its actor. */
  #renamed(ref: HandlerRef, statement: TS.Node): HandlerRef {
    const text = statement.getSourceFile().getFullText();
    const ranges = [
      ...(ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? []),
      ...(ts.getTrailingCommentRanges(text, statement.getEnd()) ?? []),
    ];
    for (const range of ranges) {
      const match = /@asya\s+actor\s*=\s*([^\s*]+)/.exec(text.slice(range.pos, range.end));
      if (match?.[1] === undefined) continue;
      if (!DNS_LABEL.test(match[1])) {
        this.#bag.add(
          locationOf(statement),
          `actor name ${JSON.stringify(match[1])} is not a DNS-1123 label`,
        );
        return ref;
      }
      return this.#registerActor({ ...ref, actor: match[1] }, statement);
    }
    return this.#registerActor(ref, statement);
  }

  /** One handler per actor name: two handlers under one name would share a queue. */
  #registerActor(ref: HandlerRef, at: TS.Node): HandlerRef {
    const key = `${ref.moduleFile}#${ref.exportName}`;
    const existing = this.#actors.get(ref.actor);
    if (existing === undefined) this.#actors.set(ref.actor, key);
    else if (existing !== key) {
      this.#bag.add(
        locationOf(at),
        `actor ${ref.actor} would run two handlers (${existing} and ${key})`,
        "rename one with a comment on its call: // @asya actor=<name>",
      );
    }
    return ref;
  }

  #pause(call: TS.CallExpression, scope: Scope): FlowStatement[] {
    const args = call.arguments;
    let request: TS.Expression | undefined;
    if (args.length === 2 && args[0] !== undefined && this.#isStateExpression(args[0], scope))
      request = args[1];
    else if (args.length === 1) request = args[0];
    if (request === undefined) {
      this.#bag.add(
        locationOf(call),
        "pause() takes the state and the request",
        `write ${scope.param} = await pause(${scope.param}, { prompt: "...", fields: [...] })`,
      );
      return [];
    }
    const code = this.#expression(request, scope);
    return code === undefined ? [] : [{ kind: "pause", request: code }];
  }

  #fanOut(call: TS.CallExpression, pointer: string, scope: Scope, statement: TS.Node): FlowStatement[] {
    const loc = locationOf(statement);
    if (scope.inTry) {
      this.#bag.add(
        loc,
        "a fan-out inside try is not compiled (its slices fail one by one, not as one call)",
        "move the Promise.all out of the try, or catch inside the item's handler",
      );
      return [];
    }
    const hint = `write ${scope.param}.x = await Promise.all([a(${scope.param}), b(${scope.param})]) or ${scope.param}.x = await Promise.all(${scope.param}.items.map((item) => handler(item)))`;
    const argument = call.arguments[0] === undefined ? undefined : skipParens(call.arguments[0]);
    let source: FanOutSource | undefined;
    if (argument !== undefined && ts.isArrayLiteralExpression(argument) && argument.elements.length > 0) {
      const handlers: HandlerRef[] = [];
      for (const element of argument.elements) {
        const inner = asCall(element);
        const callee = inner === undefined ? undefined : this.#callee(inner.expression);
        const [arg, ...extra] = inner?.arguments ?? [];
        if (
          inner === undefined ||
          callee?.kind !== "handler" ||
          arg === undefined ||
          extra.length > 0 ||
          !this.#isStateExpression(arg, scope)
        ) {
          this.#bag.add(
            locationOf(element),
            "each element of a fan-out is a handler called with the state",
            hint,
          );
          continue;
        }
        handlers.push(this.#renamed(callee.ref, statement));
      }
      source = { kind: "all", handlers };
    } else if (
      argument !== undefined &&
      ts.isCallExpression(argument) &&
      ts.isPropertyAccessExpression(argument.expression) &&
      argument.expression.name.text === "map" &&
      argument.arguments.length === 1
    ) {
      const handler = this.#mappedHandler(argument.arguments[0] as TS.Expression);
      const items = this.#expression(argument.expression.expression, scope);
      if (handler === undefined) {
        this.#bag.add(locationOf(argument), "a fan-out maps each item through exactly one handler", hint);
      } else if (items !== undefined) {
        source = { kind: "map", items, handler: this.#renamed(handler, statement) };
      }
    } else {
      this.#bag.add(loc, "this Promise.all is not a fan-out the compiler understands", hint);
    }
    return source === undefined ? [] : [{ kind: "fan-out", pointer, source, text: statement.getText(), loc }];
  }

  /** `(i) => h(i)`, `async (i) => await h(i)`, `(i) => { return h(i); }` or `h`. */
  #mappedHandler(fn: TS.Expression): HandlerRef | undefined {
    const direct = this.#callee(fn);
    if (direct.kind === "handler") return direct.ref;
    if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters.length !== 1)
      return undefined;
    const param = fn.parameters[0]?.name;
    if (param === undefined || !ts.isIdentifier(param)) return undefined;
    let body: TS.Node = fn.body;
    if (ts.isBlock(body)) {
      const only = body.statements[0];
      if (
        body.statements.length !== 1 ||
        only === undefined ||
        !ts.isReturnStatement(only) ||
        !only.expression
      ) {
        return undefined;
      }
      body = only.expression;
    }
    const call = asCall(body as TS.Expression);
    if (call === undefined || call.arguments.length !== 1) return undefined;
    const arg = skipParens(call.arguments[0] as TS.Expression);
    if (!ts.isIdentifier(arg) || arg.text !== param.text) return undefined;
    const callee = this.#callee(call.expression);
    return callee.kind === "handler" ? callee.ref : undefined;
  }

  /** `p.a.b` / `p["a"]` -> `/a/b`; `undefined` unless a property path of the state. */
  #pointer(target: TS.Expression, scope: Scope): string | undefined {
    const segments: string[] = [];
    let node: TS.Expression = skipParens(target);
    while (!ts.isIdentifier(node)) {
      if (ts.isPropertyAccessExpression(node)) segments.unshift(node.name.text);
      else if (
        ts.isElementAccessExpression(node) &&
        (ts.isStringLiteral(node.argumentExpression) || ts.isNumericLiteral(node.argumentExpression))
      ) {
        segments.unshift(node.argumentExpression.text);
      } else return undefined;
      node = skipParens(node.expression);
    }
    if (!this.#isState(node, scope) || segments.length === 0) return undefined;
    return segments.map((s) => `/${s.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
  }

  #expression(node: TS.Expression, scope: Scope): RouterCode | undefined {
    return this.#code(node, scope, `(${node.getText()});`, undefined, true);
  }

  /** Router code: checked to read only the state, then stripped of types. */
  #code(
    node: TS.Node,
    scope: Scope,
    text: string,
    loc: SourceLocation = locationOf(node),
    expression = false,
  ): RouterCode | undefined {
    if (!this.#checkPure(node, scope)) return undefined;
    // Most router code is plain JavaScript already; only code with type syntax is transpiled.
    let js = hasTypeSyntax(node) ? stripTypes(text) : text;
    if (expression) js = js.replace(/;$/, "");
    return { js, param: scope.param, source: expression ? node.getText() : text, loc };
  }

  /** Whether `node` runs no actor and leaves no loop: then it is router code as a whole. */
  #isPlainCode(node: TS.Node): boolean {
    let plain = true;
    const visit = (n: TS.Node, loops: number, functions: number): void => {
      if (!plain) return;
      if (ts.isAwaitExpression(n) && functions === 0) plain = false;
      else if (ts.isReturnStatement(n) && functions === 0) plain = false;
      else if ((ts.isBreakStatement(n) || ts.isContinueStatement(n)) && loops === 0 && functions === 0) {
        // A break of a switch inside this node is local; one of an enclosing loop is control flow.
        if (!(ts.isBreakStatement(n) && insideSwitch(n, node))) plain = false;
      } else if (ts.isCallExpression(n)) {
        const kind = this.#callee(n.expression).kind;
        if (kind === "handler" || kind === "flow" || kind === "pause") plain = false;
      }
      const isLoop = ts.isIterationStatement(n, false);
      const isFunction = ts.isFunctionLike(n);
      ts.forEachChild(n, (child) => visit(child, loops + (isLoop ? 1 : 0), functions + (isFunction ? 1 : 0)));
    };
    visit(node, 0, 0);
    return plain;
  }

  /** Router code may read the state, its own locals and pure globals, nothing else. */
  #checkPure(node: TS.Node, scope: Scope): boolean {
    let pure = true;
    const fail = (at: TS.Node, message: string, hint?: string) => {
      pure = false;
      this.#bag.add(locationOf(at), message, hint);
    };
    const visit = (n: TS.Node): void => {
      if (ts.isTypeNode(n)) return;
      if (ts.isAwaitExpression(n) || ts.isYieldExpression(n)) {
        fail(
          n,
          "await is for handler calls only",
          `write ${scope.param} = await handler(${scope.param}) as its own statement`,
        );
        return;
      }
      if (n.kind === ts.SyntaxKind.ThisKeyword) fail(n, "a flow has no this");
      if (ts.isCallExpression(n)) {
        const callee = this.#callee(n.expression);
        if (callee.kind === "handler" || callee.kind === "flow" || callee.kind === "pause") {
          fail(
            n,
            "a handler call nested in an expression is not an actor",
            `call it as its own statement: ${scope.param} = await ${n.expression.getText()}(${scope.param})`,
          );
          return;
        }
        if (callee.kind === "local") {
          fail(
            n,
            `${callee.name} is a local function: routers cannot call it`,
            "export it from a module (then it is a handler) or inline it",
          );
          return;
        }
      }
      if (ts.isPropertyAccessExpression(n) && n.getText().replace(/\s/g, "") === "Math.random") {
        fail(
          n,
          "Math.random makes a router nondeterministic",
          "draw the number in a handler and put it in the state",
        );
        return;
      }
      if (ts.isIdentifier(n) && isReference(n)) this.#checkIdentifier(n, node, scope, fail);
      ts.forEachChild(n, visit);
    };
    visit(node);
    return pure;
  }

  #checkIdentifier(
    id: TS.Identifier,
    within: TS.Node,
    scope: Scope,
    fail: (at: TS.Node, message: string, hint?: string) => void,
  ): void {
    const symbol = ts.isShorthandPropertyAssignment(id.parent)
      ? this.#checker.getShorthandAssignmentValueSymbol(id.parent)
      : this.#checker.getSymbolAtLocation(id);
    if (symbol === undefined) return; // TypeScript reports unknown names itself.
    if (symbol === scope.state) return;
    const declarations = symbol.declarations ?? [];
    if (declarations.length === 0 && FREE_NAMES.has(id.text)) return;
    const source = within.getSourceFile();
    if (
      declarations.some(
        (d) =>
          d.getSourceFile() === source && d.getStart() >= within.getStart() && d.getEnd() <= within.getEnd(),
      )
    ) {
      return;
    }
    if (
      declarations.length > 0 &&
      declarations.every((d) => this.#program.isSourceFileDefaultLibrary(d.getSourceFile()))
    ) {
      if (BANNED_GLOBALS.has(id.text)) {
        fail(
          id,
          `${id.text} makes a router nondeterministic`,
          "compute it in a handler and put it in the state",
        );
      }
      return;
    }
    if (FREE_NAMES.has(id.text)) return;
    fail(
      id,
      `${id.text} is not the state: router code runs in its own process and can only read ${scope.param}`,
      `put the value in the state first, or write it inline`,
    );
  }

  /** Whether `block` gives the state a new value (a handler call, an inlined flow, `p = ...`). */
  #rebindsState(block: TS.Block, scope: Scope): boolean {
    let rebinds = false;
    const visit = (n: TS.Node): void => {
      if (rebinds) return;
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isIdentifier(skipParens(n.left)) &&
        this.#isState(skipParens(n.left) as TS.Identifier, scope)
      ) {
        rebinds = true;
      }
      ts.forEachChild(n, visit);
    };
    visit(block);
    return rebinds;
  }

  #isReferenced(variable: TS.VariableDeclaration, block: TS.Block): boolean {
    const symbol = this.#checker.getSymbolAtLocation(variable.name);
    let used = false;
    const visit = (n: TS.Node): void => {
      if (used) return;
      if (ts.isIdentifier(n) && this.#checker.getSymbolAtLocation(n) === symbol) used = true;
      ts.forEachChild(n, visit);
    };
    visit(block);
    return used;
  }

  #isState(id: TS.Identifier, scope: Scope): boolean {
    return this.#checker.getSymbolAtLocation(id) === scope.state;
  }

  #isStateExpression(node: TS.Expression, scope: Scope): boolean {
    const inner = skipParens(node);
    return ts.isIdentifier(inner) && this.#isState(inner, scope);
  }

  /** `"flow"` / `"pause"` when `callee` is that export of @asya/flow. */
  #flowImport(callee: TS.Expression): "flow" | "pause" | undefined {
    let symbol = this.#checker.getSymbolAtLocation(callee);
    if (symbol === undefined) return undefined;
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = this.#checker.getAliasedSymbol(symbol);
    const declaration = symbol.declarations?.[0];
    if (declaration === undefined) return undefined;
    const file = declaration.getSourceFile().fileName;
    if (!/[\\/](flow-marker|pause)\.(d\.)?ts$/.test(file) && !file.includes(`${FLOW_MODULE}/`))
      return undefined;
    return symbol.name === "flow" || symbol.name === "pause" ? symbol.name : undefined;
  }

  #callee(expression: TS.Expression): Callee {
    const callee = skipParens(expression);
    const marker = this.#flowImport(callee);
    if (marker === "pause") return { kind: "pause" };
    if (marker === "flow") return { kind: "marker" };
    const symbol = this.#checker.getSymbolAtLocation(callee);
    if (symbol === undefined) return { kind: "code" };
    const target = symbol.flags & ts.SymbolFlags.Alias ? this.#checker.getAliasedSymbol(symbol) : symbol;
    const declaration = target.declarations?.[0];
    if (declaration === undefined || this.#program.isSourceFileDefaultLibrary(declaration.getSourceFile())) {
      return { kind: "code" };
    }
    if (ts.isVariableDeclaration(declaration)) {
      const definition = this.#definitionOf(declaration);
      if (definition !== undefined) return { kind: "flow", definition };
    }
    // A flow's function calling itself by its own name.
    if (
      (ts.isFunctionExpression(declaration) || ts.isArrowFunction(declaration)) &&
      ts.isCallExpression(declaration.parent) &&
      this.#flowImport(declaration.parent.expression) === "flow"
    ) {
      const call = declaration.parent;
      const definition = ts.isVariableDeclaration(call.parent) ? this.#definitionOf(call.parent) : undefined;
      const name = ts.isFunctionExpression(declaration) ? (declaration.name?.text ?? "flow") : "flow";
      return {
        kind: "flow",
        definition: definition ?? { call, fn: declaration, exportName: "default", name: kebabName(name) },
      };
    }
    if (!isFunctionDeclaration(declaration)) return { kind: "code" };
    const imported = this.#importOf(symbol, callee);
    if (imported !== undefined) {
      return {
        kind: "handler",
        ref: {
          ...imported,
          actor: kebabName(
            imported.exportName === "default"
              ? basename(imported.moduleFile).replace(/\.[^.]+$/, "")
              : imported.exportName,
          ),
        },
      };
    }
    const file = declaration.getSourceFile();
    const name = target.name;
    const exported = this.#checker
      .getExportsOfModule(this.#checker.getSymbolAtLocation(file) ?? target)
      .some((e) => e.name === name);
    if (!exported) return { kind: "local", name };
    return { kind: "handler", ref: { exportName: name, moduleFile: file.fileName, actor: kebabName(name) } };
  }

  /** The module and export name an imported handler comes from, as `asya run` would import it. */
  #importOf(symbol: TS.Symbol, callee: TS.Expression): Omit<HandlerRef, "actor"> | undefined {
    const declaration = symbol.declarations?.[0];
    let exportName: string | undefined;
    let importDeclaration: TS.ImportDeclaration | TS.JSDocImportTag | undefined;
    if (declaration !== undefined && ts.isImportSpecifier(declaration)) {
      exportName = (declaration.propertyName ?? declaration.name).text;
      importDeclaration = declaration.parent.parent.parent;
    } else if (declaration !== undefined && ts.isImportClause(declaration)) {
      exportName = "default";
      importDeclaration = declaration.parent;
    } else if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
      const namespace = this.#checker.getSymbolAtLocation(callee.expression)?.declarations?.[0];
      if (namespace !== undefined && ts.isNamespaceImport(namespace)) {
        exportName = callee.name.text;
        importDeclaration = namespace.parent.parent;
      }
    }
    if (exportName === undefined || importDeclaration === undefined) return undefined;
    const module = this.#checker.getSymbolAtLocation(importDeclaration.moduleSpecifier);
    const file = module?.valueDeclaration?.getSourceFile().fileName;
    if (file === undefined) return undefined;
    const specifier = ts.isStringLiteral(importDeclaration.moduleSpecifier)
      ? importDeclaration.moduleSpecifier.text
      : "";
    const isFile = specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("file:");
    return { exportName, moduleFile: file, ...(isFile ? {} : { packageName: specifier }) };
  }
}

function isFunctionDeclaration(node: TS.Declaration): boolean {
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) return true;
  if (ts.isVariableDeclaration(node) && node.initializer !== undefined) {
    const init = skipParens(node.initializer);
    return ts.isArrowFunction(init) || ts.isFunctionExpression(init);
  }
  return ts.isVariableDeclaration(node); // declared (a .d.ts const of a function type)
}

/** Whether `node` holds TypeScript-only syntax (annotations, `as`, `!`, `satisfies`, type arguments). */
function hasTypeSyntax(node: TS.Node): boolean {
  if (
    ts.isTypeNode(node) ||
    ts.isAsExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isTypeAssertionExpression(node)
  ) {
    return true;
  }
  return ts.forEachChild(node, (child) => (hasTypeSyntax(child) ? true : undefined)) === true;
}

function skipParens(node: TS.Expression): TS.Expression {
  let current = node;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isNonNullExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/** The call in `h(x)` or `await h(x)`. */
function asCall(node: TS.Expression): TS.CallExpression | undefined {
  let current = skipParens(node);
  if (ts.isAwaitExpression(current)) current = skipParens(current.expression);
  return ts.isCallExpression(current) ? current : undefined;
}

function isPromiseAll(call: TS.CallExpression, checker: TS.TypeChecker): boolean {
  const callee = skipParens(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "all") return false;
  if (!ts.isIdentifier(callee.expression) || callee.expression.text !== "Promise") return false;
  const declaration = checker.getSymbolAtLocation(callee.expression)?.declarations?.[0];
  return declaration === undefined || declaration.getSourceFile().isDeclarationFile;
}

/** Identifiers that name a value (not a property name, a label or a declaration's own name). */
function isReference(id: TS.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if (ts.isPropertyAssignment(parent) && parent.name === id) return false;
  if (ts.isMethodDeclaration(parent) && parent.name === id) return false;
  if (
    (ts.isBreakStatement(parent) || ts.isContinueStatement(parent) || ts.isLabeledStatement(parent)) &&
    parent.label === id
  )
    return false;
  if (ts.isQualifiedName(parent)) return false;
  return true;
}

/** The return statements of `block` outside nested functions. */
function returnsIn(block: TS.Node): TS.ReturnStatement[] {
  const found: TS.ReturnStatement[] = [];
  const visit = (n: TS.Node): void => {
    if (ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n)) found.push(n);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(block, visit);
  return found;
}

function insideSwitch(node: TS.Node, root: TS.Node): boolean {
  for (
    let current = node.parent;
    current !== undefined && current !== root.parent;
    current = current.parent
  ) {
    if (ts.isSwitchStatement(current)) return true;
    if (current === root) break;
  }
  return false;
}

function firstDeclaredName(statement: TS.VariableStatement): string | undefined {
  const name = statement.declarationList.declarations[0]?.name;
  return name !== undefined && ts.isIdentifier(name) ? name.text : undefined;
}
