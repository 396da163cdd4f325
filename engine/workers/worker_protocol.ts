/**
 * The worker wire protocol, as the engine reads it: the `call` line it
 * sends, what each line the worker sends means (`ready`, `dispatch`,
 * `result`), and the error each breach of the protocol or of a limit
 * fails the call with. Pure: the process that speaks it is
 * `worker_process.ts`.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type { Incoming } from "../rpc/mod.ts";
import type { WorkerCall, WorkerResult } from "./worker_types.ts";
import { byteLength, MAX_WORKER_LINE_BYTES } from "./_dispatch_server.ts";

/** Characters of a call's printed output kept with its result. */
const MAX_OUTPUT_CHARS = 4000;

/** Where a worker is in its one call. */
export type WorkerState = "starting" | "ready" | "running" | "done";

/**
 * A breach of the protocol: fails the call as SkillFailed.
 *
 * @param message what the worker did
 * @returns the error
 */
export function protocolError(message: string): RpcError {
  return new RpcError(ErrorCode.SkillFailed, message, { reason: "protocol" });
}

/**
 * A line that is not a message: too long, or not JSON.
 *
 * @param item what the pipe read, other than a message
 * @returns the protocol error
 */
export function lineError(
  item: Exclude<Incoming, { kind: "message" }>,
): RpcError {
  return item.kind === "oversized"
    ? protocolError(
      `Worker sent a line of ${item.bytes} bytes, over the ${MAX_WORKER_LINE_BYTES} byte limit`,
    )
    : protocolError(`Worker sent a line that is not JSON (${item.reason})`);
}

/**
 * The `call` line, within the line limit.
 *
 * @param call the call
 * @returns the line to send
 * @throws {RpcError} InvalidParams when the call is over the limit
 */
export function callLine(call: WorkerCall): Record<string, unknown> {
  const line = { __type__: "call", ...call };
  if (byteLength(line) > MAX_WORKER_LINE_BYTES) {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `The call to "${call.function}" is larger than ${MAX_WORKER_LINE_BYTES} bytes`,
    );
  }
  return line;
}

/**
 * The `result` message as the caller gets it: the value or the tool's
 * error, with the last lines the skill printed (print() and stderr).
 *
 * @param message the worker's `result` message
 * @returns the worker's result
 */
export function readResult(message: Record<string, unknown>): WorkerResult {
  const output = typeof message.output === "string"
    ? { output: message.output.slice(-MAX_OUTPUT_CHARS) }
    : {};
  return message.ok === true
    ? { ok: true, value: message.value ?? null, ...output }
    : {
      ok: false,
      error: isObject(message.error)
        ? message.error
        : { type: "Error", message: String(message.error) },
      ...output,
    };
}

/**
 * A `result` for another call than the one running.
 *
 * @param id the id the worker answered
 * @param callId the running call's id
 * @returns the protocol error
 */
export function wrongCallError(id: unknown, callId: string): RpcError {
  return protocolError(
    `Worker answered call ${JSON.stringify(id)}, expected "${callId}"`,
  );
}

/**
 * A message out of place.
 *
 * @param state where the worker was
 * @param message what it sent
 * @returns the protocol error
 */
export function unexpectedMessage(
  state: WorkerState,
  message: unknown,
): RpcError {
  return protocolError(
    `Worker sent an unexpected message while ${state}: ${
      JSON.stringify(message).slice(0, 200)
    }`,
  );
}

/**
 * A dispatch past the call's or the engine's budget of held dispatches.
 *
 * @param callId the call
 * @param id the dispatch's id
 * @param op the dispatch's op
 * @param refused which budget refused it, and why
 * @returns Overloaded (the engine's budget) or SkillFailed (the call's)
 */
export function dispatchLimitError(
  callId: string,
  id: unknown,
  op: string,
  refused: { scope: string; message: string },
): RpcError {
  return new RpcError(
    refused.scope === "the engine"
      ? ErrorCode.Overloaded
      : ErrorCode.SkillFailed,
    `Call "${callId}" stopped at dispatch ${JSON.stringify(id)} (${
      op.slice(0, 100)
    }): ${refused.message}; a skill must await its dispatches rather than send them without end`,
    { reason: "dispatch_limit", scope: refused.scope },
  );
}

/**
 * A worker that did not say `ready` in time.
 *
 * @param ms the limit
 * @returns SandboxUnavailable
 */
export function readyTimeoutError(ms: number): RpcError {
  return new RpcError(
    ErrorCode.SandboxUnavailable,
    `Worker did not start within ${ms} ms`,
    { reason: "start" },
  );
}

/**
 * A call that ran past its wall-clock limit.
 *
 * @param call the call
 * @param timeoutMs the limit
 * @returns Timeout
 */
export function callTimeoutError(
  call: WorkerCall,
  timeoutMs: number,
): RpcError {
  return new RpcError(
    ErrorCode.Timeout,
    `Tool "${call.function}" of skill "${call.skill.id}" did not finish within ${
      timeoutMs / 1000
    } s; its process was killed`,
    { reason: "timeout", timeoutMs },
  );
}

/**
 * A worker whose output ended before the call did.
 *
 * @param state where the worker was
 * @returns SkillFailed (crash)
 */
export function exitedEarlyError(state: WorkerState): RpcError {
  return new RpcError(
    ErrorCode.SkillFailed,
    state === "starting"
      ? "Worker exited before it was ready"
      : "Worker exited before answering",
    { reason: "crash" },
  );
}
