import { LevelLog, Logger, type LogLevel } from "../engine/mod.ts";

/** Options for {@linkcode McpLog}. */
export interface McpLogOptions {
  /** Lowest level written (default `info`). */
  level?: LogLevel;
  /** Rotate past this many bytes (default 5 MiB). */
  maxBytes?: number;
  /** Receives lines that cannot go to the file (default: stderr). */
  fallback?: (line: string) => void;
}

/** Lines kept in memory while the log directory does not exist yet. */
const MAX_BUFFERED = 1000;

/**
 * The proxy's log, `logs/mcp.log`: never stdout, which belongs to the
 * protocol. The proxy may start before any engine has created the home, so
 * lines are buffered until {@linkcode McpLog.open} finds `logs/`. One rotated
 * generation (`mcp.log.1`) is kept: the proxy's write permission names
 * exactly those two files, so it can never write anywhere else.
 */
export class McpLog extends LevelLog {
  #path: string;
  #options: McpLogOptions;
  #logger: Logger | undefined;
  #buffer: [LogLevel, string, Record<string, unknown> | undefined, Date][] = [];
  #dropped = 0;
  #broken = false;

  /**
   * @param path the log file, e.g. `~/.agentos/logs/mcp.log`
   * @param options level, rotation and fallback
   */
  constructor(path: string, options: McpLogOptions = {}) {
    super();
    this.#path = path;
    this.#options = options;
    this.open();
  }

  /** The log file's path. */
  get path(): string {
    return this.#path;
  }

  /**
   * Opens the file if it is not open yet (its directory may have appeared
   * since) and writes what was buffered.
   *
   * @returns whether the file is open
   */
  open(): boolean {
    if (this.#logger || this.#broken) return this.#logger !== undefined;
    try {
      this.#logger = new Logger(this.#path, {
        level: this.#options.level,
        maxBytes: this.#options.maxBytes,
        keep: 1,
      });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      // Permission or I/O trouble: say so once where someone may see it.
      this.#broken = true;
      this.#fallback(
        `agentos-mcp: cannot write "${this.#path}": ${
          (error as Error).message
        }`,
      );
      return false;
    }
    if (this.#dropped > 0) {
      this.#logger.warn("Log lines dropped before logs/ existed", {
        dropped: this.#dropped,
      });
    }
    for (const [level, message, fields, at] of this.#buffer.splice(0)) {
      // Written later than it happened: keep the original time.
      this.#logger[level](message, { ...fields, at: at.toISOString() });
    }
    return true;
  }

  /** Closes the file; later lines are dropped. */
  close(): void {
    this.#logger?.close();
    this.#logger = undefined;
    this.#broken = true;
  }

  /** Writes to the file, or buffers until it opens, or falls back. */
  protected override write(
    level: LogLevel,
    message: string,
    fields?: Record<string, unknown>,
  ): void {
    if (!this.#logger && !this.open()) {
      if (this.#broken) {
        if (level === "warn" || level === "error") {
          this.#fallback(`agentos-mcp: ${level} ${message}`);
        }
        return;
      }
      if (this.#buffer.length >= MAX_BUFFERED) this.#dropped++;
      else this.#buffer.push([level, message, fields, new Date()]);
      return;
    }
    try {
      this.#logger![level](message, fields);
    } catch (error) {
      // A full disk must not take the protocol down with it.
      this.#logger = undefined;
      this.#broken = true;
      this.#fallback(
        `agentos-mcp: writing "${this.#path}" failed: ${
          (error as Error).message
        }`,
      );
    }
  }

  #fallback(line: string): void {
    if (this.#options.fallback) this.#options.fallback(line);
    // deno-lint-ignore no-console
    else console.error(line);
  }
}
