import type { CallToolResult } from "./_sdk.ts";
import { ErrorCode, RpcError } from "../engine/mod.ts";
import { EngineRestartedError, EngineUnavailableError } from "./engine_link.ts";

/** A call the proxy refused before reaching the engine (unknown tool, bad or huge arguments). */
export class ToolInputError extends Error {
  /** @param message what is wrong and what to do, for the agent */
  constructor(message: string) {
    super(message);
    this.name = "ToolInputError";
  }
}

/** Largest `data` of an engine error echoed to the agent. */
const MAX_DETAIL_CHARS = 2000;

/**
 * Turns a failure into a tool result with `isError`: the agent reads the
 * message, so it says what failed and what to do next, rather than being a
 * protocol error the agent never sees.
 *
 * @param tool the tool name
 * @param method the engine method it called
 * @param error what was thrown
 * @returns the error result
 */
export function toolError(
  tool: string,
  method: string,
  error: unknown,
): CallToolResult {
  return {
    content: [{ type: "text", text: explain(tool, method, error) }],
    isError: true,
  };
}

/**
 * The message of {@linkcode toolError}.
 *
 * @param tool the tool name
 * @param method the engine method it called
 * @param error what was thrown
 * @returns the text for the agent
 */
export function explain(tool: string, method: string, error: unknown): string {
  if (error instanceof ToolInputError) return error.message;
  if (error instanceof EngineUnavailableError) {
    return `${error.message}. Every AgentOS tool needs the engine: ask the user to run "agentos engine start" and to read ~/.agentos/logs/engine.log if it fails`;
  }
  if (error instanceof EngineRestartedError) {
    return `${error.message}. It was not repeated automatically; check with graph_get or graph_list whether it took effect before calling ${tool} again`;
  }
  if (!(error instanceof RpcError)) {
    return `Unexpected proxy error in ${tool}: ${
      (error as Error)?.message ?? String(error)
    }. Retrying will likely fail the same way; details are in logs/mcp.log`;
  }
  const message = error.message;
  const detail = details(error.data);
  switch (error.code) {
    case ErrorCode.InvalidParams:
      return `${tool} refused the arguments: ${message}. Fix them (see the tool's input schema) and call again${detail}`;
    case ErrorCode.MethodNotFound:
      return `${tool} is not available: this engine has no "${method}" method yet. Tell the user the engine needs an update; the other tools still work`;
    case ErrorCode.NotFound:
      return `${message}. Check the id or name: graph_list finds records, shapes_list lists shapes, skills_list lists skills${detail}`;
    case ErrorCode.Conflict:
      return `${message}. Resolve the conflict first, then call ${tool} again${detail}`;
    case ErrorCode.Forbidden:
      return `${message}. The engine's policy refused this; retrying will not help, so tell the user what was refused${detail}`;
    case ErrorCode.Timeout:
      return `${message}. Try again later or with a smaller request${detail}`;
    case ErrorCode.SkillFailed:
      return `The skill failed: ${message}. Check the arguments; if they are right, try again later or tell the user (the engine's audit log has the details)${detail}`;
    case ErrorCode.SandboxUnavailable:
      return `${message}. Skills cannot run until the user installs the sandbox; tell them${detail}`;
    case ErrorCode.StorageFailed:
      return `${message}. The engine could not write (disk full or read-only home); tell the user${detail}`;
    case ErrorCode.Overloaded:
      return `${message}. The engine is busy; wait a few seconds and call again`;
    case ErrorCode.ShuttingDown:
      return `The engine is shutting down; call ${tool} again in a few seconds`;
    case ErrorCode.RequestTooLarge:
      return `${message}. Send less data per call`;
    case ErrorCode.InternalError:
      return `The engine failed internally in "${method}": ${message}. Retrying will likely fail the same way; tell the user (details in logs/engine.log)`;
    default:
      return `${method} failed (code ${error.code}): ${message}${detail}`;
  }
}

function details(data: unknown): string {
  if (data === undefined || data === null) return "";
  const text = JSON.stringify(data);
  if (text === undefined) return "";
  return `. Details: ${
    text.length > MAX_DETAIL_CHARS
      ? `${text.slice(0, MAX_DETAIL_CHARS)}…`
      : text
  }`;
}
