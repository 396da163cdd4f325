/**
 * The summary of a mutation run: counts, the score, breakdowns by kind and
 * by file (generated runs), the survivors and the time.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- a command-line tool: stdout is its report
import type { MutantKind } from "./generate.ts";
import type { Mutation } from "./mutation_list.ts";
import type { Outcome, Result } from "./scratch_runner.ts";

/** What the summary needs besides the results. */
export interface ReportOptions {
  /** The run was `--generate` (uncovered mutants, breakdowns). */
  generated: boolean;
  /** Each generated mutant's kind. */
  kinds: Map<Mutation, MutantKind>;
  /** When the run started (`performance.now()`). */
  started: number;
  jobs: number;
  /** Covering test files that failed unmutated. */
  baselineFailures: number;
}

/**
 * Prints the summary and the survivors.
 *
 * @returns the exit code: 1 when entries are stale or tests fail unmutated
 */
export function report(results: Result[], options: ReportOptions): number {
  const { generated, kinds, started, jobs, baselineFailures } = options;
  const count = (outcome: Outcome) =>
    results.filter((r) => r.outcome === outcome).length;
  const killed = count("killed");
  const timedOut = count("timed out");
  const survived = count("survived");
  const stale = count("stale");
  const broken = count("broken");
  const notReached = count("uncovered");
  const scored = killed + timedOut + survived + notReached;
  const score = scored === 0 ? 0 : (100 * (killed + timedOut)) / scored;
  console.log(
    `\n${results.length} mutations: ${killed} killed, ${timedOut} timed out, ${survived} survived, ${
      generated ? `${notReached} uncovered, ` : ""
    }${stale} stale, ${broken} broken`,
  );
  console.log(
    `score: ${score.toFixed(1)}% (${
      killed + timedOut
    } of ${scored} caught; a timeout counts as caught${
      generated ? ", an uncovered mutant as not caught" : ""
    })`,
  );
  if (generated) {
    breakdown("kind", results, (r) => kinds.get(r.mutation) ?? "?");
    breakdown("file", results, (r) => r.mutation.file);
  }
  for (
    const r of results.filter((r) =>
      r.outcome === "survived" || r.outcome === "uncovered"
    )
  ) {
    console.log(
      `  ${r.outcome}: ${r.mutation.file}: ${r.mutation.description}`,
    );
  }
  const minutes = (performance.now() - started) / 60_000;
  console.log(
    `time: ${minutes.toFixed(1)} min for ${results.length} mutations (${
      (60 * minutes / Math.max(1, results.length)).toFixed(1)
    } s each, baseline included), ${jobs} job(s)`,
  );
  if (stale > 0) {
    console.log(
      "\nmutate: FAILED: stale entries (their search text no longer occurs exactly once); update scripts/mutate/mutations.json",
    );
  }
  if (broken > 0) {
    console.log(
      "\nmutate: FAILED: covering tests fail without any mutation; fix them first",
    );
  }
  if (baselineFailures > 0) {
    console.log(
      `\nmutate: FAILED: ${baselineFailures} covering test file(s) fail without any mutation (see "baseline FAILED"); fix them first`,
    );
  }
  return stale > 0 || broken > 0 || baselineFailures > 0 ? 1 : 0;
}

/** Caught of scored, per kind or per file. */
function breakdown(
  title: string,
  results: Result[],
  keyOf: (r: Result) => string,
): void {
  const rows = new Map<string, { caught: number; scored: number }>();
  for (const r of results) {
    if (r.outcome === "stale" || r.outcome === "broken") continue;
    const row = rows.get(keyOf(r)) ?? { caught: 0, scored: 0 };
    row.scored++;
    if (r.outcome === "killed" || r.outcome === "timed out") row.caught++;
    rows.set(keyOf(r), row);
  }
  console.log(`by ${title}:`);
  for (const [key, row] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`  ${key.padEnd(48)} ${row.caught}/${row.scored}`);
  }
}
