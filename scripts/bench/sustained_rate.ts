/**
 * Figures: fresh-process calls per second from 4 clients, against parallel
 * bare sandboxed starts; and the CPU time each costs, which a loaded host
 * disturbs far less than the rate.
 *
 * @module
 */
import type { RpcClient } from "../../engine/rpc/mod.ts";
import { cpuMs, treeCpuMs } from "../../bench/proc_stats.ts";
import type { Figures } from "./figures.ts";
import { rate, run } from "./measure.ts";
import { invokeNoop } from "./noop_skill.ts";

/**
 * Measures for 3 s (quick) or 8 s each: the machine's best rate of bare
 * sandboxed starts (`sandboxedArgv`) and the engine's rate of calls
 * (`enginePid`: the engine behind `warmClient`, for its CPU time).
 */
export async function sustainedRateFigure(
  figures: Figures,
  quick: boolean,
  warm: { client: RpcClient; pid: number },
  sandboxedArgv: string[],
): Promise<void> {
  // The baseline is the best the machine does: on 2 cores, 2 loops of
  // bare starts leave a little idle time that 4 loops fill.
  const ms = quick ? 3000 : 8000;
  let starts = 0;
  const bareRun = () => run(sandboxedArgv).then(() => starts++);
  const before = cpuMs("self").reaped;
  const bareRate = Math.max(
    await rate(2, ms, bareRun),
    await rate(4, ms, bareRun),
  );
  const bareCpu = (cpuMs("self").reaped - before) / starts;
  let calls = 0;
  const engineBefore = treeCpuMs(warm.pid);
  const callRate = await rate(
    4,
    ms,
    () => invokeNoop(warm.client).then(() => calls++),
  );
  const callCpu = cpuDelta(engineBefore, treeCpuMs(warm.pid)) / calls;
  figures.record(
    "sustained fresh-process calls (calls/s, 4 clients)",
    "calls/s",
    [callRate],
    {
      name: "parallel bare sandboxed starts/s (best of 2 and 4 loops)",
      samples: [bareRate],
    },
    "≥ 0.8×",
  );
  figures.record(
    "CPU time per call in that run (engine, worker, launcher, cgroup keeper)",
    "ms",
    [callCpu],
    { name: "CPU time per bare sandboxed start", samples: [bareCpu] },
    "≤ 1.25× (the rate's 0.8× when CPU-bound)",
  );
}

/** CPU time (ms) the processes of `before` spent until `after`. */
function cpuDelta(before: Map<number, number>, after: Map<number, number>) {
  let sum = 0;
  for (const [pid, ms] of after) {
    if (before.has(pid)) sum += ms - before.get(pid)!;
  }
  return sum;
}
