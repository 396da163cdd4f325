/**
 * `scripts/mutate/guard_files.json`: the files that guard users (every one
 * is a source of generated mutants), extra covering tests per file, and
 * generated mutants known to be equivalent (no behaviour changes, so no
 * test can catch them), each with its reason.
 *
 * @module
 */

/** A generated mutant that changes no behaviour. */
export interface EquivalentMutant {
  /** Its id, `file#hash` (see `generate.ts`). */
  id: string;
  /** Why no test can tell it from the original. */
  reason: string;
}

/** The configuration of generated mutation runs. */
export interface GuardConfig {
  /** Every guard file, relative to the root, sorted. */
  files: string[];
  /**
   * Tests added to a file's covering tests (those the import graph finds):
   * tests that reach its code through a process they start, for example.
   */
  tests: Record<string, string[]>;
  /** Generated mutants not counted (and not run). */
  equivalent: EquivalentMutant[];
}

/**
 * Reads and checks the configuration's shape: files a sorted list without
 * repeats, tests keyed by listed files, equivalent ids of listed files,
 * each with a reason, none twice.
 *
 * @param text the JSON text
 * @returns the configuration
 * @throws {SyntaxError} naming what is wrong
 */
export function parseGuardConfig(text: string): GuardConfig {
  const where = "guard_files.json";
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SyntaxError(`${where} must hold an object`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!["files", "tests", "equivalent", "about"].includes(key)) {
      throw new SyntaxError(`${where}: unknown field "${key}"`);
    }
  }
  const files = record.files;
  if (
    !Array.isArray(files) || files.length === 0 ||
    !files.every((f) => typeof f === "string" && f.endsWith(".ts"))
  ) {
    throw new SyntaxError(`${where}: "files" must list .ts files`);
  }
  const sorted = [...files].sort();
  if (new Set(files).size !== files.length) {
    throw new SyntaxError(`${where}: "files" lists a file twice`);
  }
  if (sorted.some((f, i) => f !== files[i])) {
    throw new SyntaxError(`${where}: "files" must be sorted`);
  }
  const listed = new Set<string>(files);
  const tests = record.tests ?? {};
  if (typeof tests !== "object" || tests === null || Array.isArray(tests)) {
    throw new SyntaxError(`${where}: "tests" must map files to test files`);
  }
  for (const [file, list] of Object.entries(tests)) {
    if (!listed.has(file)) {
      throw new SyntaxError(
        `${where}: "tests" names ${file}, not a guard file`,
      );
    }
    if (
      !Array.isArray(list) || list.length === 0 ||
      !list.every((t) => typeof t === "string" && t.endsWith("_test.ts"))
    ) {
      throw new SyntaxError(
        `${where}: "tests" of ${file} must list test files`,
      );
    }
  }
  const equivalent = record.equivalent ?? [];
  if (!Array.isArray(equivalent)) {
    throw new SyntaxError(`${where}: "equivalent" must be a list`);
  }
  const ids = new Set<string>();
  for (const [index, entry] of equivalent.entries()) {
    const e = entry as Record<string, unknown>;
    const id = e?.id;
    if (typeof id !== "string" || !/^[^#]+#[0-9a-f]{10}$/.test(id)) {
      throw new SyntaxError(
        `${where}: equivalent entry ${index} needs an "id" like file.ts#0123456789`,
      );
    }
    if (!listed.has(id.split("#")[0]!)) {
      throw new SyntaxError(
        `${where}: equivalent ${id} is not of a guard file`,
      );
    }
    if (typeof e.reason !== "string" || e.reason.trim().length < 10) {
      throw new SyntaxError(`${where}: equivalent ${id} needs a "reason"`);
    }
    if (ids.has(id)) {
      throw new SyntaxError(`${where}: equivalent ${id} is listed twice`);
    }
    ids.add(id);
  }
  return {
    files,
    tests: tests as Record<string, string[]>,
    equivalent: equivalent as EquivalentMutant[],
  };
}

/**
 * A glob as a regular expression over `/`-separated paths: `**` spans
 * folders, `*` and `?` stay within one.
 *
 * @param glob e.g. `engine/net/*.ts` or `engine/**`
 * @returns a regular expression matching whole paths
 */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      i++;
      if (glob[i + 1] === "/") {
        i++;
        source += "(?:.*/)?";
      } else source += ".*";
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
