import type { Graph } from "../graph/mod.ts";
import type { Logger } from "../logger.ts";
import { ErrorCode, isObject, RpcError } from "../rpc/mod.ts";
import {
  DEFAULT_TOOL_TIMEOUT_S,
  MAX_TOOL_TIMEOUT_S,
  type Sandbox,
} from "../sandbox/mod.ts";
import { dispatchHandler } from "./dispatch_ops.ts";
import type { HttpBroker } from "./http_broker.ts";
import {
  callerResult,
  type RecordCounts,
  writeRecords,
} from "./record_sink.ts";
import {
  findTool,
  type SkillEntry,
  type SkillRegistry,
} from "./skill_registry.ts";
import type { ParamInfo, ToolInfo } from "./skill_discovery.ts";
import type { SparePool } from "./spare_pool.ts";

/** One tool run. */
export interface RunRequest {
  skill: string;
  tool: string;
  params: Record<string, unknown>;
  /** Write the records the tool returns (default true). */
  remember?: boolean;
  /** The capability this run serves, for events and logs. */
  capability?: string;
  /** Aborted when the caller goes away: the worker is killed. */
  signal?: AbortSignal;
  /** Receives the skill's progress reports. */
  onProgress?: (report: Record<string, unknown>) => void;
}

/** What a run gave. */
export interface RunResult {
  /** What the tool returned, as callers see it. */
  result: unknown;
  /** What was written to the graph. */
  records: RecordCounts;
  callId: string;
  ms: number;
  /** Whether a spare worker served the call. */
  spare: boolean;
}

/** Options for {@linkcode SkillRunner}. */
export interface SkillRunnerOptions {
  registry: SkillRegistry;
  pool: SparePool;
  sandbox: Sandbox;
  graph: Graph;
  http: HttpBroker;
  log: Logger;
  /** The skill's graph node id (written on first use). */
  skillNode: (skill: SkillEntry) => string;
}

/**
 * Runs one tool of one skill: checks the parameters against the tool's
 * signature, takes a worker (a spare when one is ready), ships the skill's
 * sources in the `call`, serves its dispatches, enforces the `@timeout`,
 * and writes what it returns under `@returns` into the graph in one
 * transaction. Publishes `call` events to observers and logs one line per
 * call, naming the sandbox kind.
 */
export class SkillRunner {
  #options: SkillRunnerOptions;
  #calls = 0;

  /** @param options the registry, pool, sandbox, graph, broker and log */
  constructor(options: SkillRunnerOptions) {
    this.#options = options;
  }

  /**
   * Runs a tool.
   *
   * @param request skill, tool, params and options
   * @returns the result and the records written
   * @throws {RpcError} NotFound, Forbidden (disabled), InvalidParams,
   *   SandboxUnavailable, Timeout, SkillFailed, StorageFailed
   */
  async run(request: RunRequest): Promise<RunResult> {
    const { registry, pool, sandbox, graph, log } = this.#options;
    const skill = registry.get(request.skill);
    if (!skill.enabled) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skill.id}" is disabled; enable it with skills.enable`,
      );
    }
    const tool = findTool(skill, request.tool);
    checkParams({ skillId: skill.id, tool }, request.params);
    const timeoutS = Math.min(
      MAX_TOOL_TIMEOUT_S,
      tool.timeout ?? DEFAULT_TOOL_TIMEOUT_S,
    );
    const callId = `c-${Date.now().toString(36)}-${++this.#calls}`;
    const started = performance.now();
    const base = {
      callId,
      skill: skill.id,
      tool: tool.name,
      ...(request.capability ? { capability: request.capability } : {}),
    };
    const { worker, spare } = pool.take();
    graph.feed.publish({
      kind: "call",
      phase: "started",
      at: new Date().toISOString(),
      ...base,
    });
    const ended = new AbortController();
    const onAbort = () => void worker.kill(0);
    request.signal?.addEventListener("abort", onAbort);
    try {
      const outcome = await worker.run(
        {
          id: callId,
          skill: { id: skill.id, dir: "/skill" },
          module: moduleName(tool.file),
          function: tool.name,
          kwargs: request.params,
          sources: skill.files.sources,
          limits: { cpu: Math.ceil(timeoutS) + 1 },
        },
        {
          handler: dispatchHandler({
            skill,
            tool: tool.name,
            callId,
            http: this.#options.http,
            log,
            signal: ended.signal,
            onProgress: request.onProgress,
          }),
          timeoutMs: timeoutS * 1000,
        },
      );
      if (!outcome.ok) throw toolError(skill, tool, outcome.error);
      const result = callerResult(outcome.value);
      const records = request.remember === false
        ? { created: 0, updated: 0, warnings: [], ids: [] }
        : writeRecords(graph, {
          skill,
          skillNode: this.#options.skillNode(skill),
          returns: tool.returns,
          result,
        });
      registry.markSuccess(skill.id);
      const ms = Math.round(performance.now() - started);
      graph.feed.publish({
        kind: "call",
        phase: "completed",
        at: new Date().toISOString(),
        ...base,
        ms,
      });
      log.info("Skill call completed", {
        ...base,
        ms,
        worker: spare ? "spare" : "cold",
        sandbox: sandbox.kind,
        created: records.created,
        updated: records.updated,
        warnings: records.warnings.length,
      });
      return { result, records, callId, ms, spare };
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      const wire = request.signal?.aborted
        ? new RpcError(
          ErrorCode.SkillFailed,
          `Call to "${tool.name}" of skill "${skill.id}" was cancelled: the caller went away`,
          { reason: "cancelled" },
        )
        : error;
      const message = (wire as Error).message;
      graph.feed.publish({
        kind: "call",
        phase: "failed",
        at: new Date().toISOString(),
        ...base,
        ms,
        error: message,
      });
      log.warn("Skill call failed", {
        ...base,
        ms,
        worker: spare ? "spare" : "cold",
        sandbox: sandbox.kind,
        error: message,
      });
      if (wire instanceof RpcError) {
        throw new RpcError(wire.code, wire.message, {
          ...(isObject(wire.data) ? wire.data : {}),
          callId,
          skill: skill.id,
          tool: tool.name,
        });
      }
      throw wire;
    } finally {
      ended.abort();
      request.signal?.removeEventListener("abort", onAbort);
    }
  }
}

/**
 * The module a tool's file is imported as: `helpers/util.py` → `helpers.util`.
 *
 * @param file the tool's file, relative to the skill
 * @returns the dotted module name
 */
export function moduleName(file: string): string {
  return file.replace(/\.py$/, "").replace(/\/__init__$/, "").replaceAll(
    "/",
    ".",
  );
}

/**
 * Checks call parameters against the tool's signature: required ones are
 * present, hinted types match. Extra parameters pass (tools take `**params`).
 *
 * @param target the skill id and the tool
 * @param params the call's parameters
 * @throws {RpcError} InvalidParams
 */
export function checkParams(
  target: { skillId: string; tool: ToolInfo },
  params: Record<string, unknown>,
): void {
  const { tool } = target;
  const skill = { id: target.skillId };
  for (const param of tool.params) {
    const value = params[param.name];
    if (value === undefined) {
      if (param.required) {
        throw new RpcError(
          ErrorCode.InvalidParams,
          `Tool "${tool.name}" of skill "${skill.id}" needs the parameter "${param.name}"${
            param.type ? ` (${param.type})` : ""
          }`,
          { param: param.name },
        );
      }
      continue;
    }
    if (!typeMatches(param, value)) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Parameter "${param.name}" of tool "${tool.name}" must be ${param.type}, got ${
          JSON.stringify(value).slice(0, 100)
        }`,
        { param: param.name },
      );
    }
  }
}

function typeMatches(param: ParamInfo, value: unknown): boolean {
  if (value === null) return !param.required || param.type === null;
  switch (param.type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    default:
      return true;
  }
}

function toolError(
  skill: SkillEntry,
  tool: ToolInfo,
  error: Record<string, unknown>,
): RpcError {
  const type = String(error.type ?? "Error");
  const message = String(error.message ?? "");
  return new RpcError(
    ErrorCode.SkillFailed,
    `Tool "${tool.name}" of skill "${skill.id}" failed: ${type}: ${message}`
      .slice(0, 2000),
    {
      reason: type === "SkillError" ? "skill_error" : "exception",
      type,
      message,
      ...(error.traceback ? { traceback: error.traceback } : {}),
      ...(isObject(error.fields) ? { fields: error.fields } : {}),
    },
  );
}
