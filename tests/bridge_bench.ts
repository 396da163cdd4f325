/**
 * The bridge's scale figures (issue 7), for `deno task bench` to include:
 *
 * 1. `GET /graph` pages of 50 from a 1,000,000-value graph, over real HTTP;
 * 2. SSE delivery delay to 100 subscribers while the engine commits 1,000
 *    changes per second (subscribers run on worker threads).
 *
 *   scripts/deno run -A tests/bridge_bench.ts [--quick]
 *
 * Figures, not assertions: the targets are a median page ≤ 20 ms and a p99
 * delivery ≤ 100 ms.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { DatabaseSync } from "node:sqlite";
import { EngineProcess } from "./_engine_process.ts";
import { startBridgeProcess } from "./bridge_fixture.ts";

const QUICK = Deno.args.includes("--quick");
const ENGINE_ENV = { AGENTOS_SPARE_WORKERS: "0" };

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Writes `nodes` nodes of 10 values each straight into a stopped engine's database. */
function seed(database: string, nodes: number): void {
  const db = new DatabaseSync(database);
  const words = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
  ];
  db.exec("BEGIN");
  const node = db.prepare(
    "INSERT INTO nodes (id, created_at, updated_at) VALUES (?, ?, ?)",
  );
  const shape = db.prepare(
    "INSERT INTO node_shapes (node_id, shape) VALUES (?, ?)",
  );
  const value = db.prepare(
    "INSERT INTO node_values (node_id, key, type, value) VALUES (?, ?, ?, ?)",
  );
  for (let i = 0; i < nodes; i++) {
    const id = `0${String(i).padStart(9, "0")}bench0000000`;
    const at = new Date(1_700_000_000_000 + i * 1000).toISOString();
    node.run(id, at, at);
    shape.run(id, i % 2 ? "task" : "note");
    value.run(id, "name", "string", `Record ${i} ${words[i % 8]}`);
    value.run(
      id,
      "text",
      "text",
      `About ${words[(i * 7) % 8]} and ${words[(i * 3) % 8]}, number ${i}`,
    );
    value.run(id, "priority", "integer", i % 5);
    for (let k = 0; k < 7; k++) {
      value.run(id, `field${k}`, "string", `value ${k} of ${i}`);
    }
  }
  db.exec("COMMIT");
  db.close();
}

async function pages(): Promise<void> {
  const nodes = QUICK ? 10_000 : 100_000;
  const engine = await EngineProcess.start({ env: ENGINE_ENV });
  await (await engine.client()).call("engine.shutdown");
  await engine.exitCode();
  seed(engine.paths.database, nodes);
  {
    await using _engine = await EngineProcess.start({
      home: engine.paths.home,
      env: ENGINE_ENV,
    });
    await using bridge = await startBridgeProcess(engine.paths.home);
    const headers = {
      authorization: `Bearer ${bridgeToken(engine.paths.home)}`,
    };
    console.log(`GET /graph, pages of 50, ${nodes * 10} values:`);
    for (
      const query of [
        "limit=50",
        "shape=task&limit=50",
        "shape=task&sort=priority&limit=50",
        "q=charlie&limit=50",
      ]
    ) {
      const samples: number[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 100; i++) {
        const start = performance.now();
        const response: Response = await fetch(
          `${bridge.base}/graph?${query}${cursor ? `&cursor=${cursor}` : ""}`,
          { headers },
        );
        cursor = (await response.json()).cursor;
        samples.push(performance.now() - start);
        if (!cursor) break;
      }
      console.log(
        `  ${query.padEnd(36)} median ${
          quantile(samples, 0.5).toFixed(2)
        } ms, p90 ${quantile(samples, 0.9).toFixed(2)} ms`,
      );
    }
  }
  await Deno.remove(engine.paths.home, { recursive: true });
}

async function fanOut(): Promise<void> {
  const subscribers = 100;
  const threads = 4;
  const total = QUICK ? 2_000 : 10_000;
  await using engine = await EngineProcess.start({ env: ENGINE_ENV });
  const client = await engine.client();
  const { id } = await client.call<{ id: string }>("graph.create", {
    values: { name: "counter", n: 0 },
  });
  await using bridge = await startBridgeProcess(engine.paths.home);
  const delays: number[] = [];
  const finished: Promise<void>[] = [];
  for (let t = 0; t < threads; t++) {
    const worker = new Worker(
      new URL("./bridge_bench_worker.ts", import.meta.url),
      { type: "module" },
    );
    const ready = Promise.withResolvers<void>();
    const done = Promise.withResolvers<void>();
    worker.onmessage = (message) => {
      if (message.data.ready) return ready.resolve();
      delays.push(...message.data.delays);
      worker.terminate();
      done.resolve();
    };
    worker.postMessage({
      base: bridge.base,
      token: bridgeToken(engine.paths.home),
      subs: subscribers / threads,
      total,
    });
    await ready.promise;
    finished.push(done.promise);
  }
  const start = performance.now();
  for (let i = 1; i <= total; i++) {
    const wait = start + i - performance.now(); // one commit per millisecond
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    client.call("graph.update", { id, values: { n: i } });
  }
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(finished);
  console.log(
    `SSE, ${subscribers} subscribers, ${total} changes at ${
      (total / seconds).toFixed(0)
    }/s: delivery delay median ${quantile(delays, 0.5)} ms, p99 ${
      quantile(delays, 0.99)
    } ms, max ${delays.reduce((a, b) => Math.max(a, b), 0)} ms`,
  );
}

await pages();
await fanOut();

function bridgeToken(home: string): string {
  return Deno.readTextFileSync(`${home}/bridge.token`).trim();
}
