/**
 * The explorer's neighbourhood picture at 500 nodes (issue 31): a record
 * linked to 500 others of three shapes, drawn in headless Chromium with
 * `draw=500`. Prints the route's time, d3-force's layout, the SVG drawing
 * and the whole wait from the address change to the drawn picture. A
 * figure, not a test: the target is under 1 s.
 *
 *   scripts/deno run -A scripts/bench/graph_picture.ts [--runs 5]
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { Browser } from "../../tests/_browser.ts";
import { runAgentos } from "../../tests/_cli.ts";
import { EngineProcess } from "../../tests/_engine_process.ts";
import { startBridgeProcess } from "../../tests/bridge_fixture.ts";

const NEIGHBOURS = 500;
const runsAt = Deno.args.indexOf("--runs");
const RUNS = runsAt >= 0 ? Number(Deno.args[runsAt + 1]) : 5;

await using engine = await EngineProcess.start({
  env: { AGENTOS_SPARE_WORKERS: "0" },
});
const client = await engine.client();
const { id: focus } = await client.call<{ id: string }>("graph.create", {
  shape: "project",
  values: { name: "The big project" },
});
const shapes = ["note", "task", "person"];
for (let i = 0; i < NEIGHBOURS; i++) {
  const shape = shapes[i % 3]!;
  const { id } = await client.call<{ id: string }>("graph.create", {
    shape,
    values: shape === "note"
      ? { text: `Note ${i}` }
      : { name: `${shape} ${i}` },
  });
  await client.call("graph.link", { from: id, label: "part_of", to: focus });
}
await using bridge = await startBridgeProcess(engine.paths.home);
await using browser = await Browser.launch();
const opened = await runAgentos(
  engine.paths.home,
  ["bridge", "open"],
  undefined,
  { AGENTOS_BRIDGE_PORT: new URL(bridge.base).port },
);
const code = /\?open=(\S+)$/.exec(opened.stdout.trim())?.[1];
await browser.open(`${bridge.base}/?open=${code}`);
await browser.send("Emulation.setDeviceMetricsOverride", {
  width: 1400,
  height: 1100,
  deviceScaleFactor: 1,
  mobile: false,
});

const samples: Record<string, number[]> = {
  route: [],
  layout: [],
  draw: [],
  total: [],
};
for (let run = 0; run < RUNS; run++) {
  await browser.evaluate(`location.hash = "#/"`);
  await browser.waitFor("#results li");
  const started = performance.now();
  const route = await browser.evaluate<number>(`(async () => {
    const t = performance.now();
    const response = await fetch("/graph/${focus}/neighbourhood?limit=500", {
      headers: { authorization: "Bearer " + sessionStorage.getItem("agentos.token") },
    });
    await response.json();
    return performance.now() - t;
  })()`);
  const figures = await browser.evaluate<
    { nodes: number; layoutMs: number; drawMs: number; wallMs: number }
  >(`new Promise((resolve) => {
    const t = performance.now();
    window.agentosGraph = undefined;
    location.hash = "#/node/${focus}?hops=1&draw=500";
    const check = () => {
      const g = window.agentosGraph;
      if (g && document.querySelectorAll("#graph-picture a.node").length > 500) {
        // One more frame: the picture is painted, not only in the DOM.
        requestAnimationFrame(() => resolve({
          nodes: g.nodes.length, layoutMs: g.layoutMs, drawMs: g.drawMs,
          wallMs: performance.now() - t,
        }));
      } else requestAnimationFrame(check);
    };
    check();
  })`);
  samples.route!.push(route);
  samples.layout!.push(figures.layoutMs);
  samples.draw!.push(figures.drawMs);
  samples.total!.push(figures.wallMs);
  console.error(
    `run ${run + 1}: ${figures.nodes} nodes in ${
      (performance.now() - started).toFixed(0)
    } ms`,
  );
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(
  `neighbourhood picture, ${NEIGHBOURS} neighbours drawn, median of ${RUNS}:`,
);
for (const [name, values] of Object.entries(samples)) {
  console.log(
    `  ${name.padEnd(7)} ${median(values).toFixed(0).padStart(5)} ms  (min ${
      Math.min(...values).toFixed(0)
    }, max ${Math.max(...values).toFixed(0)})`,
  );
}
