import type { Logger } from "../logger.ts";
import { ErrorCode, RpcError } from "../rpc/mod.ts";
import type { HttpBroker } from "./http_broker.ts";
import type { SkillEntry } from "./skill_registry.ts";
import type { DispatchHandler } from "./worker_process.ts";

/** Ops the SDK can send that this engine does not serve yet (issue #5). */
const NOT_YET: Record<string, string> = {
  "secrets.read": "skills cannot read credentials in this version",
  "sql.query": "skills cannot query databases in this version",
  "capability.call": "skills cannot call capabilities in this version",
  "shell.run": "skills cannot run programs",
};

/** Longest log message kept from a skill. */
const MAX_LOG_CHARS = 2000;

/** What one call's dispatches are served with. */
export interface DispatchContext {
  skill: SkillEntry;
  tool: string;
  callId: string;
  http: HttpBroker;
  log: Logger;
  /** Aborted when the call ends: cancels outstanding requests. */
  signal: AbortSignal;
  /** Called with each progress report (forwarded to the caller). */
  onProgress?: (params: Record<string, unknown>) => void;
}

/**
 * Serves one call's dispatches: `http.request` through the HTTP broker,
 * `log` and `progress` (fire-and-forget), and a clear refusal for every
 * other op. The check of each op against the skill's declarations starts
 * here (the HTTP egress check lives in the broker).
 *
 * @param context the call
 * @returns the handler for {@linkcode WorkerProcess.run}
 */
export function dispatchHandler(context: DispatchContext): DispatchHandler {
  const { skill, tool, callId, log } = context;
  return {
    async dispatch(op, params) {
      if (op === "http.request") {
        return await context.http.request(
          { skillId: skill.id, egress: skill.egress },
          params,
          { signal: context.signal },
        );
      }
      if (op in NOT_YET) {
        throw new RpcError(
          ErrorCode.Forbidden,
          `"${op}" is not supported yet: ${NOT_YET[op]}`,
          { op },
        );
      }
      if (op.startsWith("graph.")) {
        throw new RpcError(
          ErrorCode.Forbidden,
          `"${op}" is not available to skills: return records with @returns and the engine writes them`,
          { op },
        );
      }
      throw new RpcError(
        ErrorCode.Forbidden,
        `Unknown op "${op.slice(0, 100)}"`,
        { op },
      );
    },
    notify(op, params) {
      if (op === "log") {
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
          message: String(params.message ?? "").slice(0, MAX_LOG_CHARS),
        });
      } else if (op === "progress") {
        context.onProgress?.(params);
      }
    },
  };
}
