/**
 * One call's dispatch handler: each op a worker dispatches is served
 * (`serve_op.ts`: the op's server checks what the skill declared, its
 * broker the owner's grants), audited within the call's audit budget
 * (`dispatch_audit.ts`), and answered redacted of the call's credentials;
 * `log` and `progress` are notes (`dispatch_notes.ts`).
 *
 * @module
 */
import type { AuditEntry } from "../audit/mod.ts";
import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import { credentialRefusalOf, grantNeedOf } from "../grants/mod.ts";
import type { HttpTrace } from "./http/mod.ts";
import { auditTarget, serve } from "./serve_op.ts";
import type { DispatchContext, Served } from "./dispatch_context.ts";
import { auditReason, DispatchAudit } from "./dispatch_audit.ts";
import { DispatchNotes } from "./dispatch_notes.ts";

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
  finish(): Promise<void>;
}

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
  const audit = new DispatchAudit(context);
  const notes = new DispatchNotes(context);
  return {
    finish: async () => {
      audit.finish();
      // Progress reports are redacted off the main thread, in order: the
      // caller has every one before the call's answer.
      await notes.flushed();
    },
    dispatch: (op, params) => dispatchOp(context, audit, op, params),
    notify: (op, params) => notes.take(op, params),
  };
}

/** One answered op: served, audited, answered; or refused, audited, thrown redacted. */
async function dispatchOp(
  context: DispatchContext,
  audit: DispatchAudit,
  op: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const started = performance.now();
  const trace: HttpTrace = { checks: {}, bytesIn: 0, bytesOut: 0 };
  const line = opLine(context, op, params, started);
  try {
    const served = await serve(context, op, params, trace);
    audit.append(servedLine(line, served));
    return served.value;
  } catch (error) {
    const wire = wireError(context, op, error);
    audit.append(refusedLine(line, wire, trace));
    // Only the engine's own refusal object carries one (grant_need.ts).
    const need = grantNeedOf(error);
    if (need) context.onGrantNeed?.(need);
    const refusal = credentialRefusalOf(error);
    if (refusal) context.onCredentialRefusal?.(refusal);
    const { credentials } = context;
    throw new RpcError(
      wire.code,
      credentials.redact(wire.message),
      credentials.redactValue(wire.data),
    );
  }
}

/** One op, as its audit line is written: what every line names, and when it started. */
interface OpLine {
  base: Pick<AuditEntry, "call" | "skill" | "tool" | "op">;
  started: number;
  context: DispatchContext;
  op: string;
  params: Record<string, unknown>;
}

function opLine(
  context: DispatchContext,
  op: string,
  params: Record<string, unknown>,
  started: number,
): OpLine {
  const { callId, skill, tool } = context;
  const base = { call: callId, skill: skill.id, tool, op: op.slice(0, 100) };
  return { base, started, context, op, params };
}

function servedLine({ base, started }: OpLine, served: Served): AuditEntry {
  return {
    ...base,
    target: served.target,
    status: "ok",
    checks: served.checks,
    bytesIn: served.bytesIn ?? 0,
    bytesOut: served.bytesOut ?? 0,
    ms: Math.round(performance.now() - started),
  };
}

/**
 * A failure as the skill may see it: an `RpcError` as it is, anything else
 * an internal error (logged in full, told in general).
 */
function wireError(
  { log, callId, skill }: DispatchContext,
  op: string,
  error: unknown,
): RpcError {
  if (error instanceof RpcError) return error;
  log.error("Brokered op failed", { callId, skill: skill.id, op, error });
  return new RpcError(
    ErrorCode.InternalError,
    `${op.slice(0, 100)} failed inside the engine; see logs/engine.log`,
  );
}

/** A refusal (Forbidden, or a replay refused) or a failure, with the check that said no. */
function refusedLine(
  { base, started, context, op, params }: OpLine,
  wire: RpcError,
  trace: HttpTrace,
): AuditEntry {
  const data = isObject(wire.data) ? wire.data : {};
  const checks = { ...trace.checks };
  if (typeof data.check === "string") checks[data.check] = "refused";
  const refused = wire.code === ErrorCode.Forbidden ||
    data.check === "replay";
  return {
    ...base,
    target: trace.target ?? auditTarget(op, params),
    status: refused ? "refused" : "failed",
    checks,
    bytesIn: trace.bytesIn,
    bytesOut: trace.bytesOut,
    ms: Math.round(performance.now() - started),
    reason: auditReason(wire.message, context.credentials),
  };
}
