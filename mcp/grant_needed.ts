import { grantText, RpcError } from "../engine/mod.ts";

/**
 * The engine's description of a grant a skill call was refused
 * (`grantNeeded` in the error's data; the engine sets it only for its own
 * refusals, never from a skill's text), with the tool it was refused in.
 */
export type GrantNeeded =
  & {
    skill: string;
    tool: string;
    home?: string;
    pin?: string;
    /** The outer call that reached this skill through `capability.call`. */
    via?: { skill: string; tool: string };
  }
  & (
    | { kind: "host"; host: string }
    | { kind: "secrets" }
    | { kind: "read"; path: string; pin?: string }
    | { kind: "program"; program: string; path?: string }
    | { kind: "keychain"; item: string }
    | { kind: "credential"; domain: string }
  );

/** What each kind names besides the skill and tool. */
const VALUE_OF: Record<string, string | undefined> = {
  host: "host",
  secrets: undefined,
  read: "path",
  program: "program",
  keychain: "item",
  credential: "domain",
};

/**
 * The refused grant a failed `skills.run` or `capability.invoke` names,
 * when its shape is one the proxy knows.
 *
 * @param error what the engine answered
 * @returns the grant, or undefined
 */
export function grantNeededOf(error: unknown): GrantNeeded | undefined {
  if (!(error instanceof RpcError)) return undefined;
  const need = (error.data as { grantNeeded?: unknown } | undefined)
    ?.grantNeeded as Record<string, unknown> | undefined;
  if (typeof need !== "object" || need === null) return undefined;
  const kind = String(need.kind);
  if (!(kind in VALUE_OF)) return undefined;
  const value = VALUE_OF[kind];
  const strings = ["skill", "tool", ...(value ? [value] : [])];
  if (!strings.every((k) => typeof need[k] === "string" && need[k] !== "")) {
    return undefined;
  }
  const via = need.via as Record<string, unknown> | undefined;
  const viaOk = typeof via === "object" && via !== null &&
    typeof via.skill === "string" && typeof via.tool === "string";
  return {
    kind,
    skill: need.skill,
    tool: need.tool,
    ...(value ? { [value]: need[value] } : {}),
    ...(viaOk ? { via: { skill: via.skill, tool: via.tool } } : {}),
  } as GrantNeeded;
}

/**
 * What `agentos skills allow` takes for this grant, after the command.
 *
 * @param need the grant
 * @returns e.g. `my-skill api.example.com` or `my-skill --secrets`
 */
export function grantCommand(need: GrantNeeded): string {
  return `${need.skill} ${grantText(need)}`;
}
