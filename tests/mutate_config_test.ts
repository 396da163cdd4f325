/**
 * `scripts/mutate/guard_files.json` names every file that guards users:
 * each `.ts` file (not a test, nor a helper only tests import) of the
 * sandbox, the broker, the network checks and the owner's grants, and the
 * bridge's auth; it names no file
 * that does not exist; its extra covering tests exist; each known-equivalent
 * mutant id is still generated from the code. And every curated
 * `mutations*.json` list reads.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "./_task_command.ts";
import { generateMutants } from "../scripts/mutate/generate.ts";
import { parseGuardConfig } from "../scripts/mutate/guard_config.ts";
import {
  loadMutations,
  MUTATION_FILE,
  plant,
} from "../scripts/mutate/mutation_list.ts";

/** Folders whose every source file guards users. */
const GUARD_FOLDERS = [
  "engine/sandbox",
  "engine/broker",
  "engine/net",
  "engine/grants",
];

/** The bridge's auth: its token, app auth, open codes and Host guard. */
const BRIDGE_AUTH = [
  "bridge/app_token.ts",
  "bridge/app_auth.ts",
  "bridge/open_code.ts",
  "bridge/host_guard.ts",
];

const config = parseGuardConfig(
  await Deno.readTextFile(join(REPO_ROOT, "scripts/mutate/guard_files.json")),
);

async function sourcesUnder(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(join(REPO_ROOT, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (
        entry.isFile && entry.name.endsWith(".ts") &&
        !entry.name.endsWith("_test.ts")
      ) found.push(path);
    }
  };
  await walk(folder);
  return found;
}

/** Folders of the product's own code (not its tests). */
const PRODUCT_FOLDERS = ["engine", "bridge", "cli", "mcp", "shapes"];

/**
 * Helpers of tests among the sources found: a file named `_…` that no
 * product file imports (`_test_shell.ts`); what guards users is product
 * code, not the fixtures its tests share.
 */
async function testHelpers(sources: string[]): Promise<Set<string>> {
  const candidates = sources.filter((path) =>
    path.slice(path.lastIndexOf("/") + 1).startsWith("_")
  );
  const imported = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(join(REPO_ROOT, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (
        entry.isFile && entry.name.endsWith(".ts") &&
        !entry.name.endsWith("_test.ts")
      ) {
        const text = await Deno.readTextFile(join(REPO_ROOT, path));
        for (const candidate of candidates) {
          const name = candidate.slice(candidate.lastIndexOf("/") + 1);
          if (path !== candidate && text.includes(`/${name}"`)) {
            imported.add(candidate);
          }
        }
      }
    }
  };
  for (const folder of PRODUCT_FOLDERS) {
    if (await exists(folder, "dir")) await walk(folder);
  }
  return new Set(candidates.filter((path) => !imported.has(path)));
}

async function exists(
  path: string,
  kind: "file" | "dir" = "file",
): Promise<boolean> {
  try {
    const stat = await Deno.stat(join(REPO_ROOT, path));
    return kind === "file" ? stat.isFile : stat.isDirectory;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

Deno.test("every guard file is in guard_files.json", async () => {
  const listed = new Set(config.files);
  const sources = (await Promise.all(GUARD_FOLDERS.map(sourcesUnder))).flat();
  const helpers = await testHelpers(sources);
  const guards = [
    ...sources.filter((path) => !helpers.has(path)),
    ...BRIDGE_AUTH,
  ];
  assert.ok(guards.length > 40, `only ${guards.length} guard files found`);
  const missing = guards.filter((file) => !listed.has(file)).sort();
  // Test helpers are not guards: listed, their mutants would count.
  assert.deepEqual(
    config.files.filter((file) => helpers.has(file)),
    [],
    "test helpers (named _…, imported by no product file) are not guard files",
  );
  assert.deepEqual(
    missing,
    [],
    `add to scripts/mutate/guard_files.json ("files", sorted): ${
      missing.join(", ")
    }`,
  );
});

Deno.test("guard_files.json names only files that exist", async () => {
  const absent: string[] = [];
  for (const file of config.files) {
    if (!await exists(file)) absent.push(`files: ${file}`);
  }
  for (const [file, tests] of Object.entries(config.tests)) {
    for (const test of tests) {
      if (!await exists(test)) absent.push(`tests of ${file}: ${test}`);
    }
  }
  assert.deepEqual(absent, [], "remove or rename in guard_files.json");
});

Deno.test("each known-equivalent mutant is still generated", async () => {
  const stale: string[] = [];
  const byFile = Map.groupBy(config.equivalent, (e) => e.id.split("#")[0]!);
  for (const [file, entries] of byFile) {
    const ids = new Set(
      generateMutants(file, await Deno.readTextFile(join(REPO_ROOT, file)))
        .map((m) => m.id),
    );
    for (const entry of entries) {
      if (!ids.has(entry.id)) stale.push(entry.id);
    }
  }
  assert.deepEqual(
    stale,
    [],
    "the code of these equivalent mutants changed: check them again (scripts/deno task mutate --generate --list --files FILE) and update their ids",
  );
});

Deno.test("every mutations*.json list reads, with no description twice", async () => {
  const dir = join(REPO_ROOT, "scripts/mutate");
  const lists: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (MUTATION_FILE.test(entry.name)) lists.push(entry.name);
  }
  assert.ok(lists.includes("mutations.json"));
  const all = await loadMutations(dir);
  let total = 0;
  for (const name of lists) {
    total += (JSON.parse(await Deno.readTextFile(join(dir, name))) as unknown[])
      .length;
  }
  assert.equal(all.length, total, "every entry of every list is loaded");
});

Deno.test("every curated mutation still plants: its search text occurs once in its file", async () => {
  // A stale entry is reported by a run, not failed: a change that moves the
  // text a mutation searches for must move the mutation with it.
  const mutations = await loadMutations(join(REPO_ROOT, "scripts/mutate"));
  const stale: string[] = [];
  for (const mutation of mutations) {
    const text = await Deno.readTextFile(join(REPO_ROOT, mutation.file));
    const planted = plant(text, mutation);
    if (typeof planted === "number") {
      stale.push(`${mutation.description} (${planted} matches)`);
    }
  }
  assert.deepEqual(stale, []);
});
