import { ErrorCode, RpcError } from "../errors.ts";
import type { ReadGrants } from "./read_grants.ts";
import type { RunGrant } from "./run_grants.ts";

/**
 * What the owner let a skill reach of this machine: `--read` paths,
 * `--run` programs (with their folder, `--write`, `--config` and `--net`)
 * and `--keychain` items. Host grants and credentials are not among them:
 * they reach a remote service, what a capability's provider is for, and a
 * provider's values never cross back to a calling skill.
 */
export interface LocalGrants {
  reads: ReadGrants["paths"];
  runs: Record<string, RunGrant>;
  keychain: string[];
}

function covers(granted: string | undefined, path: string): boolean {
  if (granted === undefined) return false;
  const dir = granted.endsWith("/") ? granted : `${granted}/`;
  return path === granted || path.startsWith(dir);
}

/** The grants of one program `held` lacks, as `skills allow` flags. */
function missingRun(
  name: string,
  wanted: RunGrant,
  held: RunGrant | undefined,
): string[] {
  if (!held || held.path !== wanted.path) {
    return [`--run ${name}${wanted.cwd ? ` --cwd ${wanted.cwd}` : ""}`];
  }
  const missing: string[] = [];
  if (wanted.cwd !== undefined && !covers(held.cwd, wanted.cwd)) {
    missing.push(`--run ${name} --cwd ${wanted.cwd}`);
  }
  if (wanted.write && !(held.write && covers(held.cwd, wanted.cwd ?? ""))) {
    missing.push(`--run ${name} --write`);
  }
  for (const dir of wanted.config) {
    if (!held.config.some((c) => covers(c, dir))) {
      missing.push(`--run ${name} --config ${dir}`);
    }
  }
  if (wanted.net && !held.net) missing.push(`--run ${name} --net`);
  return missing;
}

/**
 * The local grants of `provider` that `caller` does not hold itself (the
 * same path or one under a folder it holds, the same program with the same
 * or a wider grant, the same keychain item), as `skills allow` flags.
 *
 * @param provider the local grants of the skill that would serve the call
 * @param caller the local grants of the calling skill
 * @returns the flags, empty when the caller holds them all
 */
export function missingLocalGrants(
  provider: LocalGrants,
  caller: LocalGrants,
): string[] {
  const missing: string[] = [];
  for (const path of provider.reads) {
    if (!caller.reads.some((held) => covers(held, path))) {
      missing.push(`--read ${path}`);
    }
  }
  for (const [name, wanted] of Object.entries(provider.runs)) {
    missing.push(...missingRun(name, wanted, caller.runs[name]));
  }
  for (const item of provider.keychain) {
    if (!caller.keychain.includes(item)) {
      missing.push(`--keychain ${JSON.stringify(item)}`);
    }
  }
  return missing;
}

/**
 * Whether a skill holds any local grant.
 *
 * @param grants its local grants
 * @returns true when it holds one
 */
export function holdsLocalGrants(grants: LocalGrants): boolean {
  return grants.reads.length > 0 || Object.keys(grants.runs).length > 0 ||
    grants.keychain.length > 0;
}

/**
 * The refusal of a provider serving a calling skill that lacks its local
 * grants: the confused deputy (the owner's grant to one skill turned into
 * data for another). Forbidden, so the capability broker moves on to the
 * next provider.
 *
 * @param call the provider, the calling skill, the capability and the
 *   flags the caller lacks
 * @returns the error to throw
 */
export function deputyRefusal(
  call: { provider: string; caller: string; name: string; missing: string[] },
): RpcError {
  const { provider, caller, name, missing } = call;
  return new RpcError(
    ErrorCode.Forbidden,
    `Skill "${provider}" may not serve capability.call "${
      name.slice(0, 100)
    }" from skill "${caller}": it holds local grants the caller does not (${
      missing.join("; ")
    }), and a provider with the owner's local grants serves only skills the owner granted the same. To allow it, grant the caller the same: agentos skills allow ${caller} ${
      missing[0]
    }`,
    { check: "deputy", provider, caller, missing },
  );
}
