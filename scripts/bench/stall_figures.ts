/**
 * The two figures of another connection's `graph.list` while a hostile
 * call runs: its p99 and its longest call, each against the same calls
 * with nothing else running. The p99 hides a stall when the call leaves
 * time for many calls; the longest call shows one whatever their number.
 *
 * @module
 */
import type { BenchContext } from "./context.ts";
import { quantile } from "./figures.ts";

/**
 * Adds the p99 (target ≤ 50 ms) and the longest call.
 *
 * @param figures the run's figures
 * @param names the two figures' names
 * @param loaded the calls' times while the hostile call ran
 * @param idle the calls' times with nothing else running
 */
export function addStallFigures(
  figures: BenchContext["figures"],
  names: { p99: string; longest: string },
  loaded: number[],
  idle: number[],
): void {
  figures.add({
    name: names.p99,
    unit: "ms",
    median: quantile(loaded, 0.99),
    p90: quantile(loaded, 0.99),
    baseline: {
      name: "graph.list p99, nothing else running",
      median: quantile(idle, 0.99),
    },
    ratio: quantile(loaded, 0.99) / quantile(idle, 0.99),
    target: "≤ 50 ms",
  });
  const longest = Math.max(...loaded);
  figures.add({
    name: names.longest,
    unit: "ms",
    median: longest,
    p90: longest,
    baseline: {
      name: "longest graph.list, nothing else running",
      median: Math.max(...idle),
    },
    ratio: longest / Math.max(...idle),
  });
}
