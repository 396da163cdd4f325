import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { SchemaTooNewError } from "../engine/graph/mod.ts";
import { ErrorCode, RpcError } from "../engine/mod.ts";
import { EngineUnavailableError } from "./engine_link.ts";
import { GraphUnavailableError } from "./graph_reader.ts";

/** The body of every error response. */
export interface ErrorBody {
  error: {
    /** The HTTP status, repeated for clients that only see the body. */
    status: number;
    /** A stable word for the kind of failure, e.g. `not_found`. */
    code: string;
    /** What failed and why. */
    message: string;
    /** The engine's JSON-RPC code, when the engine refused. */
    rpcCode?: number;
    /** The engine's structured detail (e.g. coercion warnings), when given. */
    data?: unknown;
  };
}

const CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "too_large",
  415: "unsupported_media_type",
  500: "internal",
  501: "not_implemented",
  502: "bad_gateway",
  503: "unavailable",
  504: "timeout",
  507: "insufficient_storage",
};

/**
 * The HTTP status for an engine error code.
 *
 * @param code a JSON-RPC error code
 * @returns the status a bridge client sees
 */
export function rpcStatus(code: number): ContentfulStatusCode {
  switch (code) {
    case ErrorCode.InvalidParams:
      return 400;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.Timeout:
      return 504;
    case ErrorCode.RequestTooLarge:
      return 413;
    case ErrorCode.ShuttingDown:
    case ErrorCode.Overloaded:
    case ErrorCode.SandboxUnavailable:
      return 503;
    case ErrorCode.StorageFailed:
      return 507;
    case ErrorCode.InternalError:
      return 500;
    default:
      // Method not found, parse errors, a skill's own failure: the engine
      // (the bridge's upstream) could not give an answer.
      return 502;
  }
}

/**
 * Builds a JSON error response.
 *
 * @param c the request context
 * @param status the HTTP status
 * @param message what failed
 * @param extra the engine's code and detail
 * @returns the response
 */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  message: string,
  extra: { rpcCode?: number; data?: unknown } = {},
): Response {
  const body: ErrorBody = {
    error: {
      status,
      code: CODES[status] ?? `http_${status}`,
      message,
      ...extra,
    },
  };
  if (status === 401) c.header("WWW-Authenticate", 'Bearer realm="agentos"');
  c.header("Cache-Control", "no-store");
  return c.json(body, status);
}

/**
 * The bridge's one error handler: every failure becomes a JSON error with a
 * proper status. Unexpected errors are logged and answered with a generic
 * 500 that carries no detail (no path, no stack, no secret).
 *
 * @param log where unexpected errors go
 * @returns the `app.onError` handler
 */
export function jsonErrors(
  log: (message: string, error?: unknown) => void,
): ErrorHandler {
  return function jsonErrors(error, c) {
    if (error instanceof HTTPException) {
      return errorResponse(
        c,
        error.status as ContentfulStatusCode,
        error.message || "Request refused",
      );
    }
    if (error instanceof RpcError) {
      const status = rpcStatus(error.code);
      if (status === 500) {
        log(`The engine failed on ${c.req.method} ${c.req.path}`, error);
      }
      return errorResponse(c, status, error.message, {
        rpcCode: error.code,
        ...(error.data === undefined ? {} : { data: error.data }),
      });
    }
    // The full messages name local paths: they go to the log, and the
    // client is told what to do.
    if (error instanceof EngineUnavailableError) {
      return errorResponse(
        c,
        503,
        "The engine is not running; start it with: agentos engine start",
      );
    }
    if (error instanceof GraphUnavailableError) {
      return errorResponse(
        c,
        503,
        "There is no graph yet; start the engine once with: agentos engine start",
      );
    }
    if (error instanceof SchemaTooNewError) {
      log(error.message);
      return errorResponse(
        c,
        503,
        "The graph was written by a newer AgentOS; upgrade AgentOS to read it",
      );
    }
    log(`Unexpected error on ${c.req.method} ${c.req.path}`, error);
    return errorResponse(
      c,
      500,
      "Internal error in the bridge; details are in its log",
    );
  };
}
