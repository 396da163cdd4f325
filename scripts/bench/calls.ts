/**
 * Figures of skill calls (`--only calls`): bare interpreter starts, the cold
 * call, the spare-served call and the sustained rate, each against bare
 * sandboxed starts measured interleaved with it (one of each in turn, so
 * drift and other work on the host hit both sides alike); and what a
 * call's cgroup costs.
 *
 * @module
 */
import { EngineProcess } from "../../tests/_engine_process.ts";
import { bareStart } from "./bare_start.ts";
import { cgroupCostFigure } from "./cgroup_cost.ts";
import { coldCallFigure } from "./cold_call.ts";
import type { BenchContext } from "./context.ts";
import { run } from "./measure.ts";
import { addNoopSkill } from "./noop_skill.ts";
import { spareCallFigure } from "./spare_call.ts";
import { sustainedRateFigure } from "./sustained_rate.ts";
import { interleaved } from "./interleaved.ts";

/** Measures the call figures, each engine started for it with its spares. */
export async function callFigures(
  { quick, figures }: BenchContext,
): Promise<void> {
  const runs = quick ? 15 : 40;
  const sandboxedArgv = await bareStart(true);
  const bareArgv = await bareStart(false);
  await run(sandboxedArgv); // warm the page cache
  const [plainStart, sandboxedStart] = await interleaved(runs, [
    () => run(bareArgv),
    () => run(sandboxedArgv),
  ]);
  figures.record(
    "bare interpreter start, no sandbox (python3 -I -S -c pass)",
    "ms",
    plainStart,
    { name: "bare sandboxed start, interleaved", samples: sandboxedStart },
  );

  await cgroupCostFigure(figures, runs);
  await coldCallFigure(figures, runs, sandboxedArgv);

  await using warm = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "2" },
  });
  const warmClient = await warm.client();
  await addNoopSkill(warmClient);
  await spareCallFigure(figures, runs, warmClient, sandboxedArgv);
  await sustainedRateFigure(
    figures,
    quick,
    { client: warmClient, pid: warm.child.pid },
    sandboxedArgv,
  );
}
