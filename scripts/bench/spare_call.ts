/**
 * Figure: a call served by a spare worker, against a bare sandboxed
 * interpreter start timed in turn with it.
 *
 * @module
 */
import type { RpcClient } from "../../engine/rpc/mod.ts";
import type { Figures } from "./figures.ts";
import { interleaved } from "./interleaved.ts";
import { run } from "./measure.ts";
import { invokeNoop } from "./noop_skill.ts";

/**
 * Measures `runs` calls on an engine that keeps spares (`warmClient`, the
 * no-op skill installed), one at a time with time for the pool to refill,
 * in turn with as many bare sandboxed starts (`sandboxedArgv`).
 */
export async function spareCallFigure(
  figures: Figures,
  runs: number,
  warmClient: RpcClient,
  sandboxedArgv: string[],
): Promise<void> {
  await invokeNoop(warmClient);
  const [spareCalls, starts] = await interleaved(
    runs,
    [() => invokeNoop(warmClient), () => run(sandboxedArgv)],
    150, // let the pool refill
  );
  figures.record(
    "call served by a spare worker (capability.invoke)",
    "ms",
    spareCalls,
    { name: "bare sandboxed start, interleaved", samples: starts },
    "≤ 0.15×",
  );
}
