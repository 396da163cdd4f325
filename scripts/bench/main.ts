/**
 * `deno task bench`: measures the engine against baselines taken in the
 * same run on the same machine, prints one table and writes it as JSON to
 * bench/results/<date>.json. Benchmarks are not tests: nothing asserts.
 *
 *   deno task bench [--quick] [--only name,name] [--settle-s 60]
 *
 * Names: status, ingest, list, calls, mcp, catalog, confinement, process,
 * leaks, guard, bridge. Each figure lives in a file of its own next to this
 * runner; the run ends with a README-ready table (readme_table.ts).
 * Before each group the bench waits, at most `--settle-s` seconds (60, or
 * 20 with `--quick`), for a quiet host (host_settle.ts), and keeps what it
 * found with each of the group's figures.
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
import { wireStallFigures } from "./wire_stall.ts";
import { printTable } from "./table.ts";
import { currentCommit, printReadmeTable } from "./readme_table.ts";
import { hostLoad, measureOrSay } from "./unmeasured.ts";
import { describeHost, type HostState, settleHost } from "./host_settle.ts";

/**
 * The named groups of figures, in the order they run and print: those
 * timed against a same-run baseline first, on a machine no earlier group
 * has loaded; then those that load it themselves (a million values
 * ingested, 100 concurrent calls, 10,000 mixed calls, crafted 5 MiB
 * bodies, 15 MiB results and log lines), which leave a big database, a grown engine heap and a busy
 * page cache behind.
 */
const GROUPS: [string, (context: BenchContext) => Promise<void>][] = [
  ["status", statusFigures],
  ["calls", callFigures],
  ["catalog", catalogCallFigures],
  ["confinement", confinementFigures],
  ["mcp", mcpFigures],
  // ingest fills the graph that list pages through.
  ["ingest", ingestFigure],
  ["list", graphListFigures],
  ["process", async (context) => {
    await startupFigures(context);
    await memoryFigures(context);
  }],
  ["leaks", leakFigures],
  ["packages", packagesFigure],
  ["guard", reflectionGuardFigures],
  ["wire", wireStallFigures],
];

async function main(): Promise<void> {
  const args = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean" },
      only: { type: "string" },
      "settle-s": { type: "string" },
    },
  });
  const quick = args.values.quick ?? false;
  const only = args.values.only?.split(",");
  const wanted = (name: string) => !only || only.includes(name);
  // The longest wait for a quiet host before each group.
  const settleMs = 1000 * Number(args.values["settle-s"] ?? (quick ? 20 : 60));

  const started = new Date();
  const loadBefore = hostLoad();
  console.error(
    `bench${quick ? " (quick)" : ""}: a real engine in a temporary home`,
  );
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const figures = new Figures();
  const context: BenchContext = { quick, figures, engine, client };
  const groups: { name: string; host: HostState }[] = [];
  for (const [name, measure] of GROUPS) {
    if (!wanted(name)) continue;
    figures.host = await settleHost({ deadlineMs: settleMs });
    groups.push({ name, host: figures.host });
    console.error(`${name}: ${describeHost(figures.host)}`);
    await measureOrSay(name, measure, context);
  }
  const bridge = wanted("bridge") ? await bridgeLines(quick) : [];

  printTable(figures.list);
  const load = (l: { load: number[] }) => l.load.join(", ");
  console.log(
    `\nLoad average before: ${load(loadBefore)}; after: ${
      load(hostLoad())
    } (${loadBefore.cores} cores): not idle-machine figures unless both are near 0.`,
  );
  const unsettled = groups.filter((g) => !g.host.settled).map((g) => g.name);
  console.log(
    unsettled.length > 0
      ? `Groups started on a host that did not settle: ${unsettled.join(", ")}.`
      : "Every group started on a settled host.",
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
        groups,
        figures: figures.list,
      },
      null,
      2,
    ) + "\n",
  );
  console.error(`\nwritten to ${out}`);
}

await main();
