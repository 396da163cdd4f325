/**
 * The curated lists of mutations (`scripts/mutate/mutations*.json`: every
 * file of that name is read): each a small, realistic bug planted in code
 * that guards users, with the tests that must catch it.
 *
 * @module
 */
import { join } from "node:path";

/** One planted bug. */
export interface Mutation {
  /** What the bug does, in one line. */
  description: string;
  /** The file it is planted in, relative to the repository root. */
  file: string;
  /** Text that must occur exactly once in the file. */
  search: string;
  /** What replaces it. */
  replace: string;
  /** Test files (relative to the root) that cover the code. */
  tests: string[];
  /**
   * Passed to `deno test --filter`: a substring of the test names, or a
   * regular expression written between slashes (`/Host|origin/`).
   */
  filter?: string;
  /** A per-mutation timeout in seconds, for slow cross-process tests. */
  timeoutSeconds?: number;
  /**
   * Where `search` starts in the file (generated mutants): then it must
   * occur there, and other occurrences do not matter.
   */
  at?: number;
}

/** The curated lists: `mutations.json`, `mutations_<area>.json`. */
export const MUTATION_FILE = /^mutations(?:_[\w-]+)?\.json$/;

/**
 * Reads every curated list in a folder (`mutations*.json`), in name order,
 * and checks that no description repeats across them.
 *
 * @param dir the folder (`scripts/mutate`)
 * @returns the mutations of all the lists, each list's in its order
 * @throws {SyntaxError} naming the file, entry and field that are wrong
 */
export async function loadMutations(dir: string): Promise<Mutation[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && MUTATION_FILE.test(entry.name)) names.push(entry.name);
  }
  names.sort();
  const all: Mutation[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    for (
      const mutation of parseMutations(
        await Deno.readTextFile(join(dir, name)),
        name,
      )
    ) {
      const earlier = seen.get(mutation.description);
      if (earlier !== undefined) {
        throw new SyntaxError(
          `${name}: description "${mutation.description}" repeats one of ${earlier}`,
        );
      }
      seen.set(mutation.description, name);
      all.push(mutation);
    }
  }
  return all;
}

/**
 * Reads and checks the list: every field present and of the right type,
 * descriptions unique.
 *
 * @param text the JSON text
 * @param name the file's name, for messages
 * @returns the mutations
 * @throws {SyntaxError} naming the entry and field that are wrong
 */
export function parseMutations(
  text: string,
  name = "mutations.json",
): Mutation[] {
  const list: unknown = JSON.parse(text);
  if (!Array.isArray(list)) {
    throw new SyntaxError(`${name} must hold an array of mutations`);
  }
  const seen = new Set<string>();
  return list.map((entry, index) => {
    const where = `${name} entry ${index}`;
    if (typeof entry !== "object" || entry === null) {
      throw new SyntaxError(`${where} is not an object`);
    }
    const record = entry as Record<string, unknown>;
    for (const key of ["description", "file", "search", "replace"]) {
      if (typeof record[key] !== "string" || record[key] === "") {
        if (key === "replace" && record[key] === "") continue;
        throw new SyntaxError(`${where}: "${key}" must be a non-empty string`);
      }
    }
    if (
      !Array.isArray(record.tests) || record.tests.length === 0 ||
      !record.tests.every((test) => typeof test === "string")
    ) {
      throw new SyntaxError(`${where}: "tests" must list test files`);
    }
    if (record.search === record.replace) {
      throw new SyntaxError(`${where}: "replace" equals "search"`);
    }
    const description = record.description as string;
    if (seen.has(description)) {
      throw new SyntaxError(`${where}: description "${description}" repeats`);
    }
    seen.add(description);
    return entry as Mutation;
  });
}

/**
 * Plants a mutation in a file's text.
 *
 * @param text the file's text
 * @param mutation the mutation
 * @returns the mutated text, or the number of matches when the search does
 *   not occur exactly once (0: the entry is stale); with `at`, the text, or
 *   0 when the search is not at that offset
 */
export function plant(text: string, mutation: Mutation): string | number {
  if (mutation.at !== undefined) {
    const end = mutation.at + mutation.search.length;
    if (text.slice(mutation.at, end) !== mutation.search) return 0;
    return text.slice(0, mutation.at) + mutation.replace + text.slice(end);
  }
  const first = text.indexOf(mutation.search);
  if (first === -1) return 0;
  if (text.indexOf(mutation.search, first + 1) !== -1) {
    return text.split(mutation.search).length - 1;
  }
  return text.slice(0, first) + mutation.replace +
    text.slice(first + mutation.search.length);
}
