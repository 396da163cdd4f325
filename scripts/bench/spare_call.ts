/**
 * Figure: a call served by a spare worker, against a bare sandboxed
 * interpreter start.
 *
 * @module
 */
import type { RpcClient } from "../../engine/rpc/mod.ts";
import type { BaselineSamples, Figures } from "./figures.ts";
import { pause, timed } from "./measure.ts";
import { invokeNoop } from "./noop_skill.ts";

/**
 * Measures `runs` calls on an engine that keeps spares (`warmClient`, the
 * no-op skill installed), one at a time with time for the pool to refill.
 */
export async function spareCallFigure(
  figures: Figures,
  runs: number,
  warmClient: RpcClient,
  sandboxedStart: BaselineSamples,
): Promise<void> {
  await invokeNoop(warmClient);
  const spareCalls: number[] = [];
  for (let i = 0; i < runs; i++) {
    await pause(150); // let the pool refill
    spareCalls.push(...await timed(() => invokeNoop(warmClient), 1));
  }
  figures.record(
    "call served by a spare worker (capability.invoke)",
    "ms",
    spareCalls,
    sandboxedStart,
    "≤ 0.15×",
  );
}
