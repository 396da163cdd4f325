/**
 * The skill runner: one tool call as stages that read in order —
 * prepare ({@linkcode callTarget}, {@linkcode prepareCall}), take a worker
 * ({@linkcode takeWorker}), serve its dispatches ({@linkcode serveCall}),
 * settle credentials ({@linkcode settleCall}), write records, report
 * ({@linkcode CallReport}, {@linkcode failedCall}) — with the account
 * check around it.
 *
 * @module
 */
import { type RecordCounts } from "../broker/mod.ts";
import { findTool } from "../skills/mod.ts";
import { rehearseRecords, writeRecords } from "./record_sink.ts";
import { type CapabilityInvoker } from "./nested_call.ts";
import { takeWorker } from "./take_worker.ts";
import {
  accountCheck,
  type AccountState,
  type RowInfo,
  runWithAccountCheck,
} from "./account_check.ts";
import { settleCall, type SettledCall } from "./settle_credentials.ts";
import { callTarget, prepareCall, type PreparedCall } from "./call_prepare.ts";
import { callDispatches, serveCall } from "./call_serve.ts";
import { CallReport } from "./call_report.ts";
import { failedCall } from "./call_failure.ts";
import { withOnceGrant } from "./once_overlay.ts";
import { refuseDeputy } from "./deputy_check.ts";
import type { RunRequest, RunResult, SkillRunnerOptions } from "./run_types.ts";

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
    // A provider's stored local grants serve only a caller granted the same.
    refuseDeputy(this.#options, request);
    // "Allow once": this call alone runs with the owner's one-call grant.
    const options = withOnceGrant(this.#options, request);
    const target = callTarget(request, options);
    // The checked call takes its worker first: a cold one starts while the
    // call's credentials are read (and is stopped if that fails).
    const taking = takeWorker(target.skill, options);
    taking.catch(() => {}); // awaited below, once the call is prepared
    let call: PreparedCall;
    try {
      call = await prepareCall(target, request, options, {
        number: ++this.#calls,
        skip,
      });
    } catch (error) {
      void taking.then(({ worker }) => worker.kill(0), () => {});
      throw error;
    }
    const { worker, spare } = await taking;
    const report = new CallReport(call, { ...options, spare });
    report.started();
    const ended = new AbortController();
    const handler = callDispatches(call, request, options, {
      ended: ended.signal,
      invoker: () => this.invokeCapability,
    });
    const onAbort = () => void worker.kill(0);
    request.signal?.addEventListener("abort", onAbort);
    // Cancelled while it was being prepared: the worker must not run on.
    if (request.signal?.aborted) onAbort();
    try {
      const guard = options.http.offThreadGuard();
      const answer = await serveCall(worker, call, handler, guard);
      const { secrets, result, stored, raw } = await this.#settle(
        call,
        answer.value,
      );
      // The graph keeps the redacted view, even of a granted skill's result.
      const records = await this.#writeRecords(call, request, {
        result: stored,
        raw,
      });
      options.registry.markSuccess(call.skill.id);
      const ms = report.completed(records);
      const { callId } = call;
      return { result, records, callId, ms, spare, secrets, ...answer.output };
    } catch (error) {
      await handler.finish();
      const ms = report.elapsed();
      const failure = await failedCall(error, call, {
        signal: request.signal,
        guard: options.http.offThreadGuard(),
      });
      report.failed(ms, failure);
      throw failure.thrown;
    } finally {
      ended.abort(CALL_ENDED); // a reason, so no DOMException is built per call
      request.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Stores the credentials the tool returned; the caller's result and the records' source, redacted once. */
  #settle(call: PreparedCall, value: unknown): Promise<SettledCall> {
    const { skill, session, credentials, granted, callId, chain } = call;
    const { log, vault, http } = this.#options;
    return settleCall(value, {
      ...{ skill, session, credentials, granted, callId },
      // A calling skill's chain precedes this one: the result goes to it.
      nested: chain.length > 1,
      ...{ log, vault, guard: http.offThreadGuard() },
    });
  }

  /** The records the tool returned, written unless the caller said not to (then rehearsed for their warnings). */
  #writeRecords(
    call: PreparedCall,
    request: RunRequest,
    { result, raw }: Pick<SettledCall, "result" | "raw">,
  ): Promise<RecordCounts> {
    const { skill, tool } = call;
    const { graph } = this.#options;
    // Not remembered: nothing stored (not even the skill's node), but the
    // warnings still show.
    if (request.remember === false) {
      return rehearseRecords(graph, { skill, skillNode: "", tool, result });
    }
    return writeRecords(graph, {
      skill,
      skillNode: this.#options.skillNode(skill),
      tool,
      result,
      raw,
    });
  }
}
