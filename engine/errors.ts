/**
 * The errors any engine subsystem raises when a caller must know the kind:
 * one {@linkcode RpcError} with a code from {@linkcode ErrorCode}. The RPC
 * layer serialises them onto the socket, the worker pipe carries them to
 * skills; everything else thrown becomes an internal error. Imports nothing.
 *
 * @module
 */
/** JSON-RPC error codes: the spec's, then ours in -32000…-32099. */
export enum ErrorCode {
  /** Invalid JSON was received. */
  ParseError = -32700,
  /** The JSON sent is not a valid request object. */
  InvalidRequest = -32600,
  /** The method does not exist. */
  MethodNotFound = -32601,
  /** Invalid method parameters. */
  InvalidParams = -32602,
  /** Internal error: a bug or an unexpected failure, detail in the engine log. */
  InternalError = -32603,

  /** A request line exceeded the size limit and was discarded unread. */
  RequestTooLarge = -32001,
  /** The engine is shutting down and accepts no new work. */
  ShuttingDown = -32002,
  /** The named thing (node, shape, skill, secret…) does not exist. */
  NotFound = -32003,
  /** The request conflicts with current state (e.g. a deleted node). */
  Conflict = -32004,
  /** A policy check refused the operation (egress, capability, sandbox). */
  Forbidden = -32005,
  /** The operation did not finish in time. */
  Timeout = -32006,
  /** The skill ran but failed (its own error, crash or bad output). */
  SkillFailed = -32007,
  /** No sandbox could be set up, so skills cannot run. */
  SandboxUnavailable = -32008,
  /** The database refused a write (disk full, read-only home). */
  StorageFailed = -32009,
  /** Too many requests or connections at once. */
  Overloaded = -32010,
}

/**
 * The only error that crosses a wire (socket or worker pipe). Anything else
 * thrown by a handler is logged and becomes {@linkcode ErrorCode.InternalError}.
 */
export class RpcError extends Error {
  /** The JSON-RPC error code. */
  readonly code: number;
  /** Structured detail for the client (never secrets). */
  readonly data?: unknown;

  /**
   * @param code a JSON-RPC code, usually from {@linkcode ErrorCode}
   * @param message what failed and why, sentence case, no trailing period
   * @param data optional structured detail
   */
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    this.data = data;
  }

  /** The JSON-RPC `error` member for this error. */
  toJSON(): { code: number; message: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** Shorthand for an invalid-params error. */
export function invalidParams(message: string, data?: unknown): RpcError {
  return new RpcError(ErrorCode.InvalidParams, message, data);
}
