import type { AuditEntry } from "../audit/mod.ts";
import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type { CallCredentials } from "./credentials/mod.ts";
import type { HttpTrace } from "./http/mod.ts";
import { auditTarget, serve } from "./serve_op.ts";
import type { DispatchContext } from "./dispatch_context.ts";

/** Serves the worker's side effects during a call. */
export interface DispatchHandler {
  /** An op that wants an answer; throw an `RpcError` to refuse it. */
  dispatch(op: string, params: Record<string, unknown>): Promise<unknown>;
  /** A fire-and-forget op (`log`, `progress`). */
  notify(op: string, params: Record<string, unknown>): void;
}

/** A call's dispatch handler, with the end of the call to report. */
export interface CallDispatchHandler extends DispatchHandler {
  /** The call ended: writes the summary line of ops past the per-call cap. */
  finish(): void;
}

/** Longest log message kept from a skill. */
const MAX_LOG_CHARS = 2000;

/** Log lines and progress reports kept per call; more are dropped (a flood must not fill the disk). */
const MAX_NOTES_PER_CALL = 500;

/**
 * Audit lines written per call; past it, ops are counted and summed up in
 * one line when the call ends (a skill looping on refused ops wrote 50,000
 * lines in 3 s).
 */
export const MAX_AUDIT_LINES_PER_CALL = 1000;

/**
 * Serves one call's dispatches: `http.request` through the HTTP broker,
 * `secrets.read`, `sql.query` and `capability.call` through theirs, `log`
 * and `progress` (fire-and-forget), and a clear refusal for every other op.
 * Every answered op — served, refused or failed — writes one audit line
 * (before the skill gets the answer), up to
 * {@linkcode MAX_AUDIT_LINES_PER_CALL}; the rest are counted by op and
 * status into one summary line written by `finish()`.
 *
 * @param context the call
 * @returns the handler for {@linkcode WorkerProcess.run}
 */
export function dispatchHandler(
  context: DispatchContext,
): CallDispatchHandler {
  const { skill, tool, callId, log, credentials } = context;
  let logs = 0;
  let reports = 0;
  let lines = 0;
  const over = new Map<string, number>();
  const audit = (entry: AuditEntry) => {
    if (++lines <= MAX_AUDIT_LINES_PER_CALL) {
      context.audit?.append(entry);
      return;
    }
    const key = `${entry.op} ${entry.status}`;
    over.set(key, (over.get(key) ?? 0) + 1);
  };
  return {
    finish() {
      if (over.size === 0) return;
      const counts: Record<string, string> = {};
      for (const [key, n] of [...over].slice(0, 50)) counts[key] = String(n);
      context.audit?.append({
        call: callId,
        skill: skill.id,
        tool,
        op: "audit.summary",
        status: "ok",
        checks: counts,
        reason: `${
          lines - MAX_AUDIT_LINES_PER_CALL
        } more ops in this call past ${MAX_AUDIT_LINES_PER_CALL} lines, counted by op and status`,
      });
      over.clear();
    },
    async dispatch(op, params) {
      const started = performance.now();
      const trace: HttpTrace = { checks: {}, bytesIn: 0, bytesOut: 0 };
      const base = {
        call: callId,
        skill: skill.id,
        tool,
        op: op.slice(0, 100),
      };
      try {
        const served = await serve(context, op, params, trace);
        audit({
          ...base,
          target: served.target,
          status: "ok",
          checks: served.checks,
          bytesIn: served.bytesIn ?? 0,
          bytesOut: served.bytesOut ?? 0,
          ms: Math.round(performance.now() - started),
        });
        return served.value;
      } catch (error) {
        const wire = error instanceof RpcError ? error : new RpcError(
          ErrorCode.InternalError,
          `${op.slice(0, 100)} failed inside the engine; see logs/engine.log`,
        );
        if (!(error instanceof RpcError)) {
          log.error("Brokered op failed", {
            callId,
            skill: skill.id,
            op,
            error,
          });
        }
        const data = isObject(wire.data) ? wire.data : {};
        const checks = { ...trace.checks };
        if (typeof data.check === "string") checks[data.check] = "refused";
        const refused = wire.code === ErrorCode.Forbidden ||
          data.check === "replay";
        audit({
          ...base,
          target: trace.target ?? auditTarget(op, params),
          status: refused ? "refused" : "failed",
          checks,
          bytesIn: trace.bytesIn,
          bytesOut: trace.bytesOut,
          ms: Math.round(performance.now() - started),
          reason: auditReason(wire.message, credentials),
        });
        throw new RpcError(
          wire.code,
          credentials.redact(wire.message),
          credentials.redactValue(wire.data),
        );
      }
    },
    notify(op, params) {
      if (op === "log") {
        if (++logs > MAX_NOTES_PER_CALL) {
          if (logs === MAX_NOTES_PER_CALL + 1) {
            log.warn("Skill log lines dropped", {
              callId,
              skill: skill.id,
              tool,
              reason: `more than ${MAX_NOTES_PER_CALL} in one call`,
            });
          }
          return;
        }
        const level = params.level === "error"
          ? "error"
          : params.level === "warning" || params.level === "warn"
          ? "warn"
          : params.level === "debug"
          ? "debug"
          : "info";
        log[level]("Skill log", {
          callId,
          skill: skill.id,
          tool,
          message: credentials.redact(
            String(params.message ?? "").slice(0, MAX_LOG_CHARS),
          ),
        });
      } else if (op === "progress" && ++reports <= MAX_NOTES_PER_CALL) {
        context.onProgress?.(
          credentials.redactValue(params) as Record<string, unknown>,
        );
      }
    },
  };
}

/**
 * A refusal or failure as the audit keeps it: no credential, no URL query.
 *
 * @param message the error's message
 * @param credentials the call's credentials
 * @returns a short reason
 */
export function auditReason(
  message: string,
  credentials?: CallCredentials,
): string {
  const text = credentials ? credentials.redact(message) : message;
  return text.replace(/\?[^\s"')]*/g, "?…").slice(0, 500);
}
