/**
 * Running mutations in scratch copies of the tree: plant one, run only its
 * covering tests under `timeout`, restore; and the unmutated baseline runs
 * that tell a broken test from a caught mutation.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- a command-line tool: stdout is its report
import { join } from "node:path";
import { type Mutation, plant } from "./mutation_list.ts";

/** How one mutation ended. */
export type Outcome =
  | "killed"
  | "survived"
  | "timed out"
  | "stale"
  | "broken"
  | "uncovered";

/** One mutation's outcome. */
export interface Result {
  mutation: Mutation;
  outcome: Outcome;
  seconds: number;
  detail?: string;
}

/** How the covering tests run. */
export interface RunOptions {
  /** Unless the mutation sets its own. */
  timeoutSeconds: number;
  /** Stop at the first failure (a generated mutant is caught by one). */
  failFast: boolean;
}

/** Top-level entries not copied into the scratch tree. */
const SKIP = new Set([".git", ".tools", "dist", "node_modules", ".coverage"]);

/**
 * Runs each covering test file once, unmutated; drops those that fail from
 * every mutation's tests. A mutation left with none is broken.
 */
export async function baselineFiles(
  scratches: string[],
  mutations: Mutation[],
  options: RunOptions,
): Promise<{ broken: Map<string, string>; failures: number }> {
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
      }, options);
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
  return { broken, failures: failed.size };
}

/** Plants one mutation, runs its tests, restores the file. */
export async function runMutation(
  scratch: string,
  mutation: Mutation,
  options: RunOptions,
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
    const run = await runTests(scratch, mutation, options);
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
export async function baseline(
  scratches: string[],
  mutations: Mutation[],
  options: RunOptions,
): Promise<Map<string, string>> {
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
      const run = await runTests(scratch, mutation, options);
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

/** Mutations with the same covering tests share one baseline run. */
export function groupKey(mutation: Mutation): string {
  return [...mutation.tests].sort().join(" ") +
    (mutation.filter ? ` --filter ${mutation.filter}` : "");
}

/** Runs the covering tests in a scratch tree under `timeout`. */
async function runTests(
  scratch: string,
  mutation: Mutation,
  options: RunOptions,
): Promise<
  { code: number; timedOut: boolean; seconds: number; output: string }
> {
  const seconds = mutation.timeoutSeconds ?? options.timeoutSeconds;
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
      ...(options.failFast ? ["--fail-fast"] : []),
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

/**
 * Copies the tree (without .git and tools) into a new temporary directory,
 * committed to a throwaway repository of its own: tests that clone the
 * tree (`tests/distribution_test.ts`) need one, and fail without it.
 */
export async function makeScratch(root: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-mutate-" });
  for await (const entry of Deno.readDir(root)) {
    if (SKIP.has(entry.name)) continue;
    await copy(join(root, entry.name), join(dir, entry.name));
  }
  const git = (...args: string[]) =>
    new Deno.Command("git", {
      args: [
        "-C",
        dir,
        "-c",
        "user.name=mutate",
        "-c",
        "user.email=m@t",
        ...args,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
  for (
    const args of [["init", "-q"], ["add", "-A"], [
      "commit",
      "-q",
      "-m",
      "scratch",
    ]]
  ) {
    const out = await git(...args);
    if (!out.success) {
      throw new Error(
        `mutate: git ${args[0]} in ${dir}: ${
          new TextDecoder().decode(out.stderr)
        }`,
      );
    }
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
