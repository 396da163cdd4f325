import {
  missingPackages,
  packageState,
  type SkillEntry,
} from "../skills/mod.ts";
import type { SparePool } from "./spare_pool.ts";
import type { WorkerProcess } from "./worker_process.ts";

/** Where a call's worker comes from. */
export interface WorkerSource {
  pool: SparePool;
  /** Skills' own Python packages: where installs live, and how to start a worker that sees one. */
  packages?: { root: string; spawn: (dir: string) => WorkerProcess };
}

/**
 * A spare worker, or a fresh one with the skill's packages mounted when
 * it has some (a spare has no skill's packages).
 *
 * @param skill the skill about to run
 * @param source the spare pool and the packages
 * @returns the worker and whether it was a spare
 * @throws {RpcError} when the skill's packages are not installed
 */
export async function takeWorker(
  skill: SkillEntry,
  source: WorkerSource,
): Promise<{ worker: WorkerProcess; spare: boolean }> {
  const { packages, pool } = source;
  if (packages === undefined) return pool.take();
  const state = await packageState(skill, packages.root);
  if (state.kind === "missing") throw missingPackages(skill.id, state);
  if (state.kind === "none") return pool.take();
  return { worker: packages.spawn(state.path), spare: false };
}
