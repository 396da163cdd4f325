/**
 * Figure: what a call's cgroup costs on a cold call's path — the launcher
 * setting the limits of a cgroup the engine's keeper made ahead of need
 * (pids, memory, cpu) and joining it before it runs a program — against
 * the same launcher with no cgroup. Releases go to the keeper in batches,
 * off the path, as after a call's answer; the run waits for them at its
 * end.
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
import { realPython } from "../../tests/_task_command.ts";

/** Measures `runs` launches of `/bin/true` with and without a cgroup. */
export async function cgroupCostFigure(
  figures: Figures,
  runs: number,
): Promise<void> {
  const tree = await CgroupTree.open({
    ...await readHostFacts("/bin/sh"),
    python: realPython(),
  });
  if (tree.kind === "none") {
    figures.record(`a call's cgroup: none here (${tree.detail})`, "ms", [0]);
    return;
  }
  const releases: Promise<number>[] = [];
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
      if (cgroup) releases.push(cgroup.release());
    };
    const bare = {
      name: "launcher of /bin/true, no cgroup",
      samples: await timed(() => launch(false), runs),
    };
    figures.record(
      "launcher of /bin/true in a call cgroup made ahead (set limits, join; released in batches off the path)",
      "ms",
      await timed(() => launch(true), runs),
      bare,
    );
  } finally {
    await Promise.allSettled(releases);
    await tree.close();
  }
}
