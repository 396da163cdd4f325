/**
 * The mutation generator of `scripts/deno task mutate --generate`: each kind
 * of edit made where it should be and nowhere else, ids that survive edits
 * elsewhere in the file, the seeded sample, planting at a position, the
 * covering tests from the import graph, and the loader of every
 * `mutations*.json` list.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readImportGraph } from "./_import_graph.ts";
import { coveringTests } from "../scripts/mutate/covering.ts";
import {
  applyMutant,
  type GeneratedMutant,
  generateMutants,
  sampleMutants,
} from "../scripts/mutate/generate.ts";
import {
  globToRegExp,
  parseGuardConfig,
} from "../scripts/mutate/guard_config.ts";
import { loadMutations, plant } from "../scripts/mutate/mutation_list.ts";

/** Every mutated text of a source, for one kind. */
function mutated(source: string, kind: GeneratedMutant["kind"]): string[] {
  return generateMutants("x.ts", source)
    .filter((m) => m.kind === kind)
    .map((m) => applyMutant(source, m)!);
}

Deno.test("comparisons flip to their neighbours", () => {
  const source = "const f = (a: number, b: number) =>\n" +
    "  [a < b, a <= b, a > b, a >= b, a === b, a !== b, a == b, a != b];\n";
  const out = mutated(source, "comparison");
  for (
    const [from, to] of [
      ["a < b", "a <= b"],
      ["a <= b", "a < b"],
      ["a > b", "a >= b"],
      ["a >= b", "a > b"],
      ["a === b", "a !== b"],
      ["a !== b", "a === b"],
      ["a == b", "a != b"],
      ["a != b", "a == b"],
    ]
  ) {
    const expected = source.replace(`${from},`, `${to},`).replace(
      `${from}]`,
      `${to}]`,
    );
    assert.ok(out.includes(expected), `${from} → ${to}`);
  }
  assert.equal(out.length, 8);
});

Deno.test("&& and || swap", () => {
  const source = "export const ok = (a: boolean, b: boolean) => a && b || a;\n";
  assert.deepEqual(mutated(source, "logical"), [
    source.replace("a && b", "a || b"),
    source.replace("b || a", "b && a"),
  ]);
});

Deno.test("conditions of if and ?: are negated", () => {
  const source =
    "function f(a: boolean) {\n  if (a) g();\n  return a ? 1 : 2;\n}\n";
  assert.deepEqual(mutated(source, "negate"), [
    source.replace("if (a)", "if (!(a))"),
    source.replace("return a ?", "return !(a) ?"),
  ]);
});

Deno.test("guard clauses that return, throw, continue or break are dropped", () => {
  const source = [
    "function f(a: number): number {",
    "  if (a > 9) return 0;",
    '  if (a < 0) { throw new RangeError("negative"); }',
    "  for (const x of [a]) { if (x) continue; }",
    "  if (a === 1) g(); // not a guard: it goes on",
    "  if (a === 2) { return 1; } else { g(); }",
    "  return a;",
    "}",
  ].join("\n");
  const out = mutated(source, "drop-guard");
  assert.deepEqual(out, [
    source.replace("if (a > 9) return 0;", "{}"),
    source.replace('if (a < 0) { throw new RangeError("negative"); }', "{}"),
    source.replace("if (x) continue;", "{}"),
  ]);
});

Deno.test("early returns go into functions that return nothing or a boolean", () => {
  const source = [
    "function check(a: number): void { if (a) throw new Error(); }",
    "function allowed(a: number): boolean { return a > 1; }",
    "async function run() { await g(); }",
    "function value(a: number) { return a + 1; }",
    "function* gen() { yield 1; }",
  ].join("\n");
  const out = mutated(source, "early-return");
  assert.deepEqual(out, [
    source.replace("void { if", "void { return; if"),
    source.replace("boolean { return a", "boolean { return true; return a"),
    source.replace("boolean { return a", "boolean { return false; return a"),
    source.replace("run() { await", "run() { return; await"),
  ]);
});

Deno.test("one entry at a time is dropped from lists of literals", () => {
  const source = 'const DENY = new Set(["a", "b", "c"]);\n' +
    "const CALLS = [f(), g()];\n";
  assert.deepEqual(mutated(source, "drop-entry"), [
    source.replace('"a", "b"', '"b"'),
    source.replace('"b", "c"', '"c"'),
    source.replace('"b", "c"', '"b"'),
  ]);
});

Deno.test("numbers become n+1, n*2 and 0 (0 becomes 1)", () => {
  const source = "const LIMIT = 4;\nconst NONE = 0;\nconst ONE = 1;\n";
  assert.deepEqual(mutated(source, "number"), [
    source.replace("= 4", "= 5"),
    source.replace("= 4", "= 8"),
    source.replace("= 4", "= 0"),
    source.replace("= 0", "= 1"),
    source.replace("= 1;", "= 2;"),
    source.replace("= 1;", "= 0;"),
  ]);
});

Deno.test("strings lose their first or their last character", () => {
  const source = 'const H = "host";\nconst D = ".";\nconst T = `ab`;\n';
  assert.deepEqual(mutated(source, "string"), [
    source.replace('"host"', '"ost"'),
    source.replace('"host"', '"hos"'),
    source.replace('"."', '""'), // once, though both ends give it
    source.replace("`ab`", "`b`"),
    source.replace("`ab`", "`a`"),
  ]);
});

Deno.test("types, imports and messages are not mutated", () => {
  const source = [
    'import { x } from "./x.ts";',
    'export { y } from "./y.ts";',
    'type Kind = "a" | "b";',
    "interface Shape { size: 3 }",
    'const k = "a" as const satisfies Kind;',
    "function f(n: 1 | 2): void {",
    '  if (!n) throw new TypeError("no n");',
    '  if (odd(n)) throw rpcError(`bad ${n}`, "two");',
    '  log.warn("careful", { n });',
    '  this.#warn("careful too", { n });',
    '  const e = new RangeError("too big");',
    '  if (odd(n)) c.fail("odd");',
    "  const fail = (m: string) => reject(new Error(m));",
    '  fail("gone");',
    "  if (n) throw rpcError(`bad ${String(n).slice(0, 100)}`);",
    "}",
    'declare const D: "x";',
  ].join("\n");
  const strings = generateMutants("x.ts", source)
    .filter((m) => m.kind === "string")
    .map((m) => m.original);
  assert.deepEqual(strings, ['"a"']); // the value of k, only
  const numbers = generateMutants("x.ts", source).filter((m) =>
    m.kind === "number"
  );
  assert.deepEqual(numbers, []);
});

Deno.test("ids stay the same when the file changes elsewhere", () => {
  const source = "const a = 1;\nif (a === 2) g();\n";
  const before = generateMutants("x.ts", source);
  const after = generateMutants(
    "x.ts",
    "// a comment\nconst z = 3;\n" + source,
  );
  const ids = new Set(after.map((m) => m.id));
  for (const m of before) assert.ok(ids.has(m.id), m.description);
  // Distinct mutants, distinct ids, even on identical lines.
  const twice = generateMutants("x.ts", "if (a) g();\nif (a) g();\n");
  assert.equal(new Set(twice.map((m) => m.id)).size, twice.length);
  for (const m of [...before, ...twice]) {
    assert.match(m.id, /^x\.ts#[0-9a-f]{10}$/);
  }
});

Deno.test("a mutant applies only where it was generated", () => {
  const source = "if (a < b) g();\n";
  const [flip] = generateMutants("x.ts", source).filter((m) =>
    m.kind === "comparison"
  );
  assert.ok(flip);
  assert.equal(applyMutant(source, flip), "if (a <= b) g();\n");
  assert.equal(applyMutant(" " + source, flip), undefined);
  // The runner plants it by position, even where the text repeats.
  const twice = "a < b; a < b;";
  const second = { at: 9, search: "<", replace: "<=" };
  const entry = { description: "d", file: "x.ts", tests: ["t_test.ts"] };
  assert.equal(plant(twice, { ...entry, ...second }), "a < b; a <= b;");
  assert.equal(plant(twice, { ...entry, ...second, at: 8 }), 0);
  assert.equal(plant(twice, { ...entry, search: "<", replace: "<=" }), 2);
});

Deno.test("the same seed draws the same sample", () => {
  const items = Array.from({ length: 200 }, (_, i) => i);
  const seed = 12345;
  const first = sampleMutants(items, seed, 30);
  assert.deepEqual(sampleMutants(items, seed, 30), first);
  assert.notDeepEqual(sampleMutants(items, seed + 1, 30), first);
  assert.equal(new Set(first).size, 30);
  assert.equal(sampleMutants(items, seed, 500).length, 200);
});

Deno.test("covering tests: importers, direct or not, nearest first", async () => {
  const root = await Deno.makeTempDir({ prefix: "agentos-mutate-graph-" });
  try {
    const files: Record<string, string> = {
      "a/guard.ts": "export const g = 1;\n",
      "a/mod.ts": 'export { g } from "./guard.ts";\n',
      "a/guard_test.ts": 'import { g } from "./guard.ts";\n',
      "tests/far_test.ts": 'import { g } from "../a/mod.ts";\n',
      "tests/other_test.ts": "export {};\n",
      "tests/_helper.ts": 'import { g } from "../a/mod.ts";\n',
    };
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(join(root, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(root, path), text);
    }
    const graph = await readImportGraph(root);
    assert.deepEqual(coveringTests(graph, "a/guard.ts"), [
      { test: "a/guard_test.ts", distance: 1 },
      { test: "tests/far_test.ts", distance: 2 },
    ]);
    assert.deepEqual(coveringTests(graph, "tests/_helper.ts"), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("every mutations*.json list is read; a description may not repeat across them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agentos-mutate-lists-" });
  const entry = (description: string) => ({
    description,
    file: "x.ts",
    search: "a",
    replace: "b",
    tests: ["x_test.ts"],
  });
  try {
    await Deno.writeTextFile(
      join(dir, "mutations.json"),
      JSON.stringify([entry("one")]),
    );
    await Deno.writeTextFile(
      join(dir, "mutations_layers.json"),
      JSON.stringify([entry("two")]),
    );
    await Deno.writeTextFile(
      join(dir, "mutations_units.json"),
      JSON.stringify([entry("three")]),
    );
    await Deno.writeTextFile(join(dir, "guard_files.json"), "{}");
    const all = await loadMutations(dir);
    assert.deepEqual(all.map((m) => m.description), ["one", "two", "three"]);
    await Deno.writeTextFile(
      join(dir, "mutations_units.json"),
      JSON.stringify([entry("one")]),
    );
    await assert.rejects(
      loadMutations(dir),
      /mutations_units\.json: description "one" repeats one of mutations\.json/,
    );
    await Deno.writeTextFile(
      join(dir, "mutations_units.json"),
      JSON.stringify([{ ...entry("four"), tests: [] }]),
    );
    await assert.rejects(
      loadMutations(dir),
      /mutations_units\.json entry 0: "tests"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the guard config is checked", () => {
  const ok = {
    files: ["a.ts", "b.ts"],
    tests: { "a.ts": ["t_test.ts"] },
    equivalent: [{ id: "a.ts#0123456789", reason: "both branches return it" }],
  };
  const parse = (value: unknown) => parseGuardConfig(JSON.stringify(value));
  assert.deepEqual(parse(ok), ok);
  assert.throws(() => parse({ ...ok, files: ["b.ts", "a.ts"] }), /sorted/);
  assert.throws(() => parse({ ...ok, files: ["a.ts", "a.ts"] }), /twice/);
  assert.throws(
    () => parse({ ...ok, tests: { "c.ts": ["t_test.ts"] } }),
    /not a guard file/,
  );
  assert.throws(
    () => parse({ ...ok, equivalent: [{ id: "a.ts#0123456789" }] }),
    /needs a "reason"/,
  );
  assert.throws(
    () =>
      parse({
        ...ok,
        equivalent: [{ id: "c.ts#0123456789", reason: "because it is" }],
      }),
    /not of a guard file/,
  );
  assert.throws(() => parse({ ...ok, extra: 1 }), /unknown field/);
});

Deno.test("globs select guard files", () => {
  assert.ok(globToRegExp("engine/net/**").test("engine/net/address_guard.ts"));
  assert.ok(globToRegExp("engine/**/*.ts").test("engine/a/b/c.ts"));
  assert.ok(globToRegExp("engine/**/*.ts").test("engine/c.ts"));
  assert.ok(!globToRegExp("engine/*.ts").test("engine/net/a.ts"));
  assert.ok(globToRegExp("bridge/ho?t_guard.ts").test("bridge/host_guard.ts"));
  assert.ok(!globToRegExp("bridge/host.ts").test("bridge/hostXts"));
});
