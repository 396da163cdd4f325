/**
 * `scripts/deno task mutate --generate`: mutants derived from the guard
 * files (scripts/mutate/guard_files.json), sampled with a printed seed, each
 * with its covering tests (the import graph, the curated lists, the config).
 *
 * @module
 */
// deno-lint-ignore-file no-console -- a command-line tool: stdout is its report
import { join } from "node:path";
import { readImportGraph } from "../../tests/_import_graph.ts";
import { coveringTests } from "./covering.ts";
import { generateMutants, type MutantKind, sampleMutants } from "./generate.ts";
import { globToRegExp, parseGuardConfig } from "./guard_config.ts";
import type { Mutation } from "./mutation_list.ts";

/**
 * The default sample of `--generate`: about an hour on a 2-core machine.
 * Measured (seed 1, 30 mutants of all guard files, load average ~13): the
 * unmutated run of the covering tests took 7.4 min, the mutants 11.8 s
 * each; sandbox and bridge mutants, under-drawn there, take 20–100 s, so
 * about 18 s each is expected: 8 + 150 × 18 s ≈ 53 min.
 */
export const DEFAULT_SAMPLE = 150;

/** What the generated mode reads. */
export interface GeneratedOptions {
  root: string;
  flags: { files?: string; seed?: string; sample?: string };
  /** The curated mutations (their tests aim at their files). */
  curated: Mutation[];
  only: RegExp | undefined;
  /** Filled with each mutant's kind, for the report. */
  kinds: Map<Mutation, MutantKind>;
}

/**
 * The `--generate` mutants: every mutant of the selected guard files, less
 * the known-equivalent ones, sampled with the seed (printed).
 */
export async function generatedMutations(
  options: GeneratedOptions,
): Promise<Mutation[]> {
  const { root: ROOT, flags, curated, only, kinds } = options;
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
        !only || only.test(mutant.id) || only.test(mutant.description) ||
        only.test(mutant.kind)
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
