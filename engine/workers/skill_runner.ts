import type { Graph } from "../graph/mod.ts";
import type { Logger } from "../logger.ts";
import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import {
  DEFAULT_TOOL_TIMEOUT_S,
  MAX_TOOL_TIMEOUT_S,
  type Sandbox,
} from "../sandbox/mod.ts";
import {
  auditReason,
  type AuditSink,
  CallSession,
  type CredentialSource,
  dispatchHandler,
  type HttpBroker,
  type HttpTape,
  loadCredentials,
  needsCredentials,
  type RecordCounts,
  type ShellBroker,
  type SqlBroker,
} from "../broker/mod.ts";
import { writeRecords } from "./record_sink.ts";
import { withSkillState } from "./skill_state.ts";
import { type CapabilityInvoker, nestedCall } from "./nested_call.ts";
import {
  findTool,
  type SkillEntry,
  type SkillRegistry,
} from "../skills/mod.ts";
import {
  type ReadGrants,
  type RunGrant,
  type SkillGrants,
} from "../grants/mod.ts";
import { checkParams } from "./check_params.ts";
import { toolFailure } from "./tool_failure.ts";
import { takeWorker } from "./take_worker.ts";
import {
  accountCheck,
  type AccountState,
  type RowInfo,
  runWithAccountCheck,
} from "./account_check.ts";
import { settleCall, type StoredSecret } from "./settle_credentials.ts";
import type { SparePool } from "./spare_pool.ts";
import type { WorkerProcess } from "./worker_process.ts";

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
  /** Skills whose calls led to this one (`capability.call`), outermost first. */
  chain?: string[];
  /** Record brokered HTTP to it, or answer from it without the network. */
  tape?: HttpTape;
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
  /** Credentials the tool returned in `__secrets__` (masked previews). */
  secrets: StoredSecret[];
  /** The last lines the skill printed (print() and stderr), redacted. */
  output?: string;
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
  /** Whether the owner granted a skill real credential values. */
  realValues?: (skill: SkillEntry) => boolean;
  /** The owner's egress grants of a skill. */
  grants: (skill: SkillEntry) => SkillGrants;
  /** The vault (credentials for `params["auth"]` and `secrets.read`). */
  vault?: CredentialSource;
  /** Serves `sql.query`. */
  sql?: SqlBroker;
  /** Receives one line per brokered op and per call. */
  audit?: AuditSink;
  /**
   * Skills' own Python packages: where installs live, and how to start a
   * worker that sees one (a spare has no skill's packages mounted).
   */
  packages?: { root: string; spawn: (dir: string) => WorkerProcess };
  /** Serves `shell.run`. */
  shell?: ShellBroker;
  /** The owner's `--run` grants of a skill. */
  runGrants?: (skill: SkillEntry) => Record<string, RunGrant>;
  /** The owner's `--read` grants of a skill (local databases). */
  readGrants?: (skill: SkillEntry) => ReadGrants;
}

/** Why a call's own signal aborts: it ended (nested work stops with it). */
const CALL_ENDED = new Error("The call ended");

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
  #accounts: AccountState = { verified: new Set(), expired: new Set() };
  /** Serves `capability.call` from inside a skill (set by the capability broker's owner). */
  invokeCapability: CapabilityInvoker | undefined;

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
    const { registry, vault } = this.#options;
    const skill = registry.get(request.skill);
    const account = accountCheck(skill, findTool(skill, request.tool));
    if (!account || !vault) return await this.#runOnce(request);
    const { tape, signal, chain } = request;
    const check = { tool: account.checkTool, params: {}, remember: false };
    return await runWithAccountCheck({
      ...{ skill, ...account, vault, state: this.#accounts },
      check: (skip) =>
        this.#runOnce({ skill: skill.id, ...check, tape, signal, chain }, skip),
      run: (skip) => this.#runOnce(request, skip),
    });
  }

  async #runOnce(
    request: RunRequest,
    skip?: (row: RowInfo) => boolean,
  ): Promise<RunResult> {
    const { registry, sandbox, graph, log } = this.#options;
    const skill = registry.get(request.skill);
    if (!skill.enabled) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skill.id}" is disabled; enable it with skills.enable`,
      );
    }
    const tool = findTool(skill, request.tool);
    checkParams({ skillId: skill.id, tool }, request.params);
    const keyless = needsCredentials(
      skill,
      tool,
      this.#options.vault?.list() ?? [],
    );
    if (keyless) throw keyless;
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
    const chain = [...(request.chain ?? []), skill.id];
    const granted = this.#options.realValues?.(skill) === true;
    const loaded = await loadCredentials(skill, this.#options.vault, {
      realValues: granted,
      skip,
    });
    const { credentials } = loaded;
    const session = new CallSession({
      skillId: skill.id,
      connections: skill.discovery.connections,
      bindings: loaded.bindings,
      credentials,
    });
    const kwargs = withSkillState(graph, {
      skillId: skill.id,
      tool,
      params: request.params,
    });
    if (loaded.skillAuth !== undefined && kwargs.auth === undefined) {
      kwargs.auth = loaded.skillAuth;
    }
    const { worker, spare } = await takeWorker(skill, this.#options);
    // How the call ended, told three ways: the observer event, the log line
    // and the audit row, alike on success and failure.
    const report = (
      status: "ok" | "failed" | "refused",
      ms: number,
      detail: Record<string, unknown>,
      error?: string,
    ) => {
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
        target: request.capability ?? tool.name,
        status,
        checks: { sandbox: sandbox.kind, depth: String(chain.length) },
        ms,
        ...(error === undefined ? {} : { reason: auditReason(error) }),
      });
    };
    graph.feed.publish({
      kind: "call",
      phase: "started",
      at: new Date().toISOString(),
      ...base,
    });
    const ended = new AbortController();
    const handler = dispatchHandler({
      skill,
      tool: tool.name,
      callId,
      http: this.#options.http,
      log,
      signal: ended.signal,
      onProgress: request.onProgress,
      grants: this.#options.grants(skill),
      credentials,
      session,
      vault: this.#options.vault,
      sql: this.#options.sql,
      tape: request.tape,
      audit: this.#options.audit,
      shell: this.#options.shell,
      runGrants: this.#options.runGrants?.(skill),
      readGrants: this.#options.readGrants?.(skill),
      capabilityCall: (name, params, checks) =>
        nestedCall(this.invokeCapability, {
          name,
          params,
          checks,
          chain,
          signal: ended.signal,
          tape: request.tape,
        }),
    });
    const onAbort = () => void worker.kill(0);
    request.signal?.addEventListener("abort", onAbort);
    try {
      const outcome = await worker.run(
        {
          id: callId,
          skill: { id: skill.id, dir: "/skill" },
          module: moduleName(tool.file),
          function: tool.name,
          kwargs,
          sources: skill.files.sources,
          connections_auth: loaded.connectionsAuth,
          ...(session.hasJar ? { jar: session.jarView() } : {}),
          limits: { cpu: Math.ceil(timeoutS) + 1 },
        },
        {
          handler,
          timeoutMs: timeoutS * 1000,
        },
      );
      handler.finish();
      const output = outcome.output === undefined
        ? {}
        : { output: credentials.redact(outcome.output) };
      if (!outcome.ok) {
        throw toolFailure(skill, tool, {
          ...credentials.redactValue(outcome.error) as Record<string, unknown>,
          ...output,
        });
      }
      const { secrets, result } = await settleCall(outcome.value, {
        ...{ skill, session, credentials, granted, log, callId },
        vault: this.#options.vault,
      });
      const records = request.remember === false
        ? { created: 0, updated: 0, warnings: [], ids: [] }
        : writeRecords(graph, {
          skill,
          skillNode: this.#options.skillNode(skill),
          tool,
          result,
          raw: credentials.redactValue(outcome.value),
        });
      registry.markSuccess(skill.id);
      const ms = Math.round(performance.now() - started);
      report("ok", ms, {
        created: records.created,
        updated: records.updated,
        warnings: records.warnings.length,
      });
      return { result, records, callId, ms, spare, secrets, ...output };
    } catch (error) {
      handler.finish();
      const ms = Math.round(performance.now() - started);
      const wire = request.signal?.aborted
        ? new RpcError(
          ErrorCode.SkillFailed,
          `Call to "${tool.name}" of skill "${skill.id}" was cancelled: the caller went away`,
          { reason: "cancelled" },
        )
        : error;
      const message = credentials.redact((wire as Error).message);
      const refused = wire instanceof RpcError &&
        wire.code === ErrorCode.Forbidden;
      // The data carries the worker's stderr and traceback: redacted too.
      const data = wire instanceof RpcError
        ? credentials.redactValue(wire.data)
        : undefined;
      const traceback = isObject(data) && typeof data.traceback === "string"
        ? { traceback: data.traceback }
        : {};
      report(refused ? "refused" : "failed", ms, traceback, message);
      if (wire instanceof RpcError) {
        throw new RpcError(wire.code, message, {
          ...(isObject(data) ? data : {}),
          // A 401/403 from a credential's domain: the account check retries.
          ...(session.authFailures > 0 ? { auth_failure: true } : {}),
          callId,
          skill: skill.id,
          tool: tool.name,
        });
      }
      throw wire;
    } finally {
      ended.abort(CALL_ENDED); // a reason, so no DOMException is built per call
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
