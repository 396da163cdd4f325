/**
 * A grant for one call ("allow once", `engine/skills_api/once_grants.ts`)
 * laid over the owner's stored grants for that call alone: the runner's
 * options as this call sees them. It applies only when the call runs the
 * skill and tool the grant names; nested calls never carry it.
 *
 * @module
 */
import type { OnceGrant } from "../grants/mod.ts";
import type { SkillEntry } from "../skills/mod.ts";
import type { RunRequest, SkillRunnerOptions } from "./run_types.ts";

/**
 * The runner's options with a call's once-grant laid over its skill's grants.
 *
 * @param options the runner's options
 * @param request the call (its skill, tool and once-grant)
 * @returns the options this call runs with (the same object without a grant)
 */
export function withOnceGrant(
  options: SkillRunnerOptions,
  request: RunRequest,
): SkillRunnerOptions {
  const once = request.once;
  if (!once || once.skill !== request.skill || once.tool !== request.tool) {
    return options;
  }
  const mine = (skill: SkillEntry) => skill.id === once.skill;
  return { ...options, ...overlay(options, once, mine) };
}

function overlay(
  options: SkillRunnerOptions,
  once: OnceGrant,
  mine: (skill: SkillEntry) => boolean,
): Partial<SkillRunnerOptions> {
  switch (once.kind) {
    case "host":
      return {
        grants: (skill) => {
          const grants = options.grants(skill);
          if (!mine(skill)) return grants;
          return { ...grants, hosts: [...grants.hosts, once.host] };
        },
      };
    case "secrets":
      return {
        realValues: (skill) =>
          mine(skill) || options.realValues?.(skill) === true,
      };
    case "keychain":
      return {
        keychainGrants: (skill) => {
          const granted = options.keychainGrants?.(skill) ?? [];
          return mine(skill) ? [...granted, once.item] : granted;
        },
      };
    default:
      return {};
  }
}
