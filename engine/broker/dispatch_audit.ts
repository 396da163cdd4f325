/**
 * One call's audit lines, within a budget: every answered op writes one
 * line (before the skill gets the answer) up to
 * {@linkcode MAX_AUDIT_LINES_PER_CALL}; past it ops are counted by op and
 * status, and the count is written as one summary line when the call ends.
 *
 * @module
 */
import type { AuditEntry } from "../audit/mod.ts";
import type { CallCredentials } from "./credentials/mod.ts";
import type { DispatchContext } from "./dispatch_context.ts";

/**
 * Audit lines written per call; past it, ops are counted and summed up in
 * one line when the call ends (a skill looping on refused ops wrote 50,000
 * lines in 3 s).
 */
export const MAX_AUDIT_LINES_PER_CALL = 1000;

/** The audit lines of one call. */
export class DispatchAudit {
  #context: DispatchContext;
  #lines = 0;
  /** Ops past the budget, counted by `op status`. */
  #over = new Map<string, number>();

  /** @param context the call (its audit sink, skill, tool and id) */
  constructor(context: DispatchContext) {
    this.#context = context;
  }

  /**
   * Writes an op's line, or counts it once the call's budget is spent.
   *
   * @param entry the op's audit line
   */
  append(entry: AuditEntry): void {
    if (++this.#lines <= MAX_AUDIT_LINES_PER_CALL) {
      this.#context.audit?.append(entry);
      return;
    }
    const key = `${entry.op} ${entry.status}`;
    this.#over.set(key, (this.#over.get(key) ?? 0) + 1);
  }

  /** The call ended: writes the summary line of ops past the budget. */
  finish(): void {
    if (this.#over.size === 0) return;
    const { skill, tool, callId } = this.#context;
    const counts: Record<string, string> = {};
    for (const [key, n] of [...this.#over].slice(0, 50)) {
      counts[key] = String(n);
    }
    this.#context.audit?.append({
      call: callId,
      skill: skill.id,
      tool,
      op: "audit.summary",
      status: "ok",
      checks: counts,
      reason: `${
        this.#lines - MAX_AUDIT_LINES_PER_CALL
      } more ops in this call past ${MAX_AUDIT_LINES_PER_CALL} lines, counted by op and status`,
    });
    this.#over.clear();
  }
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
