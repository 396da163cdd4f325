/**
 * Figures: the worker wire (`--only wire`). Another connection's
 * `graph.list` while a hostile call (the wire-hog skill) returns results
 * of 15 MiB, while one writes log lines of 15 MiB in a loop, and while
 * one returns 10,000 small records (checked and rehearsed in the graph on
 * the main thread, 100 to a transaction), against `graph.list` with
 * nothing else running — both in this run. Before the
 * wire worker (`engine/workers/_wire_pool.ts`) each such line was decoded
 * and parsed on the engine's main thread, and the result serialised
 * there again for its reply.
 *
 * @module
 */
import { REPO_ROOT } from "../../tests/_task_command.ts";
import type { BenchContext } from "./context.ts";
import { addStallFigures } from "./stall_figures.ts";
import { timed } from "./measure.ts";

/** The hostile calls: what each does, its tool and params, how many runs. */
const PUSHES: [string, string, Record<string, unknown>][] = [
  ["returns a 15 MiB result", "result", { mib: 15 }],
  ["writes 14 log lines of 15 MiB", "logs", { mib: 15, count: 14 }],
  ["returns 10,000 records of 200 characters", "records", {
    count: 10_000,
    chars: 200,
  }],
];

/** graph.list on one client while another runs each hostile call. */
export async function wireStallFigures(context: BenchContext): Promise<void> {
  const { client, engine, quick } = context;
  await client.call("skills.add", {
    path: `${REPO_ROOT}tests/fixtures/hostile/wire-hog`,
  });
  const other = await engine.client();
  const list = () => other.call("graph.list", { shape: "task", limit: 50 });
  const idle = await timed(list, 500);
  for (const [what, tool, params] of PUSHES) {
    const runs = quick ? 2 : tool === "result" ? 8 : 3;
    // Not remembered: each run rehearses its records (the same checks and
    // writes, rolled back), so the graph does not grow between runs.
    let running = true;
    const push = (async () => {
      for (let i = 0; i < runs; i++) {
        await client.call("skills.run", {
          skill: "wire-hog",
          tool,
          params,
          remember: false,
        }, { timeoutMs: 180_000 });
      }
    })().finally(() => running = false);
    const loaded: number[] = [];
    while (running) loaded.push(...await timed(list, 1));
    await push;
    record(context.figures, `a call ${what} (${runs} runs)`, loaded, idle);
  }
}

/** The figures of one push: p99 against idle, and the longest call. */
function record(
  figures: BenchContext["figures"],
  what: string,
  loaded: number[],
  idle: number[],
): void {
  addStallFigures(
    figures,
    {
      p99:
        `graph.list p99 on another connection while ${what} (${loaded.length} calls)`,
      longest: `longest graph.list on another connection while ${what}`,
    },
    loaded,
    idle,
  );
}
