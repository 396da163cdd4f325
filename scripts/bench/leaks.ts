/**
 * Figures: memory, descriptors and processes after thousands of mixed calls
 * (ok, failing, timing out, killed by their caller) (`--only leaks`).
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { RpcClient } from "../../engine/rpc/mod.ts";
import { openFds, orphansMatching, rssMb } from "../../bench/proc_stats.ts";
import { EngineProcess } from "../../tests/_engine_process.ts";
import { REPO_ROOT } from "../../tests/_task_command.ts";
import type { BenchContext } from "./context.ts";
import { pause } from "./measure.ts";
import { addNoopSkill } from "./noop_skill.ts";
import { settled } from "./settled.ts";

/** In every worker's command line. */
const WORKER_SCRIPT = "/sdk/worker_main.py";

/** One call of a mixed run: ok, failing, timing out or killed by its caller. */
async function mixedCall(
  client: RpcClient,
  socket: string,
  i: number,
): Promise<void> {
  const kind = i % 20;
  if (kind < 14) {
    await client.call("capability.invoke", { name: "bench_noop", params: {} });
  } else if (kind < 17) {
    await client.call("capability.invoke", { name: "bench_fail", params: {} })
      .catch(() => {});
  } else if (kind < 19) {
    await client.call("capability.invoke", { name: "bench_hang", params: {} })
      .catch(() => {});
  } else {
    // Closing the connection cancels its calls: the engine kills the worker.
    const own = await RpcClient.connect(socket);
    const call = own.call("capability.invoke", {
      name: "bench_sleep",
      params: { ms: 10_000 },
    }).catch(() => {});
    await pause(100);
    await own.close();
    await call;
  }
}

/** Kinds of descriptors and how many of each: what grew, when numbers differ. */
function fdKinds(fds: Map<string, string>): string {
  const counts: Record<string, number> = {};
  for (const target of fds.values()) {
    const kind = target.startsWith("/") ? "file" : target.split(":")[0]!;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

/** The engine's processes, memory and descriptors at one moment. */
interface EngineState {
  processes: number;
  rss: number;
  fds: Map<string, string>;
}

/** The engine's state once its process count has settled. */
async function engineState(pid: number): Promise<EngineState> {
  return {
    processes: await settled(pid),
    rss: rssMb(pid),
    fds: openFds(pid),
  };
}

/**
 * A runner of mixed calls numbered on from the last run: `count` calls,
 * `parallel` at a time.
 */
function mixedRunner(
  client: RpcClient,
  socket: string,
): (count: number, parallel: number) => Promise<void> {
  let next = 0;
  return async (count, parallel) => {
    const end = next + count;
    await Promise.all(Array.from({ length: parallel }, async () => {
      while (next < end) {
        await mixedCall(client, socket, next++);
        if (next % 1000 === 0) console.error(`  leaks: ${next} calls`);
      }
    }));
  };
}

/** Runs 400 (quick) or 10,000 mixed calls, 8 at a time, on its own engine. */
export async function leakFigures(
  { quick, figures }: BenchContext,
): Promise<void> {
  const total = quick ? 400 : 10_000;
  await using engine = await EngineProcess.start();
  const pid = engine.child.pid;
  const client = await engine.client();
  await addNoopSkill(client);
  await client.call("skills.add", { path: `${REPO_ROOT}/bench/skills/mixed` });
  const mixed = mixedRunner(client, engine.paths.socket);
  // Warm up with a tenth of the run: JIT, caches, the pool at its size, and
  // V8 sizing its heap (RSS climbs for the first ~1,000 calls, then holds).
  await mixed(total / 10, 8);
  const orphansBefore = orphansMatching(WORKER_SCRIPT).length;
  const before = await engineState(pid);
  // RSS every tenth of the run: a leak climbs, a settled heap wobbles.
  const rssSamples: number[] = [];
  for (let part = 0; part < 10; part++) {
    await mixed(total / 10, 8);
    rssSamples.push(rssMb(pid));
  }
  const after = await engineState(pid);
  if (after.fds.size > before.fds.size) {
    // Spares come and go, so numbers differ; kinds say what grew.
    console.error(`  leaks: fds before ${fdKinds(before.fds)}`);
    console.error(`  leaks: fds after  ${fdKinds(after.fds)}`);
  }
  const orphans = orphansMatching(WORKER_SCRIPT).length - orphansBefore;
  const leftover = Math.max(0, after.processes - before.processes) +
    Math.max(0, orphans);
  addLeakFigures(figures, { total, before, after, rssSamples, leftover });
}

/** What one leak run measured. */
interface LeakRun {
  total: number;
  before: EngineState;
  after: EngineState;
  rssSamples: number[];
  leftover: number;
}

/** RSS after and at its highest, descriptors, and processes left over. */
function addLeakFigures(
  figures: BenchContext["figures"],
  { total, before, after, rssSamples, leftover }: LeakRun,
): void {
  const label = `after ${total} mixed calls (ok, failing, timing out, killed)`;
  const highest = Math.max(...rssSamples);
  figures.add({
    name: `engine RSS ${label}`,
    unit: "MB",
    median: after.rss,
    p90: after.rss,
    baseline: { name: "engine RSS before", median: before.rss },
    ratio: after.rss / before.rss,
    target: "≤ 1.1×",
  }, {
    name: `highest engine RSS of 10 samples during the ${total} calls`,
    unit: "MB",
    median: highest,
    p90: highest,
    baseline: { name: "engine RSS before", median: before.rss },
    ratio: highest / before.rss,
  }, {
    name: `open file descriptors ${label}`,
    unit: "fds",
    median: after.fds.size,
    p90: after.fds.size,
    baseline: { name: "open fds before", median: before.fds.size },
    ratio: after.fds.size / before.fds.size,
    target: "no growth",
  }, {
    name: `leftover processes ${label}`,
    unit: "processes",
    median: leftover,
    p90: leftover,
    target: "0",
  });
}
