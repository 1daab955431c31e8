/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Structured fields of a log line. Never put payloads or credentials here. */
export type LogFields = Readonly<Record<string, unknown>>;

/** The logger the runtime writes to (pino-compatible method shape: `logger.info(fields, msg)` is NOT used). */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** @default "info" */
  readonly level?: LogLevel;
  /** Where lines go. @default process.stderr */
  readonly write?: (line: string) => void;
  /** Fields on every line. */
  readonly fields?: LogFields;
}

/**
 * A small structured logger: one JSON object per line with `time`, `level`, `msg` and the bound
 * fields (`actor`, `envelope_id`, `trace_id`, ...).
 *
 * @example createJsonLogger({ level: "debug" }).child({ actor: "clean" }).info("started")
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const make = (bound: LogFields): Logger => {
    const log = (level: Exclude<LogLevel, "silent">, message: string, fields?: LogFields): void => {
      if (LEVELS[level] < threshold) return;
      const line: Record<string, unknown> = { time: new Date().toISOString(), level, msg: message };
      Object.assign(line, bound, fields);
      if (line.err instanceof Error) line.err = serializeError(line.err);
      write(safeStringify(line));
    };
    return {
      debug: (message, fields) => log("debug", message, fields),
      info: (message, fields) => log("info", message, fields),
      warn: (message, fields) => log("warn", message, fields),
      error: (message, fields) => log("error", message, fields),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make(options.fields ?? {});
}

/** A logger that drops everything. */
export const silentLogger: Logger = createJsonLogger({ level: "silent" });

function serializeError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return { type: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? String(item) : item));
  } catch {
    return JSON.stringify({ level: "error", msg: "unserializable log line" });
  }
}

/**
 * A child of `base` whose fields are computed, and the child created, only when a line is actually
 * logged: the message path binds envelope fields to every message, and most messages log nothing.
 */
export function lazyChild(base: Logger, fields: () => LogFields): Logger {
  return new LazyChild(base, fields);
}

class LazyChild implements Logger {
  #base: Logger;
  #fields: () => LogFields;
  #child: Logger | undefined;

  constructor(base: Logger, fields: () => LogFields) {
    this.#base = base;
    this.#fields = fields;
  }

  #get(): Logger {
    this.#child ??= this.#base.child(this.#fields());
    return this.#child;
  }

  debug(message: string, fields?: LogFields): void {
    this.#get().debug(message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.#get().info(message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.#get().warn(message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.#get().error(message, fields);
  }

  child(fields: LogFields): Logger {
    return this.#get().child(fields);
  }
}
