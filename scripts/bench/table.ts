/**
 * The bench's printed table (Markdown, on stdout).
 *
 * @module
 */
// deno-lint-ignore-file no-console
import type { Figure } from "./figures.ts";
import { describeHost } from "./host_settle.ts";

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(3);
}

/**
 * Prints one row per figure: median, p90, baseline, ratio, target and the
 * host when its group started.
 */
export function printTable(figures: Figure[]): void {
  const rows = figures.map((f) => [
    ...(f.unmeasured !== undefined
      ? [f.name, `not measured: ${f.unmeasured}`, "–", "–", "–", f.target ?? ""]
      : [
        f.name,
        `${fmt(f.median)} ${f.unit}`,
        `${fmt(f.p90)} ${f.unit}`,
        f.baseline ? `${fmt(f.baseline.median)} (${f.baseline.name})` : "–",
        f.ratio === undefined ? "–" : `${f.ratio.toFixed(2)}×`,
        f.target ?? "",
      ]),
    f.host ? describeHost(f.host) : "",
  ]);
  const headers = [
    "figure",
    "median",
    "p90",
    "baseline (same run)",
    "ratio",
    "target",
    "host at the group's start",
  ];
  console.log(`| ${headers.join(" | ")} |`);
  console.log(`|${headers.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}
