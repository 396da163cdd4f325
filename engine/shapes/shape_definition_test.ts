import assert from "node:assert/strict";
import { parseShapeDefinition } from "./shape_definition.ts";

Deno.test("parseShapeDefinition() reads fields, relations, identity and display", () => {
  const text = [
    "note:",
    "  description: A note.",
    "  plural: notes",
    "  identity_any: [url, path]",
    "  fields:",
    "    path: string",
    "    tags: string[]",
    "    kind: { type: enum, values: [plain, 2, true], description: Format }",
    "  relations:",
    "    links_to: note[]",
    "    about: { shape: project, description: What it is about }",
    "  display: { title: name, columns: [path, kind] }",
  ].join("\n");
  const { definition, problems } = parseShapeDefinition("note.yaml", text, {
    expectedName: "note",
  });
  assert.deepEqual(problems, []);
  assert.equal(definition!.name, "note");
  assert.deepEqual(definition!.at, { line: 1, column: 1 });
  assert.equal(definition!.identity, undefined);
  assert.deepEqual(definition!.identityAny!.map((k) => k.value), [
    "url",
    "path",
  ]);
  assert.deepEqual(definition!.fields, {
    path: { type: "string", list: false },
    tags: { type: "string", list: true },
    kind: {
      type: "enum",
      list: false,
      values: ["plain", "2", "true"],
      description: "Format",
    },
  });
  assert.deepEqual(definition!.relations.links_to!.value, {
    shape: "note",
    list: true,
  });
  assert.deepEqual(definition!.relations.about!.value, {
    shape: "project",
    list: false,
    description: "What it is about",
  });
  assert.deepEqual(definition!.display, {
    title: "name",
    columns: ["path", "kind"],
  });
});

Deno.test("parseShapeDefinition() accepts also and identity as a single string", () => {
  const { definition } = parseShapeDefinition(
    "x.yaml",
    "x:\n  also: y\n  identity: code\n",
  );
  assert.deepEqual(definition!.also.map((p) => p.value), ["y"]);
  assert.deepEqual(definition!.identity!.map((k) => k.value), ["code"]);
});

Deno.test("parseShapeDefinition() returns no definition when the file has a problem", () => {
  const parsed = parseShapeDefinition("x.yaml", "x:\n  fields: { a: nope }\n");
  assert.equal(parsed.name, "x");
  assert.equal(parsed.definition, undefined);
  assert.equal(parsed.problems[0]!.shape, "x");
});

Deno.test("parseShapeDefinition() reports only the first YAML syntax error", () => {
  const parsed = parseShapeDefinition(
    "x.yaml",
    "x:\n  a: [b\n  c: {d\n  e: f\n",
  );
  assert.equal(parsed.problems.length, 1);
  assert.match(parsed.problems[0]!.reason, /^Invalid YAML: /);
});

Deno.test("parseShapeDefinition() refuses an invalid shape name", () => {
  const parsed = parseShapeDefinition("X.yaml", "X:\n  plural: xs\n");
  assert.equal(
    parsed.problems[0]!.reason,
    'Invalid shape name "X": use lowercase letters, digits and _',
  );
});

Deno.test("parseShapeDefinition() refuses a repeated identity key", () => {
  const parsed = parseShapeDefinition(
    "x.yaml",
    "x:\n  identity: [name, name]\n",
  );
  assert.equal(
    parsed.problems[0]!.reason,
    'Key "name" repeats in "identity" of shape "x"',
  );
  assert.equal(parsed.problems[0]!.column, 20);
});

Deno.test("parseShapeDefinition() reads remember and refuses a value that is not a boolean", () => {
  const ok = parseShapeDefinition("v.yaml", "v:\n  remember: false\n");
  assert.equal(ok.definition?.remember, false);
  const bad = parseShapeDefinition("w.yaml", "w:\n  remember: sometimes\n");
  assert.equal(bad.definition, undefined);
  assert.equal(bad.problems[0]?.line, 2);
  assert.match(
    bad.problems[0]!.reason,
    /"remember" of shape "w" must be true or false/,
  );
});
