/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: Record<LogLevel, number> = {
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
};

/** Options for {@linkcode Logger}. */
export interface LoggerOptions {
  /** Lowest level written. */
  level?: LogLevel;
  /** Rotate when the file grows past this many bytes. */
  maxBytes?: number;
  /** Rotated files kept (`engine.log.1` … `.N`). */
  keep?: number;
  /** Also writes each line here (the foreground engine echoes to stderr). */
  echo?: (line: string) => void;
  /** The clock, a seam for tests. */
  now?: () => Date;
}

const encoder = new TextEncoder();

/**
 * The four level methods, written once over {@linkcode LevelLog.write}:
 * the engine's {@linkcode Logger} and the MCP proxy's log both offer them.
 */
export abstract class LevelLog {
  /** Writes one line at `level` (or drops it, as the log decides). */
  protected abstract write(
    level: LogLevel,
    message: string,
    fields?: Record<string, unknown>,
  ): void;

  /** Logs at debug level. */
  debug(message: string, fields?: Record<string, unknown>): void {
    this.write("debug", message, fields);
  }

  /** Logs at info level. */
  info(message: string, fields?: Record<string, unknown>): void {
    this.write("info", message, fields);
  }

  /** Logs at warn level. */
  warn(message: string, fields?: Record<string, unknown>): void {
    this.write("warn", message, fields);
  }

  /** Logs at error level. */
  error(message: string, fields?: Record<string, unknown>): void {
    this.write("error", message, fields);
  }
}

/**
 * A line-oriented log file with timestamps and levels, rotated by size so a
 * long-lived engine cannot fill the disk: at most `(keep + 1) × maxBytes`.
 * Writes are synchronous appends, so the last lines before a crash are kept.
 */
export class Logger extends LevelLog {
  #path: string;
  #file: Deno.FsFile | undefined;
  #size = 0;
  #dropped = 0;
  #options: Required<Omit<LoggerOptions, "echo">> & Pick<LoggerOptions, "echo">;

  /**
   * @param path the log file, created with mode 0600 when missing
   * @param options level, rotation and echo
   */
  constructor(path: string, options: LoggerOptions = {}) {
    super();
    this.#path = path;
    this.#options = {
      level: "info",
      maxBytes: 5 * 1024 * 1024,
      keep: 3,
      now: () => new Date(),
      ...options,
    };
    this.#open();
  }

  /** Closes the file. Later writes are dropped. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }

  #open(): void {
    this.#file = Deno.openSync(this.#path, {
      append: true,
      create: true,
      mode: 0o600,
    });
    this.#size = this.#file.statSync().size;
  }

  /** Formats the line, rotates past `maxBytes`, and appends it. */
  protected override write(
    level: LogLevel,
    message: string,
    fields?: Record<string, unknown>,
  ): void {
    if (LEVELS[level] < LEVELS[this.#options.level] || !this.#file) return;
    let line = `${this.#options.now().toISOString()} ${
      level.toUpperCase().padEnd(5)
    } ${oneLine(message)}`;
    for (const [key, value] of Object.entries(fields ?? {})) {
      line += ` ${key}=${formatField(value)}`;
    }
    const bytes = encoder.encode(line + "\n");
    this.#options.echo?.(line);
    // A full or read-only disk must not turn logging into a crash: the line
    // is dropped, and the next one that fits says how many were lost.
    try {
      if (
        this.#size + bytes.length > this.#options.maxBytes && this.#size > 0
      ) {
        this.#rotate();
      }
      if (this.#dropped > 0) {
        const note = encoder.encode(
          `${this.#options.now().toISOString()} WARN  ${this.#dropped} log lines lost (disk full or read-only)\n`,
        );
        this.#file!.writeSync(note);
        this.#size += note.length;
        this.#dropped = 0;
      }
      this.#file!.writeSync(bytes);
      this.#size += bytes.length;
    } catch {
      this.#dropped++;
    }
  }

  #rotate(): void {
    this.#file?.close();
    const { keep } = this.#options;
    for (let n = keep - 1; n >= 1; n--) {
      try {
        Deno.renameSync(`${this.#path}.${n}`, `${this.#path}.${n + 1}`);
      } catch {
        // That generation does not exist yet.
      }
    }
    try {
      if (keep > 0) Deno.renameSync(this.#path, `${this.#path}.1`);
      else Deno.removeSync(this.#path);
    } finally {
      this.#open();
    }
  }
}

function oneLine(text: string): string {
  return text.replaceAll(/[\r\n]+/g, " ⏎ ");
}

function formatField(value: unknown): string {
  if (value instanceof Error) {
    return JSON.stringify(oneLine(value.stack ?? value.message));
  }
  if (typeof value === "string") {
    return /^[\w./:@+-]+$/.test(value) ? value : JSON.stringify(value);
  }
  return JSON.stringify(value) ?? String(value);
}
