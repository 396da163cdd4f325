import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ShapeRegistry } from "./shape_registry.ts";

const SHAPES_DIR = fileURLToPath(new URL("../../shapes", import.meta.url));
const REQUIRED = [
  "person",
  "account",
  "organization",
  "place",
  "post",
  "message",
  "conversation",
  "email",
  "task",
  "project",
  "note",
  "tag",
  "event",
  "document",
  "file",
  "webpage",
  "website",
  "bookmark",
  "product",
  "book",
  "video",
  "repository",
  "transaction",
  "skill",
  "app",
  "activity",
];

const registry = await ShapeRegistry.load([SHAPES_DIR]);

Deno.test("built-in shapes load with no problems", () => {
  assert.deepEqual(registry.problems, []);
  assert.ok(registry.list().length >= 27, `${registry.list().length} shapes`);
});

Deno.test("built-in shapes include every required shape", () => {
  const names = new Set(registry.list().map((s) => s.name));
  assert.deepEqual(REQUIRED.filter((n) => !names.has(n)), []);
});

Deno.test("built-in shapes have identity keys that are fields or relations", () => {
  for (const shape of registry.list()) {
    for (const key of [...shape.identity, ...shape.identityAny]) {
      assert.ok(
        key in shape.fields || key in shape.relations,
        `${shape.name}: identity key "${key}"`,
      );
    }
  }
});

Deno.test("built-in shapes relate only to built-in shapes", () => {
  for (const shape of registry.list()) {
    for (const [label, rel] of Object.entries(shape.relations)) {
      assert.ok(
        registry.get(rel.shape),
        `${shape.name}.${label} → ${rel.shape}`,
      );
    }
  }
});

Deno.test("built-in shapes each have a description, a plural and a display title", () => {
  for (const shape of registry.list()) {
    assert.match(shape.description, /^[A-Z].*\.$/, shape.name);
    assert.notEqual(shape.plural, shape.name, shape.name);
    assert.equal(
      typeof shape.display.title,
      "string",
      `${shape.name} display.title`,
    );
  }
});

Deno.test("built-in account is identified through its website", () => {
  const account = registry.get("account")!;
  assert.deepEqual(account.identity, ["at", "identifier"]);
  assert.deepEqual(account.relations.at, {
    shape: "website",
    list: false,
    description: "The platform the account lives at",
  });
  assert.deepEqual(registry.get("website")!.identityAny, ["url", "domain"]);
});

Deno.test("built-in post has an author account and a website", () => {
  const post = registry.get("post")!;
  assert.equal(post.relations.author!.shape, "account");
  assert.equal(post.relations.at!.shape, "website");
  assert.equal(post.fields.author, undefined);
});

Deno.test("built-in subtypes are found when listing their parents", () => {
  assert.deepEqual(registry.descendants("message"), ["email", "message"]);
  assert.deepEqual(registry.descendants("webpage"), ["bookmark", "webpage"]);
  assert.deepEqual(registry.descendants("file"), ["file", "image"]);
  assert.deepEqual(registry.descendants("task"), ["issue", "task"]);
});

Deno.test("built-in email inherits message relations and has its own identity", () => {
  const email = registry.get("email")!;
  assert.deepEqual(email.ancestors, ["message"]);
  assert.equal(email.relations.in_conversation!.shape, "conversation");
  assert.deepEqual(email.identity, []);
  assert.deepEqual(email.identityAny, ["messageId"]);
});
