/**
 * A call's fire-and-forget ops, by name: `log` (a line in the engine's
 * log, redacted and cut to length) and `progress` (forwarded to the caller,
 * redacted, off the main thread when large). At most {@linkcode MAX_NOTES_PER_CALL} of each are kept per
 * call (a flood must not fill the disk); other ops are ignored.
 *
 * @module
 */
import type { DispatchContext } from "./dispatch_context.ts";

/** Longest log message kept from a skill. */
export const MAX_LOG_CHARS = 2000;

/** Log lines and progress reports kept per call; more are dropped. */
const MAX_NOTES_PER_CALL = 500;

/** The `log` and `progress` notes of one call. */
export class DispatchNotes {
  #context: DispatchContext;
  #logs = 0;
  #reports = 0;
  /** The progress reports forwarded so far, in order. */
  #forwarded: Promise<void> = Promise.resolve();

  /** @param context the call (its log, credentials and progress sink) */
  constructor(context: DispatchContext) {
    this.#context = context;
  }

  /** Resolves once every progress report taken so far is forwarded or dropped. */
  async flushed(): Promise<void> {
    await this.#forwarded;
  }

  /**
   * Takes one note; an op that is not a note is ignored.
   *
   * @param op `log` or `progress`
   * @param params the note
   */
  take(op: string, params: Record<string, unknown>): void {
    if (op === "log") this.#log(params);
    else if (op === "progress") this.#progress(params);
  }

  #log(params: Record<string, unknown>): void {
    const { log, callId, skill, tool, credentials } = this.#context;
    if (++this.#logs > MAX_NOTES_PER_CALL) {
      if (this.#logs === MAX_NOTES_PER_CALL + 1) {
        log.warn("Skill log lines dropped", {
          callId,
          skill: skill.id,
          tool,
          reason: `more than ${MAX_NOTES_PER_CALL} in one call`,
        });
      }
      return;
    }
    log[logLevel(params.level)]("Skill log", {
      callId,
      skill: skill.id,
      tool,
      message: credentials.redact(
        String(params.message ?? "").slice(0, MAX_LOG_CHARS),
      ),
    });
  }

  /**
   * Forwards a report redacted: inline when small, on the guard workers
   * within the call's budget when large (a report can be as long as a
   * worker line), in the order sent; one that cannot be redacted there is
   * dropped, never forwarded as it is.
   */
  #progress(params: Record<string, unknown>): void {
    if (++this.#reports > MAX_NOTES_PER_CALL) return;
    const { onProgress, credentials, http } = this.#context;
    if (!onProgress) return;
    this.#forwarded = this.#forwarded.then(async () => {
      const [redacted] = await credentials.redactValuesOffThread(
        [params],
        http.offThreadGuard(),
      );
      onProgress(redacted as Record<string, unknown>);
    }).catch(() => {});
  }
}

/** The engine's log level for a skill's (Python's names accepted). */
function logLevel(level: unknown): "error" | "warn" | "debug" | "info" {
  return level === "error"
    ? "error"
    : level === "warning" || level === "warn"
    ? "warn"
    : level === "debug"
    ? "debug"
    : "info";
}
