/**
 * Figures: `graph.list` pages over the ingested tasks (`--only list`).
 *
 * @module
 */
import type { BenchContext } from "./context.ts";
import { timed } from "./measure.ts";

/** A filtered page, a full-text page and a filtered page sorted by value. */
export async function graphListFigures(
  { quick, figures, client }: BenchContext,
): Promise<void> {
  const counts =
    (await client.call<{ counts: { values: number } }>("engine.status"))
      .counts;
  const runs = quick ? 100 : 500;
  const filtered = await timed(
    () =>
      client.call("graph.list", {
        shape: "task",
        where: { status: "blocked" },
        limit: 50,
      }),
    runs,
  );
  figures.record(
    `graph.list page of 50, one filter (${counts.values} values)`,
    "ms",
    filtered,
    undefined,
    "≤ 20 ms",
  );
  const search = await timed(
    () => client.call("graph.list", { shape: "task", q: "task 77", limit: 50 }),
    runs,
  );
  figures.record(
    `graph.list page of 50, full-text q (${counts.values} values)`,
    "ms",
    search,
  );
  const sorted = await timed(
    () =>
      client.call("graph.list", {
        shape: "task",
        where: [{ key: "priority", op: ">", value: 1 }],
        sort: "-dueAt",
        limit: 50,
      }),
    quick ? 20 : 100,
  );
  figures.record(
    `graph.list page of 50, filter + sort by value (${counts.values} values)`,
    "ms",
    sorted,
  );
}
