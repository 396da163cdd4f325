import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type { SkillEntry, ToolInfo } from "../skills/mod.ts";

/** Tool failures built here, from an error body already redacted. */
const REDACTED = new WeakSet<RpcError>();

/**
 * Whether an error is a tool's failure built by {@linkcode toolFailure}
 * (its message and data are redacted already).
 *
 * @param error any error
 * @returns true for such a failure
 */
export function isToolFailure(error: unknown): boolean {
  return error instanceof RpcError && REDACTED.has(error);
}

/**
 * The error a tool's failure becomes: SkillFailed naming the tool, the
 * skill, the exception type and message, with its traceback and fields.
 *
 * @param skill the skill
 * @param tool the tool
 * @param error the worker's error body (redacted)
 * @returns the wire error
 */
export function toolFailure(
  skill: SkillEntry,
  tool: ToolInfo,
  error: Record<string, unknown>,
): RpcError {
  const type = String(error.type ?? "Error");
  const message = String(error.message ?? "");
  const failure = new RpcError(
    ErrorCode.SkillFailed,
    `Tool "${tool.name}" of skill "${skill.id}" failed: ${type}: ${message}`
      .slice(0, 2000),
    {
      reason: type === "SkillError" ? "skill_error" : "exception",
      type,
      message,
      ...(error.traceback ? { traceback: error.traceback } : {}),
      ...(isObject(error.fields) ? { fields: error.fields } : {}),
      ...(typeof error.output === "string" ? { output: error.output } : {}),
    },
  );
  REDACTED.add(failure);
  return failure;
}
