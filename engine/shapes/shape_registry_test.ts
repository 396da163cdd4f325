import assert from "node:assert/strict";
import { ShapeRegistry } from "./shape_registry.ts";
import type { ShapeProblem } from "./shape.ts";

/** A source whose text is the given lines, so tests can name line numbers. */
function src(file: string, ...lines: string[]): { file: string; text: string } {
  return { file, text: lines.join("\n") + "\n" };
}

function where(p: ShapeProblem | undefined): string {
  return p === undefined ? "none" : `${p.file}:${p.line}:${p.column}`;
}

const THING = src(
  "thing.yaml",
  "thing:",
  "  description: Anything at all.",
  "  identity_any: [url]",
  "  fields:",
  "    color: string",
  "    weight: number",
);
const TOOL = src(
  "tool.yaml",
  "tool:",
  "  also: thing",
  "  identity: [maker, model]",
  "  fields:",
  "    model: string",
  "    weight: integer",
  "  relations:",
  "    maker: maker",
);
const HAMMER = src(
  "hammer.yaml",
  "hammer:",
  "  also: [tool]",
  "  fields:",
  "    headWeight: number",
  "  display: { title: model, date: published }",
);
const MAKER = src("maker.yaml", "maker:", "  identity: [name]");

Deno.test("ShapeRegistry.fromSources() resolves inheritance transitively, nearest first", async () => {
  const registry = await ShapeRegistry.fromSources([
    THING,
    TOOL,
    HAMMER,
    MAKER,
  ]);
  assert.deepEqual(registry.problems, []);
  const hammer = registry.get("hammer")!;
  assert.deepEqual(hammer.also, ["tool"]);
  assert.deepEqual(hammer.ancestors, ["tool", "thing"]);
  assert.deepEqual(hammer.fields.color, { type: "string", list: false });
  assert.deepEqual(hammer.fields.headWeight, { type: "number", list: false });
  assert.deepEqual(hammer.relations.maker, { shape: "maker", list: false });
  assert.equal(hammer.file, "hammer.yaml");
  assert.equal(hammer.plural, "hammers");
});

Deno.test("ShapeRegistry.fromSources() lets a nearer field declaration win", async () => {
  const registry = await ShapeRegistry.fromSources([
    THING,
    TOOL,
    HAMMER,
    MAKER,
  ]);
  assert.equal(registry.get("thing")!.fields.weight!.type, "number");
  assert.equal(registry.get("tool")!.fields.weight!.type, "integer");
  assert.equal(registry.get("hammer")!.fields.weight!.type, "integer");
});

Deno.test("ShapeRegistry.fromSources() inherits identity from the nearest ancestor that declares one", async () => {
  const registry = await ShapeRegistry.fromSources([
    THING,
    TOOL,
    HAMMER,
    MAKER,
  ]);
  assert.deepEqual(registry.get("hammer")!.identity, ["maker", "model"]);
  assert.deepEqual(registry.get("hammer")!.identityAny, []);
  // tool declares identity, so it does not also inherit thing's identity_any.
  assert.deepEqual(registry.get("tool")!.identityAny, []);
  assert.deepEqual(registry.get("thing")!.identityAny, ["url"]);
});

Deno.test("ShapeRegistry.fromSources() adds the standard fields unless declared", async () => {
  const post = src(
    "post.yaml",
    "post:",
    "  fields:",
    "    text: { type: string, description: Short text }",
    "  relations:",
    "    author: maker",
  );
  const registry = await ShapeRegistry.fromSources([MAKER, post]);
  const shape = registry.get("post")!;
  assert.deepEqual(shape.fields.text, {
    type: "string",
    list: false,
    description: "Short text",
  });
  assert.equal(shape.fields.published!.type, "datetime");
  assert.equal(shape.fields.url!.type, "url");
  assert.equal(
    shape.fields.author,
    undefined,
    "the relation replaces the standard field",
  );
  assert.deepEqual(shape.relations.author, { shape: "maker", list: false });
  assert.deepEqual(
    Object.keys(registry.get("maker")!.fields).sort(),
    ["author", "content", "id", "image", "name", "published", "text", "url"],
  );
});

Deno.test("ShapeRegistry.fromSources() lets a relation replace an inherited field of the same key", async () => {
  const child = src(
    "child.yaml",
    "child:",
    "  also: thing",
    "  relations:",
    "    color: maker",
  );
  const registry = await ShapeRegistry.fromSources([THING, MAKER, child]);
  assert.deepEqual(registry.problems, []);
  assert.equal(registry.get("child")!.fields.color, undefined);
  assert.equal(registry.get("child")!.relations.color!.shape, "maker");
});

Deno.test("ShapeRegistry.fromSources() merges display hints key by key", async () => {
  const registry = await ShapeRegistry.fromSources([
    src("a.yaml", "a:", "  display: { title: name, subtitle: url }"),
    src("b.yaml", "b:", "  also: a", "  display: { subtitle: text }"),
  ]);
  assert.deepEqual(registry.get("b")!.display, {
    title: "name",
    subtitle: "text",
  });
});

Deno.test("ShapeRegistry.load() reports a cyclic also with file and line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/a.yaml`,
      "a:\n  description: A.\n  also: [b]\n",
    );
    await Deno.writeTextFile(`${dir}/b.yaml`, "b:\n  also:\n    - c\n");
    await Deno.writeTextFile(`${dir}/c.yaml`, "c:\n  also: a\n");
    await Deno.writeTextFile(`${dir}/d.yaml`, "d:\n  also: a\n");
    await Deno.writeTextFile(`${dir}/e.yaml`, "e:\n  fields: { x: string }\n");
    const registry = await ShapeRegistry.load([dir]);
    const byShape = (s: string) => registry.problems.find((p) => p.shape === s);
    assert.equal(where(byShape("a")), `${dir}/a.yaml:3:10`);
    assert.equal(where(byShape("b")), `${dir}/b.yaml:3:7`);
    assert.equal(where(byShape("c")), `${dir}/c.yaml:2:9`);
    assert.equal(
      byShape("a")!.reason,
      'Shape "a" is in an inheritance cycle "a" → "b" → "c" → "a"; none of these shapes load',
    );
    assert.equal(
      byShape("d")!.reason,
      'Shape "d" cannot load because its parent "a" did not load',
    );
    assert.equal(registry.problems.length, 4);
    assert.deepEqual(registry.list().map((s) => s.name), ["e"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ShapeRegistry.fromSources() refuses a shape that inherits from itself", async () => {
  const registry = await ShapeRegistry.fromSources([
    src("a.yaml", "a:", "  also: [a]"),
  ]);
  assert.equal(where(registry.problems[0]), "a.yaml:2:10");
  assert.match(registry.problems[0]!.reason, /inheritance cycle "a" → "a"/);
  assert.equal(registry.get("a"), undefined);
});

Deno.test("ShapeRegistry.fromSources() reports a YAML syntax error with its line and loads the rest", async () => {
  const registry = await ShapeRegistry.fromSources([
    THING,
    src("broken.yaml", "broken:", "  fields:", "    a: [string", "    b: text"),
  ]);
  assert.equal(registry.problems.length, 1);
  const [p] = registry.problems;
  assert.equal(p!.file, "broken.yaml");
  assert.equal(p!.shape, "broken");
  assert.equal(p!.line, 4);
  assert.match(p!.reason, /^Invalid YAML: /);
  assert.ok(registry.get("thing"));
  assert.equal(registry.get("broken"), undefined);
});

Deno.test("ShapeRegistry.fromSources() quotes an unknown field type with its position", async () => {
  const registry = await ShapeRegistry.fromSources([
    src("x.yaml", "x:", "  fields:", "    title: string", "    name: strin"),
  ]);
  assert.deepEqual(registry.problems, [{
    file: "x.yaml",
    line: 4,
    column: 11,
    shape: "x",
    reason: 'Unknown field type "strin" for field "name"',
  }]);
});

const BROKEN_SHAPES: [string, string[], string, RegExp][] = [
  [
    "an enum without values",
    ["x:", "  fields:", "    s: enum"],
    "x.yaml:3:8",
    /^Enum field "s" has no values/,
  ],
  [
    "an enum with an empty list",
    ["x:", "  fields:", "    s: { type: enum, values: [] }"],
    "x.yaml:3:30",
    /non-empty list of values for enum field "s"/,
  ],
  [
    "values on a non-enum",
    ["x:", "  fields:", "    s: { type: string, values: [a] }"],
    "x.yaml:3:32",
    /only enum fields take values/,
  ],
  [
    "an identity key that is not a field",
    ["x:", "  identity: [name, sku]"],
    "x.yaml:2:20",
    /^Identity key "sku" of shape "x" is neither a field nor a relation$/,
  ],
  [
    "an identity_any key that is not a field",
    ["x:", "  identity_any: nope"],
    "x.yaml:2:17",
    /^Identity_any key "nope"/,
  ],
  [
    "a relation to an unknown shape",
    ["x:", "  relations:", "    owner: persn[]"],
    "x.yaml:3:12",
    /^Relation "owner" of shape "x" names unknown shape "persn"$/,
  ],
  [
    "an also to an unknown shape",
    ["x:", "  also: [thing, ghost]"],
    "x.yaml:2:17",
    /^Shape "x" has unknown shape "ghost" in also$/,
  ],
  [
    "two top-level keys",
    ["x:", "  plural: xs", "y:", "  plural: ys"],
    "x.yaml:3:1",
    /found 2: "x", "y"$/,
  ],
  [
    "a YAML list",
    ["- x", "- y"],
    "x.yaml:1:1",
    /^Expected a mapping with one shape name as its key, found a sequence$/,
  ],
  ["a bare scalar", ["hello"], "x.yaml:1:1", /found "hello"$/],
  ["an empty file", [""], "x.yaml:1:1", /found nothing$/],
  [
    "a shape name that is not the file name",
    ["y:", "  plural: ys"],
    "x.yaml:1:1",
    /^Shape "y" must be in a file named "y.yaml"$/,
  ],
  [
    "a display hint naming nothing",
    ["x:", "  display: { title: nmae }"],
    "x.yaml:2:21",
    /^Display key "nmae"/,
  ],
  [
    "a field key that is not camelCase",
    ["x:", "  fields:", "    created_at: datetime"],
    "x.yaml:3:5",
    /^Invalid field key "created_at"/,
  ],
  [
    "a relation key that is not snake_case",
    ["x:", "  relations:", "    postedBy: thing"],
    "x.yaml:3:5",
    /^Invalid relation key "postedBy"/,
  ],
  [
    "a key that is both a field and a relation",
    ["x:", "  fields: { at: string }", "  relations: { at: thing }"],
    "x.yaml:3:20",
    /both a field and a relation/,
  ],
  [
    "both identity and identity_any",
    ["x:", "  identity: [name]", "  identity_any: [url]"],
    "x.yaml:3:18",
    /declares both identity and identity_any/,
  ],
  [
    "an unknown key in the shape",
    ["x:", "  identitiy: [name]"],
    "x.yaml:2:3",
    /^Unknown key "identitiy" in shape "x"; expected one of /,
  ],
  [
    "an unknown key in a field",
    ["x:", "  fields:", "    a: { type: string, desc: A }"],
    "x.yaml:3:24",
    /^Unknown key "desc" in field "a"/,
  ],
  [
    "a field with no type",
    ["x:", "  fields:", "    a: { description: A }"],
    "x.yaml:3:8",
    /^Field "a" has no type$/,
  ],
  [
    "a repeated key",
    ["x:", "  fields:", "    a: string", "    a: text"],
    "x.yaml:4:5",
    /^Invalid YAML: Map keys must be unique/,
  ],
  [
    "a non-string description",
    ["x:", "  description: [a]"],
    "x.yaml:2:16",
    /^Expected a string for the description of shape "x", found a sequence$/,
  ],
];

for (const [what, lines, at, reason] of BROKEN_SHAPES) {
  Deno.test(`ShapeRegistry.fromSources() refuses ${what}`, async () => {
    const registry = await ShapeRegistry.fromSources([
      THING,
      src("x.yaml", ...lines),
    ]);
    assert.equal(
      registry.problems.length,
      1,
      JSON.stringify(registry.problems),
    );
    assert.equal(where(registry.problems[0]), at);
    assert.match(registry.problems[0]!.reason, reason);
    assert.equal(registry.get("x"), undefined);
    assert.ok(registry.get("thing"), "the other shapes still load");
  });
}

Deno.test("ShapeRegistry.fromSources() reports every problem of one file", async () => {
  const registry = await ShapeRegistry.fromSources([
    src("x.yaml", "x:", "  fields:", "    a: strin", "    b: intger"),
  ]);
  assert.deepEqual(registry.problems.map(where), ["x.yaml:3:8", "x.yaml:4:8"]);
});

Deno.test("ShapeRegistry.fromSources() reports every unknown target and unresolved key of a shape", async () => {
  const registry = await ShapeRegistry.fromSources([src(
    "x.yaml",
    "x:",
    "  relations:",
    "    a: ghost",
    "    b: spook[]",
  )]);
  assert.deepEqual(registry.problems.map(where), ["x.yaml:3:8", "x.yaml:4:8"]);
  const y = await ShapeRegistry.fromSources([src(
    "y.yaml",
    "y:",
    "  identity_any: [nope]",
    "  display: { title: nada }",
  )]);
  assert.deepEqual(y.problems.map(where), ["y.yaml:2:18", "y.yaml:3:21"]);
});

Deno.test("ShapeRegistry.fromSources() hints at quoting a list type inside braces", async () => {
  const registry = await ShapeRegistry.fromSources([
    src("x.yaml", "x:", "  fields:", "    a: { type: string[] }"),
  ]);
  assert.equal(registry.problems.length, 1);
  assert.match(
    registry.problems[0]!.reason,
    /; inside \{ \} write "string\[\]" in quotes$/,
  );
});

Deno.test("ShapeRegistry.fromSources() allows a relation to a shape whose file is broken", async () => {
  const registry = await ShapeRegistry.fromSources([
    src("owner.yaml", "owner:", "  fields: { a: nope }"),
    src("pet.yaml", "pet:", "  relations: { owner: owner }"),
  ]);
  assert.deepEqual(registry.problems.map((p) => p.shape), ["owner"]);
  assert.equal(registry.get("pet")!.relations.owner!.shape, "owner");
});

Deno.test("ShapeRegistry.fromSources() lets a later source replace an earlier one, even a broken one", async () => {
  const good = src("dir1/thing.yaml", "thing:", "  plural: things");
  const better = src("dir2/thing.yaml", "thing:", "  plural: stuff");
  assert.equal(
    (await ShapeRegistry.fromSources([good, better])).get("thing")!.plural,
    "stuff",
  );
  const broken = src("dir2/thing.yaml", "thing: [");
  const registry = await ShapeRegistry.fromSources([good, broken]);
  assert.equal(registry.get("thing"), undefined);
  assert.deepEqual(registry.problems.map((p) => p.file), ["dir2/thing.yaml"]);
});

Deno.test("ShapeRegistry.fromSources() refuses a file over the size limit", async () => {
  const registry = await ShapeRegistry.fromSources([THING], {
    maxFileBytes: 20,
  });
  assert.equal(registry.get("thing"), undefined);
  assert.equal(where(registry.problems[0]), "thing.yaml:1:1");
  assert.match(
    registry.problems[0]!.reason,
    /is \d+ bytes; the limit is 20 bytes$/,
  );
});

Deno.test("ShapeRegistry.fromSources() refuses a file name that is not a shape name", async () => {
  const registry = await ShapeRegistry.fromSources([
    src("My Shape.yaml", "x:", "  plural: xs"),
  ]);
  assert.match(
    registry.problems[0]!.reason,
    /^Invalid shape file name "My Shape.yaml"/,
  );
  assert.deepEqual(registry.list(), []);
});

Deno.test("ShapeRegistry.fromSources() accepts AgentOS display keys and aliases", async () => {
  const registry = await ShapeRegistry.fromSources([src(
    "x.yaml",
    "x:",
    "  icon: star",
    "  subtitle: url",
    "  prior_art: [{ source: schema.org }]",
    "  fields:",
    "    a: &kind { type: enum, values: [p, q] }",
    "    b: *kind",
  )]);
  assert.deepEqual(registry.problems, []);
  const x = registry.get("x")!;
  assert.deepEqual(x.display, { icon: "star", subtitle: "url" });
  assert.deepEqual(x.fields.b, {
    type: "enum",
    list: false,
    values: ["p", "q"],
  });
});

Deno.test("ShapeRegistry.load() reads yaml files, skips a missing directory and lets later directories win", async () => {
  const base = await Deno.makeTempDir();
  const user = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${base}/thing.yaml`, THING.text);
    await Deno.writeTextFile(`${base}/tool.yml`, TOOL.text);
    await Deno.writeTextFile(`${base}/maker.yaml`, MAKER.text);
    await Deno.writeTextFile(`${base}/README.md`, "not a shape");
    await Deno.mkdir(`${base}/drafts.yaml`);
    await Deno.writeTextFile(`${user}/thing.yaml`, "thing:\n  plural: stuff\n");
    const registry = await ShapeRegistry.load([base, `${base}/missing`, user]);
    assert.deepEqual(registry.problems, []);
    assert.deepEqual(registry.list().map((s) => s.name), [
      "maker",
      "thing",
      "tool",
    ]);
    assert.equal(registry.get("thing")!.plural, "stuff");
    assert.equal(registry.get("thing")!.file, `${user}/thing.yaml`);
    assert.equal(registry.get("tool")!.file, `${base}/tool.yml`);
  } finally {
    await Deno.remove(base, { recursive: true });
    await Deno.remove(user, { recursive: true });
  }
});

Deno.test("ShapeRegistry.load() refuses a file over 1 MiB without parsing it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/big.yaml`,
      `big:\n  description: ${"x".repeat(1024 * 1024)}\n`,
    );
    await Deno.writeTextFile(`${dir}/small.yaml`, "small:\n  plural: smalls\n");
    const registry = await ShapeRegistry.load([dir]);
    assert.equal(registry.problems.length, 1);
    assert.equal(registry.problems[0]!.shape, "big");
    assert.match(registry.problems[0]!.reason, /the limit is 1048576 bytes$/);
    assert.ok(registry.get("small"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ShapeRegistry.load() reports a file that is not UTF-8", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(
      `${dir}/bad.yaml`,
      new Uint8Array([0x62, 0x3a, 0xff, 0xfe]),
    );
    const registry = await ShapeRegistry.load([dir]);
    assert.match(
      registry.problems[0]!.reason,
      /^Cannot read shape file ".*bad.yaml": /,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ShapeRegistry.descendants() lists a shape and everything that inherits from it", async () => {
  const registry = await ShapeRegistry.fromSources([
    THING,
    TOOL,
    HAMMER,
    MAKER,
  ]);
  assert.deepEqual(registry.descendants("thing"), ["hammer", "thing", "tool"]);
  assert.deepEqual(registry.descendants("hammer"), ["hammer"]);
  assert.deepEqual(registry.descendants("ghost"), []);
});

Deno.test("ShapeRegistry.list() sorts shapes by name", async () => {
  const registry = await ShapeRegistry.fromSources([
    TOOL,
    MAKER,
    THING,
    HAMMER,
  ]);
  assert.deepEqual(registry.list().map((s) => s.name), [
    "hammer",
    "maker",
    "thing",
    "tool",
  ]);
});

Deno.test("ShapeRegistry.get() returns a frozen shape", async () => {
  const shape = (await ShapeRegistry.fromSources([THING])).get("thing")!;
  assert.ok(Object.isFrozen(shape));
  assert.ok(Object.isFrozen(shape.fields.color));
  assert.throws(() => {
    (shape.identityAny as string[]).push("name");
  }, TypeError);
});
