/**
 * Keeps the house in order (docs/architecture.md): every import of every
 * `.ts` file of the repository is read, and every function's length, and
 * the rules are checked on the real tree and, so that each check is known
 * to bite, on planted trees that break them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "./_task_command.ts";
import {
  folderDoorBreaches,
  frontDoorBreaches,
  importCycles,
  importsOf,
  readImportGraph,
  rpcErrorImports,
} from "./_import_graph.ts";
import {
  functionsOf,
  longFunctions,
  MAX_FUNCTION_LINES,
  readFunctionLengths,
} from "./_function_lengths.ts";

const repo = await readImportGraph(REPO_ROOT);

Deno.test("the repository has no import cycle between files", () => {
  assert.deepEqual(importCycles(repo), []);
});

Deno.test("cli/, mcp/, bridge/ and scripts/ enter the engine through mod.ts files only", () => {
  assert.deepEqual(frontDoorBreaches(repo), []);
});

Deno.test("an engine folder is entered from outside it through its mod.ts only", () => {
  assert.deepEqual(folderDoorBreaches(repo), []);
});

Deno.test("nothing outside engine/rpc/ takes RpcError or ErrorCode from engine/rpc", () => {
  assert.deepEqual(rpcErrorImports(repo), []);
});

Deno.test("the import reader sees every file of the engine and its imports", () => {
  // A reader that found nothing would pass every rule above.
  for (
    const file of ["engine/mod.ts", "engine/errors.ts", "cli/cli.ts", "main.ts"]
  ) {
    assert.deepEqual(repo.files.includes(file), true, file);
  }
  assert.deepEqual(
    repo.edges.some((edge) =>
      edge.from.startsWith("cli/") && edge.to === "engine/mod.ts"
    ),
    true,
  );
  assert.deepEqual(repo.edges.length > repo.files.length, true);
});

/** Writes `files` (path → text) under a fresh directory; returns it. */
async function plant(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "agentos-arch-" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(join(root, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
  return root;
}

Deno.test("a planted cycle through three files is found and named", async () => {
  const root = await plant({
    "engine/a/one.ts":
      'import { two } from "../b/two.ts";\nexport const one = two;\n',
    "engine/b/two.ts":
      'export { three as two } from "./three.ts";\nimport "../c/ok.ts";\n',
    "engine/b/three.ts":
      'import type { one } from "../a/one.ts";\nexport const three: typeof one = 1;\n',
    "engine/c/ok.ts": "export const ok = 1;\n",
    "engine/c/self.ts": 'import("./self.ts");\n',
  });
  try {
    const cycles = importCycles(await readImportGraph(root));
    assert.deepEqual(cycles.sort(), [
      "engine/a/one.ts → engine/b/two.ts → engine/b/three.ts → engine/a/one.ts",
      "engine/c/self.ts → engine/c/self.ts",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("imports past a front door or a folder's mod.ts, and errors taken from engine/rpc, are named", async () => {
  const root = await plant({
    "cli/ok.ts": 'import { VERSION } from "../engine/mod.ts";\n',
    "cli/bad.ts":
      '// a comment\nimport { homePaths } from "../engine/home.ts";\nimport { x } from "../engine/graph/mod.ts";\n',
    "mcp/bad.ts": 'import { y } from "../engine/rpc/rpc_client.ts";\n',
    "engine/vault/v.ts":
      'import {\n  type ErrorCode,\n  RpcClient,\n} from "../rpc/mod.ts";\nimport { RpcError } from "../errors.ts";\n',
    "engine/rpc/inside.ts": 'import { RpcError } from "./rpc_error.ts";\n',
    "engine/graph/ns.ts": 'import * as rpc from "../rpc/mod.ts";\n',
    "engine/vault/peek.ts": 'import { GraphTx } from "../graph/graph_tx.ts";\n',
    "engine/graph/inside.ts": 'import { GraphTx } from "./graph_tx.ts";\n',
    "tests/unit.ts": 'import { GraphTx } from "../engine/graph/graph_tx.ts";\n',
  });
  try {
    const graph = await readImportGraph(root);
    assert.deepEqual(frontDoorBreaches(graph), [
      "cli/bad.ts:2 imports engine/home.ts",
      "mcp/bad.ts:1 imports engine/rpc/rpc_client.ts",
    ]);
    assert.deepEqual(folderDoorBreaches(graph), [
      "engine/vault/peek.ts:1 imports engine/graph/graph_tx.ts",
      "mcp/bad.ts:1 imports engine/rpc/rpc_client.ts",
    ]);
    assert.deepEqual(rpcErrorImports(graph), [
      "engine/graph/ns.ts:1 takes * from engine/rpc/mod.ts",
      "engine/vault/v.ts:1 takes ErrorCode from engine/rpc/mod.ts",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("no function or method over 80 lines in engine/, cli/, mcp/, bridge/ and scripts/ (tests excluded)", async () => {
  // A long function hides the order of its steps: split it into named
  // stages or handlers (one concept each), not at a line count.
  assert.deepEqual(longFunctions(await readFunctionLengths(REPO_ROOT)), []);
});

/** A function declaration `name` of exactly `lines` lines. */
function functionOfLines(name: string, lines: number): string {
  return `export function ${name}(): number {\n  let x = 0;\n${
    "  x++;\n".repeat(lines - 3)
  }}\n`;
}

Deno.test("a planted 81-line function is named with its file, line and name; 80 lines pass", async () => {
  const root = await plant({
    "engine/a/long.ts": "// the function starts on line 2\n" +
      functionOfLines("tooLong", 81),
    "engine/a/ok.ts": functionOfLines("justRight", MAX_FUNCTION_LINES),
    "mcp/proxy.ts":
      `export class Proxy {\n  #handle(): void {\n    let x = 0;\n${
        "    x++;\n".repeat(78)
      }  }\n  short(): void {}\n}\n`,
    "cli/arrow.ts": `export const run = () => {\n  let x = 0;\n${
      "  x++;\n".repeat(78)
    }};\n`,
    "engine/a/long_test.ts": functionOfLines("aTest", 200),
    "bridge/static/page.ts": functionOfLines("pageCode", 200),
    "tests/helper.ts": functionOfLines("notMeasured", 200),
    "docs/x.ts": functionOfLines("notMeasuredEither", 200),
  });
  try {
    assert.deepEqual(longFunctions(await readFunctionLengths(root)), [
      "cli/arrow.ts:1 run (81 lines)",
      "engine/a/long.ts:2 tooLong (81 lines)",
      "mcp/proxy.ts:2 Proxy.#handle (81 lines)",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a function's length counts its first and last lines; bodiless signatures are not functions", () => {
  const text = [
    "export function f(): void {}",
    "export declare function g(): void;",
    "export interface I {",
    "  m(): void;",
    "}",
    "export class C {",
    "  constructor() {",
    "    f();",
    "  }",
    "  get v(): number {",
    "    return 1;",
    "  }",
    "}",
  ].join("\n");
  assert.deepEqual(
    functionsOf("engine/x.ts", text).map((f) => [f.line, f.name, f.lines]),
    [[1, "f", 1], [7, "C.constructor", 3], [10, "C.v", 3]],
  );
});

Deno.test("indented import lines in template strings, and comment lines, are not imports", () => {
  const text = [
    "const code = `",
    '  import { a } from "./a.ts";',
    "`;",
    '// import { b } from "./b.ts";',
    'export { c } from "./c.ts";',
  ].join("\n");
  assert.deepEqual(importsOf("engine/x.ts", text).map((edge) => edge.to), [
    "engine/c.ts",
  ]);
});

Deno.test("the README, the docs and the code point at nothing outside the repository", async () => {
  // A clone has no sibling "shared" folder and no design file of the
  // session that built it; the architecture is docs/architecture.md. (Built
  // from parts so that this file does not name them itself.)
  const outside = new RegExp(
    ["\\.\\./" + "shared", "DESIGN" + "\\.md"].join("|"),
  );
  const texts = [
    "README.md",
    ...[...Deno.readDirSync(join(REPO_ROOT, "docs"))].map((entry) =>
      `docs/${entry.name}`
    ),
    ...repo.files,
  ];
  const found: string[] = [];
  for (const file of texts) {
    const text = await Deno.readTextFile(join(REPO_ROOT, file));
    text.split("\n").forEach((line, i) => {
      if (outside.test(line)) found.push(`${file}:${i + 1}`);
    });
  }
  assert.deepEqual(found, []);
  assert.ok(
    (await Deno.readTextFile(join(REPO_ROOT, "README.md"))).includes(
      "docs/architecture.md",
    ),
  );
});
