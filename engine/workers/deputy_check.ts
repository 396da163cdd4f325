/**
 * The confused deputy through `capability.call`: a provider the owner
 * granted local access (`--read`, `--run` with its folder, `--config`,
 * `--net`, `--keychain`) serves a calling skill only when the owner granted
 * that skill the same, so one skill's grant never becomes another's data
 * (`tests/hostile_local_deputy_test.ts`). The owner's own calls (apps, MCP
 * clients, the CLI) are not skills' calls and are served as before; an
 * "allow once" for the nested run is the owner's approval of that run and
 * is not counted (the check reads the stored grants).
 *
 * @module
 */
import {
  deputyRefusal,
  type LocalGrants,
  missingLocalGrants,
} from "../grants/mod.ts";
import type { SkillEntry } from "../skills/mod.ts";
import type { RunRequest, SkillRunnerOptions } from "./run_types.ts";

/**
 * A skill's stored local grants.
 *
 * @param options the runner's options (the owner's stored grants)
 * @param skill the skill
 * @returns its `--read`, `--run` and `--keychain` grants
 */
export function localGrantsOf(
  options: Pick<
    SkillRunnerOptions,
    "readGrants" | "runGrants" | "keychainGrants"
  >,
  skill: SkillEntry,
): LocalGrants {
  return {
    reads: options.readGrants?.(skill).paths ?? [],
    runs: options.runGrants?.(skill) ?? {},
    keychain: options.keychainGrants?.(skill) ?? [],
  };
}

/**
 * Refuses a nested run whose provider holds local grants its calling skill
 * lacks.
 *
 * @param options the runner's stored grants and registry
 * @param request the run (its chain names the calling skill last)
 * @throws {RpcError} Forbidden naming the grants the caller lacks
 */
export function refuseDeputy(
  options: SkillRunnerOptions,
  request: RunRequest,
): void {
  const caller = request.chain?.at(-1);
  if (caller === undefined) return;
  const { registry } = options;
  const missing = missingLocalGrants(
    localGrantsOf(options, registry.get(request.skill)),
    localGrantsOf(options, registry.get(caller)),
  );
  if (missing.length === 0) return;
  throw deputyRefusal({
    provider: request.skill,
    caller,
    name: request.capability ?? request.tool,
    missing,
  });
}
