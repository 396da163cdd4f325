/**
 * `deno task bench`: measures the engine against baselines taken in the
 * same run on the same machine, prints one table and writes it as JSON to
 * bench/results/<date>.json. Benchmarks are not tests: nothing asserts.
 *
 *   deno task bench [--quick] [--only name,name]
 *
 * Names: status, ingest, list, calls, mcp, catalog, confinement, process,
 * leaks, guard, bridge. Each figure lives in a file of its own next to this
 * runner; the run ends with a README-ready table (readme_table.ts).
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { EngineProcess } from "../../tests/_engine_process.ts";
import { bridgeLines } from "./bridge.ts";
import { callFigures } from "./calls.ts";
import { catalogCallFigures } from "./catalog_call.ts";
import { confinementFigures } from "./confinement_cost.ts";
import type { BenchContext } from "./context.ts";
import { Figures } from "./figures.ts";
import { graphListFigures } from "./graph_list.ts";
import { ingestFigure } from "./ingest.ts";
import { leakFigures } from "./leaks.ts";
import { mcpFigures } from "./mcp_overhead.ts";
import { memoryFigures } from "./memory.ts";
import { startupFigures } from "./startup.ts";
import { statusFigures } from "./status.ts";
import { packagesFigure } from "./packages.ts";
import { reflectionGuardFigures } from "./reflection_guard.ts";
import { printTable } from "./table.ts";
import { currentCommit, printReadmeTable } from "./readme_table.ts";
import { hostLoad, measureOrSay } from "./unmeasured.ts";

/** The named groups of figures, in the order they run and print. */
const GROUPS: [string, (context: BenchContext) => Promise<void>][] = [
  ["status", statusFigures],
  // ingest fills the graph that list pages through.
  ["ingest", ingestFigure],
  ["list", graphListFigures],
  ["calls", callFigures],
  ["mcp", mcpFigures],
  ["catalog", catalogCallFigures],
  ["confinement", confinementFigures],
  ["process", async (context) => {
    await startupFigures(context);
    await memoryFigures(context);
  }],
  ["leaks", leakFigures],
  ["packages", packagesFigure],
  ["guard", reflectionGuardFigures],
];

async function main(): Promise<void> {
  const args = parseArgs({
    args: Deno.args,
    options: { quick: { type: "boolean" }, only: { type: "string" } },
  });
  const quick = args.values.quick ?? false;
  const only = args.values.only?.split(",");
  const wanted = (name: string) => !only || only.includes(name);

  const started = new Date();
  const loadBefore = hostLoad();
  console.error(
    `bench${quick ? " (quick)" : ""}: a real engine in a temporary home`,
  );
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const figures = new Figures();
  const context: BenchContext = { quick, figures, engine, client };
  for (const [name, measure] of GROUPS) {
    if (wanted(name)) await measureOrSay(name, measure, context);
  }
  const bridge = wanted("bridge") ? await bridgeLines(quick) : [];

  printTable(figures.list);
  const load = (l: { load: number[] }) => l.load.join(", ");
  console.log(
    `\nLoad average before: ${load(loadBefore)}; after: ${
      load(hostLoad())
    } (${loadBefore.cores} cores): not idle-machine figures unless both are near 0.`,
  );
  const commit = await currentCommit();
  printReadmeTable(
    figures.list,
    { date: started, loadBefore, loadAfter: hostLoad() },
    commit,
  );
  if (bridge.length > 0) {
    console.log(`\nBridge (tests/bridge_bench.ts):\n${bridge.join("\n")}`);
  }
  const out = `bench/results/${started.toISOString().slice(0, 10)}.json`;
  await Deno.mkdir("bench/results", { recursive: true });
  await Deno.writeTextFile(
    out,
    JSON.stringify(
      {
        date: started.toISOString(),
        commit,
        quick,
        host: { before: loadBefore, after: hostLoad() },
        figures: figures.list,
      },
      null,
      2,
    ) + "\n",
  );
  console.error(`\nwritten to ${out}`);
}

await main();
