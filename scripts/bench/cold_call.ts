/**
 * Figure: a call of a no-op capability with no spare worker, against a bare
 * sandboxed interpreter start timed in turn with it.
 *
 * @module
 */
import { EngineProcess } from "../../tests/_engine_process.ts";
import type { Figures } from "./figures.ts";
import { interleaved } from "./interleaved.ts";
import { run } from "./measure.ts";
import { addNoopSkill, invokeNoop } from "./noop_skill.ts";

/**
 * Measures `runs` cold calls on an engine of its own with no spares, in
 * turn with as many bare sandboxed starts (`sandboxedArgv`).
 */
export async function coldCallFigure(
  figures: Figures,
  runs: number,
  sandboxedArgv: string[],
): Promise<void> {
  await using cold = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const coldClient = await cold.client();
  await addNoopSkill(coldClient);
  await invokeNoop(coldClient);
  const [coldCalls, starts] = await interleaved(runs, [
    () => invokeNoop(coldClient),
    () => run(sandboxedArgv),
  ]);
  figures.record(
    "cold call of a no-op capability (capability.invoke, no spare worker; its launcher parked ahead)",
    "ms",
    coldCalls,
    { name: "bare sandboxed start, interleaved", samples: starts },
    "≤ 1.3×",
  );
}
