/**
 * A skill call's last stage: how it went, told three ways alike on success
 * and failure — the `call` event to observers, one log line naming the
 * worker and sandbox kind, and one audit row.
 *
 * @module
 */
import type { Graph } from "../graph/mod.ts";
import type { Logger } from "../logger.ts";
import type { Sandbox } from "../sandbox/mod.ts";
import {
  auditReason,
  type AuditSink,
  type RecordCounts,
} from "../broker/mod.ts";
import type { PreparedCall } from "./call_prepare.ts";
import type { FailedCall } from "./call_failure.ts";

/** Where a call's report goes, and what its worker was. */
export interface ReportOptions {
  graph: Graph;
  log: Logger;
  sandbox: Sandbox;
  audit?: AuditSink;
  /** Whether a spare worker served the call. */
  spare: boolean;
}

/** Reports one call: started, then completed or failed. */
export class CallReport {
  #call: PreparedCall;
  #options: ReportOptions;

  /**
   * @param call the prepared call
   * @param options the feed, log, sandbox and audit, and the worker kind
   */
  constructor(call: PreparedCall, options: ReportOptions) {
    this.#call = call;
    this.#options = options;
  }

  /** Tells observers the call started. */
  started(): void {
    this.#options.graph.feed.publish({
      kind: "call",
      phase: "started",
      at: new Date().toISOString(),
      ...this.#call.base,
    });
  }

  /**
   * Tells how a successful call went.
   *
   * @param records what was written to the graph
   * @returns the call's duration in ms
   */
  completed(records: RecordCounts): number {
    const ms = this.elapsed();
    this.#tell("ok", ms, {
      created: records.created,
      updated: records.updated,
      warnings: records.warnings.length,
    });
    return ms;
  }

  /**
   * Tells how a call failed (or was refused).
   *
   * @param ms the call's duration in ms
   * @param failure the status, the redacted message and the traceback
   */
  failed(ms: number, failure: FailedCall): void {
    this.#tell(failure.status, ms, failure.detail, failure.message);
  }

  /** @returns the ms since the call started, rounded */
  elapsed(): number {
    return Math.round(performance.now() - this.#call.started);
  }

  #tell(
    status: "ok" | "failed" | "refused",
    ms: number,
    detail: Record<string, unknown>,
    error?: string,
  ): void {
    const { graph, log, sandbox, spare } = this.#options;
    const { base, callId, skill, tool, chain } = this.#call;
    const failure = error === undefined ? {} : { error };
    graph.feed.publish({
      kind: "call",
      phase: status === "ok" ? "completed" : "failed",
      at: new Date().toISOString(),
      ...base,
      ms,
      ...failure,
    });
    const fields = {
      ...base,
      ms,
      worker: spare ? "spare" : "cold",
      sandbox: sandbox.kind,
      ...detail,
      ...failure,
    };
    if (status === "ok") log.info("Skill call completed", fields);
    else log.warn("Skill call failed", fields);
    this.#options.audit?.append({
      call: callId,
      skill: skill.id,
      tool: tool.name,
      op: "call",
      target: this.#call.capability ?? tool.name,
      status,
      checks: { sandbox: sandbox.kind, depth: String(chain.length) },
      ms,
      ...(error === undefined ? {} : { reason: auditReason(error) }),
    });
  }
}
