/**
 * The bench's results: one {@linkcode Figure} per row of the printed table
 * and of the JSON file.
 *
 * @module
 */
// deno-lint-ignore-file no-console

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
    };
    if (baseline) {
      figure.baseline = {
        name: baseline.name,
        median: quantile(baseline.samples, 0.5),
      };
      figure.ratio = figure.median / figure.baseline.median;
    }
    this.list.push(figure);
    console.error(`  ${name}: median ${figure.median.toFixed(3)} ${unit}`);
  }

  /** Adds figures computed by the caller (no samples to reduce). */
  add(...figures: Figure[]): void {
    this.list.push(...figures);
  }
}
