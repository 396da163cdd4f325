/**
 * Figures: an MCP `tools/call` through agentos-mcp against the same call on
 * the socket, and the proxy's overhead (`--only mcp`).
 *
 * @module
 */
import { McpSession } from "../../tests/mcp_session.ts";
import type { BenchContext } from "./context.ts";
import { quantile } from "./figures.ts";
import { timed } from "./measure.ts";

/** Measures `graph_get` through the proxy and `graph.get` directly. */
export async function mcpFigures(
  { quick, figures, engine, client }: BenchContext,
): Promise<void> {
  const { id } = await client.call<{ id: string }>("graph.create", {
    shape: "task",
    values: { name: "bench" },
  });
  await using session = await McpSession.open(engine.paths.home);
  const runs = quick ? 300 : 2000;
  const direct: number[] = [];
  const proxied: number[] = [];
  // Interleaved rounds, so drift (CPU frequency, GC) hits both sides alike.
  for (let round = 0; round < 4; round++) {
    direct.push(
      ...await timed(() => client.call("graph.get", { id }), runs / 4),
    );
    proxied.push(
      ...await timed(
        () => session.client.callTool({ name: "graph_get", arguments: { id } }),
        runs / 4,
      ),
    );
  }
  figures.record(
    "MCP tools/call graph_get through agentos-mcp",
    "ms",
    proxied,
    {
      name: "graph.get on the socket",
      samples: direct,
    },
  );
  const overhead = quantile(proxied, 0.5) - quantile(direct, 0.5);
  figures.add({
    name: "MCP proxy overhead (median tools/call − median direct call)",
    unit: "ms",
    median: overhead,
    p90: quantile(proxied, 0.9) - quantile(direct, 0.9),
    target: "≤ 1 ms",
  });
}
