import type { Discovery } from "./skill_discovery.ts";

/** What this needs of an installed skill (not the registry's entry: no import circle). */
type Provider = { id: string; discovery: Pick<Discovery, "tools"> };

/** A capability a skill joined after the providers it already had. */
export interface JoinedCapability {
  capability: string;
  /** The skills that provided it before (they stay ahead). */
  after: string[];
}

/**
 * The capabilities a skill newly provides that other installed skills
 * (enabled or not) provide already. The capability broker tries it after
 * them until the owner prefers it: adding a skill must not take a
 * capability's callers over (a new `@provides("llm")` skill received every
 * prompt at once).
 *
 * @param skill the skill being added
 * @param options `before`: the same skill as it was (an update keeps what
 *   it provided then); `installed`: every installed skill
 * @returns each capability it joins, with the providers it joins after
 */
export function joinedAfter(
  skill: Provider,
  options: { before?: Provider; installed: Provider[] },
): JoinedCapability[] {
  const had = new Set(options.before ? providedBy(options.before) : []);
  const joined: JoinedCapability[] = [];
  for (const capability of providedBy(skill)) {
    if (had.has(capability)) continue;
    const after = options.installed.filter((other) =>
      other.id !== skill.id && providedBy(other).includes(capability)
    ).map((other) => other.id);
    if (after.length > 0) joined.push({ capability, after });
  }
  return joined;
}

function providedBy(skill: Provider): string[] {
  return [...new Set(skill.discovery.tools.flatMap((tool) => tool.provides))];
}
