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
 * @module
 */
// deno-lint-ignore-file no-console -- a command-line tool: stdout is its report
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type Mutation, parseMutations, plant } from "./mutation_list.ts";

type Outcome = "killed" | "survived" | "timed out" | "stale" | "broken";

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
  },
});
const jobs = Math.max(1, Number(flags.jobs) || 1);
const defaultTimeout = Number(flags.timeout) || 180;
const only = flags.only === undefined ? undefined : new RegExp(flags.only, "i");

const all = parseMutations(
  await Deno.readTextFile(join(ROOT, "scripts/mutate/mutations.json")),
);
const selected = all.filter((m) =>
  !only || only.test(m.description) || only.test(m.file)
);
if (selected.length === 0) {
  console.error(`mutate: no mutation matches --only ${flags.only}`);
  Deno.exit(2);
}

const scratches = await Promise.all(
  Array.from({ length: Math.min(jobs, selected.length) }, makeScratch),
);
try {
  const broken = flags["no-baseline"]
    ? new Map<string, string>()
    : await baseline(selected);
  const results: Result[] = [];
  let next = 0;
  let done = 0;
  const width = String(selected.length).length;
  await Promise.all(scratches.map(async (scratch) => {
    while (next < selected.length) {
      const mutation = selected[next++]!;
      const failure = broken.get(groupKey(mutation));
      const result = failure === undefined
        ? await runMutation(scratch, mutation)
        : { mutation, outcome: "broken" as const, seconds: 0, detail: failure };
      results.push(result);
      done++;
      console.log(
        `[${String(done).padStart(width)}/${selected.length}] ${
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
  const scored = killed + timedOut + survived;
  const score = scored === 0 ? 0 : (100 * (killed + timedOut)) / scored;
  console.log(
    `\n${results.length} mutations: ${killed} killed, ${timedOut} timed out, ${survived} survived, ${stale} stale, ${broken} broken`,
  );
  console.log(
    `score: ${score.toFixed(1)}% (${
      killed + timedOut
    } of ${scored} caught; a timeout counts as caught)`,
  );
  for (const r of results.filter((r) => r.outcome === "survived")) {
    console.log(`  survived: ${r.mutation.file}: ${r.mutation.description}`);
  }
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
  return stale > 0 || broken > 0 ? 1 : 0;
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
