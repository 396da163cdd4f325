/**
 * `deno task mutate`: plants each mutation of `scripts/mutate/mutations.json`
 * in a scratch copy of the tree (never in the tree itself), one at a time,
 * runs only the tests that cover it and reports it killed (a test failed),
 * survived (every test passed: an assertion is missing), timed out (counted
 * as caught: the tests did not pass) or stale (its search text no longer
 * occurs exactly once: the list must be updated, and the run fails).
 *
 *   scripts/deno task mutate                    # every mutation, one at a time
 *   scripts/deno task mutate --only vault       # descriptions or files matching
 *   scripts/deno task mutate --jobs 2 --timeout 300
 *
 * Before the mutations, each distinct set of covering tests runs once on the
 * unmutated copy: a set that fails there would make its mutations look
 * killed, so they are reported as broken and the run fails.
 *
 * Every `scripts/mutate/mutations*.json` file is read (`mutations.json`,
 * `mutations_<area>.json`).
 *
 * With `--generate`, the mutants are not the curated ones but derived
 * mechanically from the guard files of `scripts/mutate/guard_files.json`
 * (see `generate.ts` for the kinds of edits), a seeded sample of them:
 *
 *   scripts/deno task mutate --generate                  # seed printed
 *   scripts/deno task mutate --generate --seed 1 --sample 30
 *   scripts/deno task mutate --generate --files 'engine/net/**' --sample all
 *   scripts/deno task mutate --generate --seed 1 --list  # show, do not run
 *
 * A generated mutant's covering tests are the test files that import its
 * file directly or through other files (nearest first), those the curated
 * lists name for the file, and those the config adds for it; they run with
 * `--fail-fast`. Each covering test file runs once unmutated first; one that
 * fails there is dropped from every set (and fails the run). Mutants listed
 * as equivalent in the config are neither drawn nor counted; a mutant no
 * test reaches is "uncovered" and counts as not caught.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- a command-line tool: stdout is its report
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readImportGraph } from "../../tests/_import_graph.ts";
import { coveringTests } from "./covering.ts";
import { generateMutants, type MutantKind, sampleMutants } from "./generate.ts";
import { globToRegExp, parseGuardConfig } from "./guard_config.ts";
import { loadMutations, type Mutation, plant } from "./mutation_list.ts";

type Outcome =
  | "killed"
  | "survived"
  | "timed out"
  | "stale"
  | "broken"
  | "uncovered";

/**
 * The default sample of `--generate`: about an hour on a 2-core machine.
 * Measured (seed 1, 30 mutants of all guard files, load average ~13): the
 * unmutated run of the covering tests took 7.4 min, the mutants 11.8 s
 * each; sandbox and bridge mutants, under-drawn there, take 20–100 s, so
 * about 18 s each is expected: 8 + 150 × 18 s ≈ 53 min.
 */
const DEFAULT_SAMPLE = 150;

/** Covering test files that failed unmutated (`--generate`). */
let baselineFailures = 0;

/** A generated mutant's kind, kept for the report. */
const kinds = new Map<Mutation, MutantKind>();

interface Result {
  mutation: Mutation;
  outcome: Outcome;
  seconds: number;
  detail?: string;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Top-level entries not copied into the scratch tree. */
const SKIP = new Set([".git", ".tools", "dist", "node_modules", ".coverage"]);

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    only: { type: "string" },
    jobs: { type: "string", default: "1" },
    timeout: { type: "string", default: "180" },
    "no-baseline": { type: "boolean", default: false },
    generate: { type: "boolean", default: false },
    seed: { type: "string" },
    sample: { type: "string" },
    files: { type: "string" },
    list: { type: "boolean", default: false },
  },
});
const jobs = Math.max(1, Number(flags.jobs) || 1);
const defaultTimeout = Number(flags.timeout) || 180;
const only = flags.only === undefined ? undefined : new RegExp(flags.only, "i");
const generated = flags.generate;
if (
  !generated &&
  (flags.seed ?? flags.sample ?? flags.files ?? (flags.list || undefined)) !==
    undefined
) {
  console.error("mutate: --seed, --sample, --files and --list need --generate");
  Deno.exit(2);
}
const started = performance.now();
const curated = await loadMutations(join(ROOT, "scripts/mutate"));

const candidates = generated ? await generatedMutations() : curated;
const selected = generated
  ? candidates
  : candidates.filter((m) =>
    !only || only.test(m.description) || only.test(m.file)
  );
if (selected.length === 0) {
  console.error(
    `mutate: no mutation matches${flags.only ? ` --only ${flags.only}` : ""}${
      flags.files ? ` --files ${flags.files}` : ""
    }`,
  );
  Deno.exit(2);
}
if (flags.list) {
  for (const m of selected) {
    console.log(
      `${m.file}: ${m.description}\n      tests: ${m.tests.join(" ")}`,
    );
  }
  Deno.exit(0);
}
const uncovered = selected.filter((m) => m.tests.length === 0);
const runnable = selected.filter((m) => m.tests.length > 0);

const scratches = await Promise.all(
  Array.from(
    { length: Math.max(1, Math.min(jobs, runnable.length)) },
    makeScratch,
  ),
);
try {
  const broken = flags["no-baseline"]
    ? new Map<string, string>()
    : generated
    ? await baselineFiles(runnable)
    : await baseline(runnable);
  const results: Result[] = uncovered.map((mutation) => ({
    mutation,
    outcome: "uncovered",
    seconds: 0,
    detail: "no test imports this file, and the config adds none",
  }));
  for (const r of results) {
    console.log(`uncovered ${r.mutation.file}: ${r.mutation.description}`);
  }
  let next = 0;
  let done = 0;
  const width = String(runnable.length).length;
  await Promise.all(scratches.map(async (scratch) => {
    while (next < runnable.length) {
      const mutation = runnable[next++]!;
      const failure = broken.get(groupKey(mutation));
      const result = failure === undefined
        ? await runMutation(scratch, mutation)
        : { mutation, outcome: "broken" as const, seconds: 0, detail: failure };
      results.push(result);
      done++;
      console.log(
        `[${String(done).padStart(width)}/${runnable.length}] ${
          result.outcome.padEnd(9)
        } ${
          result.seconds.toFixed(1).padStart(6)
        }s  ${mutation.file}: ${mutation.description}${
          result.detail ? `\n      ${result.detail}` : ""
        }`,
      );
    }
  }));
  Deno.exitCode = report(results);
} finally {
  for (const scratch of scratches) {
    await Deno.remove(scratch, { recursive: true });
  }
}

/** Prints the summary and the survivors; returns the exit code. */
function report(results: Result[]): number {
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

/**
 * The `--generate` mutants: every mutant of the selected guard files, less
 * the known-equivalent ones, sampled with the seed (printed).
 */
async function generatedMutations(): Promise<Mutation[]> {
  const config = parseGuardConfig(
    await Deno.readTextFile(join(ROOT, "scripts/mutate/guard_files.json")),
  );
  const globs = (flags.files ?? "**").split(",").map((g) =>
    globToRegExp(g.trim())
  );
  const files = config.files.filter((f) => globs.some((g) => g.test(f)));
  const seed = flags.seed === undefined
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(flags.seed);
  if (!Number.isSafeInteger(seed)) {
    console.error(`mutate: --seed must be an integer, not ${flags.seed}`);
    Deno.exit(2);
  }
  const size = flags.sample === "all"
    ? Infinity
    : Number(flags.sample ?? DEFAULT_SAMPLE);
  if (!(size > 0)) {
    console.error(`mutate: --sample must be a positive number or "all"`);
    Deno.exit(2);
  }
  const equivalent = new Set(config.equivalent.map((e) => e.id));
  const graph = await readImportGraph(ROOT);
  const curatedTests = new Map<string, string[]>();
  for (const m of curated) {
    curatedTests.set(m.file, [...(curatedTests.get(m.file) ?? []), ...m.tests]);
  }
  const all = [];
  let skipped = 0;
  for (const file of files) {
    const text = await Deno.readTextFile(join(ROOT, file));
    for (const mutant of generateMutants(file, text)) {
      if (equivalent.has(mutant.id)) skipped++;
      else if (
        !only || only.test(mutant.description) || only.test(mutant.kind)
      ) all.push(mutant);
    }
  }
  const sample = sampleMutants(all, seed, size)
    .sort((a, b) => a.file.localeCompare(b.file) || a.start - b.start);
  console.log(
    `generate: seed ${seed}: ${sample.length} of ${all.length} mutants of ${files.length} guard files (${skipped} known equivalent left out)`,
  );
  const testsOf = new Map<string, string[]>();
  const covering = (file: string): string[] => {
    let tests = testsOf.get(file);
    if (tests === undefined) {
      const graphTests = coveringTests(graph, file);
      // Named tests (curated lists, config) are aimed at the file: they run
      // right after the tests that import it themselves.
      tests = [
        ...graphTests.filter((t) => t.distance === 1).map((t) => t.test),
        ...(curatedTests.get(file) ?? []),
        ...(config.tests[file] ?? []),
        ...graphTests.filter((t) => t.distance > 1).map((t) => t.test),
      ];
      tests = [...new Set(tests)];
      testsOf.set(file, tests);
    }
    return tests;
  };
  return sample.map((mutant) => {
    const mutation: Mutation = {
      description: `${mutant.id} ${mutant.description}`,
      file: mutant.file,
      search: mutant.original,
      replace: mutant.replacement,
      at: mutant.start,
      tests: covering(mutant.file),
    };
    kinds.set(mutation, mutant.kind);
    return mutation;
  });
}

/**
 * Runs each covering test file once, unmutated; drops those that fail from
 * every mutation's tests. A mutation left with none is broken.
 */
async function baselineFiles(
  mutations: Mutation[],
): Promise<Map<string, string>> {
  const files = [...new Set(mutations.flatMap((m) => m.tests))].sort();
  console.log(`baseline: ${files.length} covering test files, unmutated`);
  const failed = new Map<string, string>();
  const queue = [...files];
  await Promise.all(scratches.map(async (scratch) => {
    while (queue.length > 0) {
      const test = queue.shift()!;
      const run = await runTests(scratch, {
        description: "baseline",
        file: test,
        search: "",
        replace: "",
        tests: [test],
      });
      const none = ranNoTest(run.output);
      console.log(
        `baseline ${run.code === 0 && !none ? "ok    " : "FAILED"} ${
          run.seconds.toFixed(1).padStart(6)
        }s  ${test}`,
      );
      if (run.code !== 0 || run.timedOut || none) {
        const why = run.timedOut
          ? "timed out"
          : none
          ? "ran no test"
          : "failed";
        failed.set(test, why);
        console.log(run.output.slice(-3000));
      }
    }
  }));
  const broken = new Map<string, string>();
  for (const m of mutations) {
    const all = m.tests;
    m.tests = all.filter((t) => !failed.has(t));
    if (m.tests.length === 0) {
      broken.set(
        groupKey(m),
        `every covering test fails without the mutation: ${all.join(" ")}`,
      );
    }
  }
  baselineFailures = failed.size;
  return broken;
}

/** Plants one mutation, runs its tests, restores the file. */
async function runMutation(
  scratch: string,
  mutation: Mutation,
): Promise<Result> {
  const path = join(scratch, mutation.file);
  let original: string;
  try {
    original = await Deno.readTextFile(path);
  } catch {
    return {
      mutation,
      outcome: "stale",
      seconds: 0,
      detail: `${mutation.file} does not exist`,
    };
  }
  const planted = plant(original, mutation);
  if (typeof planted === "number") {
    return {
      mutation,
      outcome: "stale",
      seconds: 0,
      detail: planted === 0
        ? `search text not found: ${JSON.stringify(mutation.search)}`
        : `search text occurs ${planted} times: ${
          JSON.stringify(mutation.search)
        }`,
    };
  }
  await Deno.writeTextFile(path, planted);
  try {
    const run = await runTests(scratch, mutation);
    const outcome: Outcome = run.timedOut
      ? "timed out"
      : run.code === 0
      ? "survived"
      : "killed";
    return { mutation, outcome, seconds: run.seconds };
  } finally {
    await Deno.writeTextFile(path, original);
  }
}

/** Runs each distinct set of covering tests once, unmutated. */
async function baseline(mutations: Mutation[]): Promise<Map<string, string>> {
  const groups = new Map<string, Mutation>();
  for (const m of mutations) groups.set(groupKey(m), m);
  const failed = new Map<string, string>();
  const queue = [...groups];
  console.log(
    `baseline: ${queue.length} sets of covering tests, unmutated`,
  );
  await Promise.all(scratches.map(async (scratch) => {
    while (queue.length > 0) {
      const [key, mutation] = queue.shift()!;
      const run = await runTests(scratch, mutation);
      const none = ranNoTest(run.output);
      if (run.code !== 0 || run.timedOut || none) {
        const why = run.timedOut
          ? "timed out"
          : none
          ? "ran no test (check the files and the filter)"
          : "failed";
        failed.set(key, `the covering tests ${why} without the mutation`);
        console.log(`baseline ${why}: ${key}\n${run.output.slice(-3000)}`);
      }
    }
  }));
  return failed;
}

/** Whether `deno test` found nothing to run (a filter that matches nothing). */
function ranNoTest(output: string): boolean {
  // deno test prints colours; the summary reads "ok | 0 passed | 0 failed".
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  return /\|\s*0 passed\b/.test(plain) && !/[1-9]\d* failed/.test(plain);
}

function groupKey(mutation: Mutation): string {
  return [...mutation.tests].sort().join(" ") +
    (mutation.filter ? ` --filter ${mutation.filter}` : "");
}

/** Runs the covering tests in a scratch tree under `timeout`. */
async function runTests(
  scratch: string,
  mutation: Mutation,
): Promise<
  { code: number; timedOut: boolean; seconds: number; output: string }
> {
  const seconds = mutation.timeoutSeconds ?? defaultTimeout;
  const started = performance.now();
  // `timeout` signals the whole process group, so engines and workers the
  // tests started go with them; --no-check: a mutation is judged by
  // behaviour, not by the type checker.
  const { code, stdout, stderr } = await new Deno.Command("timeout", {
    args: [
      "--kill-after=10",
      String(seconds),
      Deno.execPath(),
      "test",
      "-A",
      "--no-check",
      // A generated mutant is caught by the first failure: stop there.
      ...(generated ? ["--fail-fast"] : []),
      ...(mutation.filter ? ["--filter", mutation.filter] : []),
      ...mutation.tests,
    ],
    cwd: scratch,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code,
    timedOut: code === 124 || code === 137,
    seconds: (performance.now() - started) / 1000,
    output: decoder.decode(stdout) + decoder.decode(stderr),
  };
}

/** Copies the tree (without .git and tools) into a new temporary directory. */
async function makeScratch(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-mutate-" });
  for await (const entry of Deno.readDir(ROOT)) {
    if (SKIP.has(entry.name)) continue;
    await copy(join(ROOT, entry.name), join(dir, entry.name));
  }
  return dir;
}

async function copy(from: string, to: string): Promise<void> {
  const info = await Deno.lstat(from);
  if (info.isSymlink) {
    await Deno.symlink(await Deno.readLink(from), to);
  } else if (info.isDirectory) {
    await Deno.mkdir(to);
    for await (const entry of Deno.readDir(from)) {
      if (entry.name === "__pycache__") continue;
      await copy(join(from, entry.name), join(to, entry.name));
    }
  } else {
    await Deno.copyFile(from, to);
  }
}
