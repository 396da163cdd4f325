/**
 * Figures: fresh-process calls per second from 4 clients, against parallel
 * bare sandboxed starts; and the CPU time each costs, which a loaded host
 * disturbs far less than the rate. The three loops (2 and 4 loops of bare
 * starts, 4 clients of calls) run in turn in short blocks, so drift and
 * other work on the host fall on each alike.
 *
 * @module
 */
import type { RpcClient } from "../../engine/rpc/mod.ts";
import { cpuMs, treeCpuMs } from "../../bench/proc_stats.ts";
import type { Figures } from "./figures.ts";
import { rate, run } from "./measure.ts";
import { invokeNoop } from "./noop_skill.ts";

/** Completions and seconds of one kind of loop over its blocks. */
interface Tally {
  done: number;
  seconds: number;
  cpuMs: number;
}

/**
 * Measures for 3 s (quick) or 8 s of each loop, in blocks of 1 s taken in
 * turn: the machine's best rate of bare sandboxed starts (`sandboxedArgv`)
 * and the engine's rate of calls (`warm.pid`: the engine behind
 * `warm.client`, for its CPU time).
 */
export async function sustainedRateFigure(
  figures: Figures,
  quick: boolean,
  warm: { client: RpcClient; pid: number },
  sandboxedArgv: string[],
): Promise<void> {
  // The baseline is the best the machine does: on 2 cores, 2 loops of
  // bare starts leave a little idle time that 4 loops fill.
  const blocks = quick ? 3 : 8;
  const tally = (): Tally => ({ done: 0, seconds: 0, cpuMs: 0 });
  const bare2 = tally(), bare4 = tally(), calls = tally();
  const bareBlock = async (loops: number, into: Tally) => {
    const before = cpuMs("self").reaped;
    await block(loops, into, () => run(sandboxedArgv));
    into.cpuMs += cpuMs("self").reaped - before;
  };
  const callBlock = async () => {
    const before = treeCpuMs(warm.pid);
    await block(4, calls, () => invokeNoop(warm.client));
    calls.cpuMs += cpuDelta(before, treeCpuMs(warm.pid));
  };
  for (let i = 0; i < blocks; i++) {
    const turn = [
      () => bareBlock(2, bare2),
      () => bareBlock(4, bare4),
      callBlock,
    ];
    for (const step of i % 2 === 0 ? turn : turn.reverse()) await step();
  }
  const perSecond = (t: Tally) => t.done / t.seconds;
  const best = perSecond(bare2) >= perSecond(bare4) ? bare2 : bare4;
  figures.record(
    "sustained fresh-process calls (calls/s, 4 clients)",
    "calls/s",
    [perSecond(calls)],
    {
      name:
        "parallel bare sandboxed starts/s (best of 2 and 4 loops, interleaved)",
      samples: [perSecond(best)],
    },
    "≥ 0.8×",
  );
  const bareCpu = (bare2.cpuMs + bare4.cpuMs) / (bare2.done + bare4.done);
  figures.record(
    "CPU time per call in that run (engine, worker, launcher, cgroup keeper)",
    "ms",
    [calls.cpuMs / calls.done],
    { name: "CPU time per bare sandboxed start", samples: [bareCpu] },
    "≤ 1.25× (the rate's 0.8× when CPU-bound)",
  );
}

/** One 1-s block of `loops` loops of `task`, added to `into`. */
async function block(
  loops: number,
  into: Tally,
  task: () => Promise<unknown>,
): Promise<void> {
  let done = 0;
  const start = performance.now();
  await rate(loops, 1000, () => task().then(() => done++));
  into.seconds += (performance.now() - start) / 1000;
  into.done += done;
}

/** CPU time (ms) the processes of `before` spent until `after`. */
function cpuDelta(before: Map<number, number>, after: Map<number, number>) {
  let sum = 0;
  for (const [pid, ms] of after) {
    if (before.has(pid)) sum += ms - before.get(pid)!;
  }
  return sum;
}
