/**
 * The MCP proxy's overhead: a `tools/call` of a cheap graph read through
 * agentos-mcp (the SDK's real client over stdio, the proxy started with the
 * exact `deno task mcp` flags) against the same read made directly on the
 * engine socket. A benchmark, not a test: it prints figures and asserts
 * nothing.
 *
 *   scripts/deno run -A tests/mcp_bench.ts [--calls N]
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { EngineProcess } from "./_engine_process.ts";
import { McpSession } from "./mcp_session.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { calls: { type: "string", default: "2000" } },
});
const CALLS = Number(values.calls);
const WARMUP = Math.min(200, CALLS);

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function measure(run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples;
}

await using engine = await EngineProcess.start();
const rpc = await engine.client();
const { id } = await rpc.call<{ id: string }>("graph.create", {
  shape: "task",
  values: { name: "Benchmark task", priority: 1 },
});
await using session = await McpSession.open(engine.paths.home);

// Interleave the rounds so drift (CPU frequency, GC) hits both sides alike.
const direct: number[] = [];
const proxied: number[] = [];
const mcpPing: number[] = [];
for (let round = 0; round < 4; round++) {
  direct.push(...await measure(() => rpc.call("graph.get", { id })));
  proxied.push(
    ...await measure(() =>
      session.client.callTool({ name: "graph_get", arguments: { id } })
    ),
  );
  mcpPing.push(...await measure(() => session.client.ping()));
}

const rows = [
  ["graph.get on the socket (RpcClient)", direct],
  ["tools/call graph_get through agentos-mcp", proxied],
  ["MCP ping through agentos-mcp (no engine call)", mcpPing],
] as const;
console.log(
  `${"measurement".padEnd(48)} ${"median ms".padStart(10)} ${
    "p90 ms".padStart(8)
  }`,
);
for (const [name, samples] of rows) {
  console.log(
    `${name.padEnd(48)} ${quantile(samples, 0.5).toFixed(3).padStart(10)} ${
      quantile(samples, 0.9).toFixed(3).padStart(8)
    }`,
  );
}
const overhead = quantile(proxied, 0.5) - quantile(direct, 0.5);
console.log(
  `\nProxy overhead at the median: ${overhead.toFixed(3)} ms (target ≤ 1 ms), ${
    4 * CALLS
  } calls each`,
);
