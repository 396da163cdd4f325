/**
 * Figures: the engine's resident memory idle and at its peak during 100
 * concurrent calls (the second half of `--only process`).
 *
 * @module
 */
import { rssMb } from "../../bench/proc_stats.ts";
import { EngineProcess } from "../../tests/_engine_process.ts";
import { REPO_ROOT } from "../../tests/_task_command.ts";
import type { BenchContext } from "./context.ts";
import { settled } from "./settled.ts";

/** Measures an engine of its own, with the mixed bench skill installed. */
export async function memoryFigures({ figures }: BenchContext): Promise<void> {
  await using engine = await EngineProcess.start();
  const pid = engine.child.pid;
  const client = await engine.client();
  await client.call("skills.add", { path: `${REPO_ROOT}/bench/skills/mixed` });
  await settled(pid);
  const idle = rssMb(pid);
  figures.add({
    name: "idle engine RSS",
    unit: "MB",
    median: idle,
    p90: idle,
    target: "≤ 100 MB",
  });

  const peak: number[] = [];
  const sampler = setInterval(() => peak.push(rssMb(pid)), 10);
  try {
    await Promise.all(
      Array.from({ length: 100 }, () =>
        client.call("capability.invoke", {
          name: "bench_sleep",
          params: { ms: 1000 },
        })),
    );
  } finally {
    clearInterval(sampler);
  }
  const max = Math.max(...peak);
  figures.add({
    name: "engine RSS during 100 concurrent calls (peak)",
    unit: "MB",
    median: max,
    p90: max,
    target: "≤ 300 MB",
  });
}
