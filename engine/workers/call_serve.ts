/**
 * A skill call's middle stage: the worker runs the tool while the call's
 * dispatch handler serves what it asks of the engine (HTTP, secrets, SQL,
 * programs, nested capability calls), each op checked against the owner's
 * grants of this skill. What the worker answers comes back redacted of the
 * call's credentials; a tool's exception becomes its SkillFailed.
 *
 * @module
 */
import {
  type CallDispatchHandler,
  dispatchHandler,
  type OffThreadGuard,
} from "../broker/mod.ts";
import type { WorkerProcess } from "./worker_process.ts";
import type { WorkerCall } from "./worker_types.ts";
import {
  type CapabilityInvoker,
  nestedCall,
  NestedSlots,
} from "./nested_call.ts";
import { toolFailure } from "./tool_failure.ts";
import type { PreparedCall } from "./call_prepare.ts";
import type { RunRequest, SkillRunnerOptions } from "./run_types.ts";
import type { NestedOnce } from "../grants/mod.ts";

/** Refused grants a call keeps (the first is the one its caller may ask for). */
const MAX_NEEDS = 5;

/** What the tool returned, and the last lines it printed (redacted). */
export interface ToolAnswer {
  value: unknown;
  /** Empty when the worker sent no output. */
  output: { output?: string };
}

/** How the call's dispatches reach the rest of the call. */
export interface DispatchLinks {
  /** Aborted when the call ends: outstanding dispatches stop. */
  ended: AbortSignal;
  /** The capability broker, read when a nested call is made. */
  invoker: () => CapabilityInvoker | undefined;
}

/**
 * The handler that serves one call's dispatches with the owner's grants of
 * the skill, the call's credentials and session, and its brokers.
 *
 * @param call the prepared call
 * @param request the caller's request (progress, tape)
 * @param options the runner's brokers and grants
 * @param links the call's end and the capability broker
 * @returns the call's dispatch handler
 */
export function callDispatches(
  call: PreparedCall,
  request: RunRequest,
  options: SkillRunnerOptions,
  links: DispatchLinks,
): CallDispatchHandler {
  const { skill, credentials, session, chain } = call;
  const nestedOnce = nestedOnceOf(request);
  const slots = new NestedSlots();
  return dispatchHandler({
    skill,
    tool: call.tool.name,
    callId: call.callId,
    http: options.http,
    log: options.log,
    signal: links.ended,
    onProgress: request.onProgress,
    onGrantNeed: (need) => {
      if (call.needs.length < MAX_NEEDS) call.needs.push(need);
    },
    onCredentialRefusal: (refusal) => {
      if (call.refusals.length < MAX_NEEDS) call.refusals.push(refusal);
    },
    grants: options.grants(skill),
    credentials,
    session,
    vault: options.vault,
    sql: options.sql,
    tape: request.tape,
    audit: options.audit,
    shell: options.shell,
    runGrants: options.runGrants?.(skill),
    readGrants: options.readGrants?.(skill),
    keychainGrants: options.keychainGrants?.(skill) ?? [],
    capabilityCall: (name, params, checks) =>
      nestedCall(links.invoker(), {
        name,
        params,
        checks,
        chain,
        signal: links.ended,
        tape: request.tape,
        clientModel: request.clientModel,
        nestedOnce,
        slots,
      }),
  });
}

/**
 * Runs the tool in the worker, serving its dispatches, and reads the
 * answer: the printed output redacted, a tool's exception thrown as its
 * (redacted) SkillFailed.
 *
 * @param worker the call's worker
 * @param call the prepared call
 * @param handler the call's dispatch handler
 * @param guard the guard workers and the call's budget (a failure's redaction)
 * @returns what the tool returned, and its output
 * @throws {RpcError} the tool's failure, Timeout (also past the call's
 *   guard budget), SkillFailed (protocol or crash) or SandboxUnavailable
 */
export async function serveCall(
  worker: WorkerProcess,
  call: PreparedCall,
  handler: CallDispatchHandler,
  guard: OffThreadGuard,
): Promise<ToolAnswer> {
  const { skill, tool, credentials, timeoutS } = call;
  // A guard worker builds the automaton while the tool runs, so redacting
  // its output here builds none on the main thread.
  const readying = credentials.ready(guard.pool);
  const outcome = await worker.run(workerCall(call), {
    handler,
    timeoutMs: timeoutS * 1000,
  });
  await handler.finish();
  await readying;
  // At most MAX_OUTPUT_CHARS (worker_protocol.ts): redacted inline.
  const output = outcome.output === undefined
    ? {}
    : { output: credentials.redact(outcome.output) };
  if (!outcome.ok) {
    // The skill's exception (message, traceback, fields) can be as large
    // as a worker line: redacted on the guard workers, within the budget.
    const [error] = await credentials.redactValuesOffThread(
      [outcome.error],
      guard,
    );
    throw toolFailure(skill, tool, {
      ...error as Record<string, unknown>,
      ...output,
    });
  }
  return { value: outcome.value, output };
}

/** The `call` message: the skill's sources ride along with the call. */
function workerCall(call: PreparedCall): WorkerCall {
  const { skill, tool, session } = call;
  return {
    id: call.callId,
    skill: { id: skill.id, dir: "/skill" },
    module: moduleName(tool.file),
    function: tool.name,
    kwargs: call.kwargs,
    sources: skill.files.sources,
    connections_auth: call.loaded.connectionsAuth,
    ...(session.hasJar ? { jar: session.jarView() } : {}),
    limits: { cpu: Math.ceil(call.timeoutS) + 1 },
  };
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
 * The once-grant this call's nested calls carry: the one handed down to it,
 * or its own for a provider when it is the outermost call the grant names
 * (`via`); nothing else.
 */
function nestedOnceOf(request: RunRequest): NestedOnce | undefined {
  if (request.nestedOnce) {
    return request.nestedOnce.spent ? undefined : request.nestedOnce;
  }
  const via = request.once?.via;
  if (!via || (request.chain ?? []).length > 0) return undefined;
  if (via.skill !== request.skill || via.tool !== request.tool) {
    return undefined;
  }
  return { grant: request.once!, spent: false };
}
