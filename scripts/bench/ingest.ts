/**
 * Figure: graph ingest through `graph.import` against raw node:sqlite
 * inserts (`--only ingest`). Leaves the tasks in the graph for the
 * graph.list figures.
 *
 * @module
 */
import type { RpcClient } from "../../engine/rpc/mod.ts";
import type { BenchContext } from "./context.ts";
import { rawInsertRate } from "./raw_insert_rate.ts";

function taskRecords(from: number, count: number): Record<string, unknown>[] {
  const statuses = ["todo", "in_progress", "blocked", "done", "cancelled"];
  return Array.from({ length: count }, (_, j) => {
    const i = from + j;
    return {
      name: `Task ${i}`,
      url: `https://tasks.example/${i}`,
      status: statuses[i % 5],
      priority: String(i % 4),
      done: i % 5 === 3 ? "yes" : "no",
      dueAt: 1_700_000_000 + i * 60,
      estimateMinutes: (i % 90) + 0.5,
      recurrence: "FREQ=WEEKLY",
      labels: ["work", `l${i % 7}`],
      text: `Body of task ${i} with some words to index`,
    };
  });
}

async function ingest(
  client: RpcClient,
  totalValues: number,
): Promise<{ rate: number; batches: number[] }> {
  const perRecord = 10;
  const batchRecords = 500;
  const batches: number[] = [];
  let next = 0;
  const start = performance.now();
  while (next * perRecord < totalValues) {
    const t = performance.now();
    await client.call("graph.import", {
      shape: "task",
      records: taskRecords(next, batchRecords),
    });
    batches.push((batchRecords * perRecord) / ((performance.now() - t) / 1000));
    next += batchRecords;
  }
  return {
    rate: (next * perRecord) / ((performance.now() - start) / 1000),
    batches,
  };
}

/** Imports 100,000 (quick) or 1,000,000 values in batches of 500 tasks. */
export async function ingestFigure(
  { quick, figures, client }: BenchContext,
): Promise<void> {
  const values = quick ? 100_000 : 1_000_000;
  const raw = [0, 1, 2].map(() => rawInsertRate(200_000));
  const result = await ingest(client, values);
  figures.record(
    `graph ingest via graph.import (values/s, ${values} values)`,
    "values/s",
    result.batches,
    { name: "raw node:sqlite batched inserts", samples: raw },
    "≥ 0.3×, ≥ 20,000/s",
  );
}
