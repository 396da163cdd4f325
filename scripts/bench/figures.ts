/**
 * The bench's results: one {@linkcode Figure} per row of the printed table
 * and of the JSON file.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { describeHost, type HostState } from "./host_settle.ts";

/** One row of the results table. */
export interface Figure {
  name: string;
  unit: string;
  median: number;
  p90: number;
  baseline?: { name: string; median: number };
  ratio?: number;
  target?: string;
  /** Why the figure could not be measured in this run (the row says it). */
  unmeasured?: string;
  /** The host when the figure's group started (load, busy share, settled). */
  host?: HostState;
}

/** Samples of a baseline measured in the same run. */
export interface BaselineSamples {
  name: string;
  samples: number[];
}

/** The `q` quantile of `samples` (nearest rank). */
export function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The figures of one run, in the order they were measured. */
export class Figures {
  /** Every figure so far. */
  readonly list: Figure[] = [];
  /** The host as the current group found it: kept with each figure. */
  host?: HostState;

  /**
   * Adds a figure from samples: their median and p90, and the ratio to a
   * baseline's median; says the median on stderr as it goes.
   */
  record(
    name: string,
    unit: string,
    samples: number[],
    baseline?: BaselineSamples,
    target?: string,
  ): void {
    const figure: Figure = {
      name,
      unit,
      median: quantile(samples, 0.5),
      p90: quantile(samples, 0.9),
      target,
      host: this.host,
    };
    if (baseline) {
      figure.baseline = {
        name: baseline.name,
        median: quantile(baseline.samples, 0.5),
      };
      figure.ratio = figure.median / figure.baseline.median;
    }
    this.list.push(figure);
    console.error(
      `  ${name}: median ${figure.median.toFixed(3)} ${unit}${
        this.host ? ` (${describeHost(this.host)})` : ""
      }`,
    );
  }

  /** Adds figures computed by the caller (no samples to reduce). */
  add(...figures: Figure[]): void {
    this.list.push(...figures.map((f) => ({ host: this.host, ...f })));
  }
}
