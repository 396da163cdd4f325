/**
 * A call's fire-and-forget ops, by name: `log` (a line in the engine's
 * log, redacted and cut to length) and `progress` (forwarded to the caller,
 * redacted). At most {@linkcode MAX_NOTES_PER_CALL} of each are kept per
 * call (a flood must not fill the disk); other ops are ignored.
 *
 * @module
 */
import type { DispatchContext } from "./dispatch_context.ts";

/** Longest log message kept from a skill. */
const MAX_LOG_CHARS = 2000;

/** Log lines and progress reports kept per call; more are dropped. */
const MAX_NOTES_PER_CALL = 500;

/** The `log` and `progress` notes of one call. */
export class DispatchNotes {
  #context: DispatchContext;
  #logs = 0;
  #reports = 0;

  /** @param context the call (its log, credentials and progress sink) */
  constructor(context: DispatchContext) {
    this.#context = context;
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

  #progress(params: Record<string, unknown>): void {
    if (++this.#reports > MAX_NOTES_PER_CALL) return;
    this.#context.onProgress?.(
      this.#context.credentials.redactValue(params) as Record<string, unknown>,
    );
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
