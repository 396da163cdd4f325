/**
 * Figure: a call of a no-op capability with no spare worker, against a bare
 * sandboxed interpreter start.
 *
 * @module
 */
import { EngineProcess } from "../../tests/_engine_process.ts";
import type { BaselineSamples, Figures } from "./figures.ts";
import { timed } from "./measure.ts";
import { addNoopSkill, invokeNoop } from "./noop_skill.ts";

/** Measures `runs` cold calls on an engine of its own with no spares. */
export async function coldCallFigure(
  figures: Figures,
  runs: number,
  sandboxedStart: BaselineSamples,
): Promise<void> {
  await using cold = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const coldClient = await cold.client();
  await addNoopSkill(coldClient);
  await invokeNoop(coldClient);
  const coldCalls = await timed(() => invokeNoop(coldClient), runs);
  figures.record(
    "cold call of a no-op capability (capability.invoke, no spare worker; its launcher parked ahead)",
    "ms",
    coldCalls,
    sandboxedStart,
    "≤ 1.3×",
  );
}
