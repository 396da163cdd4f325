/**
 * Figure: what a call's cgroup costs — the launcher making and joining it
 * (pids, memory, cpu) before it runs a program, and releasing it after —
 * against the same launcher with no cgroup. Only the start is on a cold
 * call's path; a spare worker's cgroup is made before the call, and the
 * release runs after the answer.
 *
 * @module
 */
import {
  CgroupTree,
  DEFAULT_LIMITS,
  launcherCommand,
  readHostFacts,
} from "../../engine/sandbox/mod.ts";
import type { Figures } from "./figures.ts";
import { timed } from "./measure.ts";

/** Measures `runs` launches of `/bin/true` with and without a cgroup. */
export async function cgroupCostFigure(
  figures: Figures,
  runs: number,
): Promise<void> {
  const tree = await CgroupTree.open(await readHostFacts("/bin/sh"));
  if (tree.kind === "none") {
    figures.record(`a call's cgroup: none here (${tree.detail})`, "ms", [0]);
    return;
  }
  try {
    const launch = async (withCgroup: boolean) => {
      const cgroup = withCgroup ? tree.create() : undefined;
      const { program, args, env } = launcherCommand({
        filterPath: "/dev/null",
        limits: DEFAULT_LIMITS,
        processes: DEFAULT_LIMITS.processes,
        cgroupDirs: cgroup?.dirs ?? [],
        argv: ["/bin/true"],
      });
      const { success } = await new Deno.Command(program, {
        args,
        env,
        clearEnv: true,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).output();
      if (!success) throw new Error("the launcher failed");
      await cgroup?.release();
    };
    const bare = {
      name: "launcher of /bin/true, no cgroup",
      samples: await timed(() => launch(false), runs),
    };
    figures.record(
      "launcher of /bin/true in a fresh cgroup, released after (make, join, kill sweep, rmdir)",
      "ms",
      await timed(() => launch(true), runs),
      bare,
    );
  } finally {
    await tree.close();
  }
}
