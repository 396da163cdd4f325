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
import type { MutantKind } from "./generate.ts";
import { generatedMutations } from "./generated_mode.ts";
import { loadMutations, type Mutation } from "./mutation_list.ts";
import { report } from "./report.ts";
import {
  baseline,
  baselineFiles,
  groupKey,
  makeScratch,
  type Result,
  runMutation,
} from "./scratch_runner.ts";

/** A generated mutant's kind, kept for the report. */
const kinds = new Map<Mutation, MutantKind>();

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

const USAGE = `usage: deno task mutate [options]

Plants mutations in a scratch copy of the tree, one at a time, and runs the
tests that cover each; prints killed, survived, timed out and the score.

  --only REGEX     mutations whose description, file or id match
  --jobs N         mutations run at once (default 1)
  --timeout S      seconds per mutation before it counts as timed out (180)
  --no-baseline    skip the unmutated run of each covering test set
  --generate       derive mutants from scripts/mutate/guard_files.json
  --seed N         (--generate) the sample's seed (printed when left out)
  --sample N|all   (--generate) how many mutants to draw
  --files GLOBS    (--generate) only these guard files, comma-separated
  --list           (--generate) show the mutants and their tests, run none
  --help           this text`;

function parseFlags() {
  try {
    return parseArgs({
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
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    console.error(`mutate: ${(error as Error).message}\n\n${USAGE}`);
    Deno.exit(2);
  }
}

const flags = parseFlags();
if (flags.help) {
  console.log(USAGE);
  Deno.exit(0);
}
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

const candidates = generated
  ? await generatedMutations({ root: ROOT, flags, curated, only, kinds })
  : curated;
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
    () => makeScratch(ROOT),
  ),
);
const runOptions = { timeoutSeconds: defaultTimeout, failFast: generated };
let baselineFailures = 0;
try {
  let broken = new Map<string, string>();
  if (flags["no-baseline"]) broken = new Map();
  else if (!generated) {
    broken = await baseline(scratches, runnable, runOptions);
  } else {
    const files = await baselineFiles(scratches, runnable, runOptions);
    broken = files.broken;
    baselineFailures = files.failures;
  }
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
        ? await runMutation(scratch, mutation, runOptions)
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
  Deno.exitCode = report(results, {
    generated,
    kinds,
    started,
    jobs,
    baselineFailures,
  });
} finally {
  for (const scratch of scratches) {
    await Deno.remove(scratch, { recursive: true });
  }
}
