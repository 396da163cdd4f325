import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type { ParamInfo, ToolInfo } from "../skills/mod.ts";

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
