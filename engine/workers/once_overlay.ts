/**
 * A grant for one call ("allow once", `engine/skills_api/once_grants.ts`)
 * laid over the owner's stored grants for that call alone: the runner's
 * options as this call sees them. It applies only when the call runs the
 * skill and tool the grant names; nested calls never carry it. A grant
 * refused to a provider reached through `capability.call` (`via`) is
 * carried down the retried call's nested calls instead and applies to the
 * first nested run of its skill and tool alone (`call_serve.ts`).
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
  const once = ownOnce(request) ?? nestedOnce(request);
  if (!once) return options;
  const mine = (skill: SkillEntry) => skill.id === once.skill;
  return { ...options, ...overlay(options, once, mine) };
}

/** The call's own once-grant, when it names this call's skill and tool. */
function ownOnce(request: RunRequest): OnceGrant | undefined {
  const once = request.once;
  if (!once || once.via) return undefined;
  return once.skill === request.skill && once.tool === request.tool
    ? once
    : undefined;
}

/** A retried call's grant for this nested run: spent by the first that matches. */
function nestedOnce(request: RunRequest): OnceGrant | undefined {
  const held = request.nestedOnce;
  if (!held || held.spent || (request.chain ?? []).length === 0) {
    return undefined;
  }
  const { grant } = held;
  if (grant.skill !== request.skill || grant.tool !== request.tool) {
    return undefined;
  }
  held.spent = true;
  return grant;
}

/**
 * The vault as this call sees it: the rows of the grant's domain (and of
 * its subdomains) list the grant's skill among their users.
 */
function onceVault(
  vault: SkillRunnerOptions["vault"],
  once: OnceGrant & { kind: "credential" },
): SkillRunnerOptions["vault"] {
  if (!vault) return vault;
  const covers = (domain: string) =>
    domain === once.domain || domain.endsWith(`.${once.domain}`);
  const set = vault.set;
  return {
    list: () =>
      vault.list().map((row) =>
        covers(row.domain)
          ? { ...row, users: [...(row.users ?? []), once.skill] }
          : row
      ),
    read: (domain, identifier) => vault.read(domain, identifier),
    skillRows: (skill) => vault.skillRows(skill),
    readForSkill: (skill, identifier) => vault.readForSkill(skill, identifier),
    ...(set ? { set: (...args) => set.apply(vault, args) } : {}),
  };
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
    case "program":
      return {
        runGrants: (skill) => {
          const granted = options.runGrants?.(skill) ?? {};
          if (!mine(skill) || once.path === undefined) return granted;
          // The minimal grant: no folder, no config, no network.
          return {
            ...granted,
            [once.program]: { path: once.path, config: [], net: false },
          };
        },
      };
    case "credential":
      return { vault: onceVault(options.vault, once) };
    case "read":
      return {
        readGrants: (skill) => {
          const granted = options.readGrants?.(skill) ?? { paths: [] };
          if (!mine(skill)) return granted;
          return {
            ...granted,
            paths: [...granted.paths, once.path],
            ...(once.pin
              ? { pins: { ...granted.pins, [once.path]: once.pin } }
              : {}),
          };
        },
      };
    default:
      return {};
  }
}
