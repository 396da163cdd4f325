/**
 * Readers of the parameters the skill methods share beyond `param.*`: an
 * installed skill by id, a boolean with a default, a flag.
 *
 * @module
 */
import { invalidParams } from "../errors.ts";
import { type ParamReader, stringParam } from "../rpc/mod.ts";
import type { SkillEntry, SkillRegistry } from "../skills/mod.ts";

/**
 * An installed skill named by a string parameter (read after the skills
 * loaded, so NotFound means not installed).
 *
 * @param registry the installed skills
 * @throws {RpcError} InvalidParams, NotFound
 */
export function skillParam(registry: SkillRegistry): ParamReader<SkillEntry> {
  return (params, key) => registry.get(stringParam(params, key));
}

/**
 * A boolean parameter; absent or null reads as `fallback`.
 *
 * @param fallback the value when absent
 * @throws {RpcError} InvalidParams when present but not a boolean
 */
export function booleanParam(fallback: boolean): ParamReader<boolean> {
  return (params, key) => {
    const value = params[key] ?? fallback;
    if (typeof value !== "boolean") {
      throw invalidParams(`"${key}" must be a boolean`);
    }
    return value;
  };
}

/**
 * A flag: true only when sent as `true` (anything else reads as false).
 *
 * @param params the request's parameters
 * @param key the flag's name
 */
export function flagParam(
  params: Record<string, unknown>,
  key: string,
): boolean {
  return params[key] === true;
}
