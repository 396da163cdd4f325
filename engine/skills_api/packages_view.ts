/**
 * A skill's Python packages as `skills.list` shows them: what it needs
 * (declared, or inferred from its imports), whether they are installed,
 * and the one command that installs them.
 *
 * @module
 */
import {
  packageState,
  type SkillEntry,
  skillRequirements,
} from "../skills/mod.ts";

/** What `skills.list` says of a skill's packages (null: it needs none). */
export type PackagesView = {
  requires: string[];
  inferred: boolean;
  state: "installed" | "missing" | "invalid";
  command?: string;
} | null;

/**
 * The packages view of one skill.
 *
 * @param skill the skill
 * @param root `$AGENTOS_HOME/skill-packages`
 * @returns its packages, or null when it needs none
 */
export async function packagesView(
  skill: SkillEntry,
  root: string,
): Promise<PackagesView> {
  const command = `agentos skills deps ${skill.id}`;
  let needs: { requires: string[]; inferred: boolean };
  try {
    needs = skillRequirements(skill.discovery);
  } catch {
    // A malformed requires: (skills validate says why).
    return { requires: [], inferred: false, state: "invalid" };
  }
  if (needs.requires.length === 0) return null;
  const state = await packageState(skill, root);
  return state.kind === "installed"
    ? { ...needs, state: "installed" }
    : { ...needs, state: "missing", command };
}
