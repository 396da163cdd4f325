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

// Every name a skill of the published catalog (agentos-to/skills) passes to
// @returns or writes as a nested record's `shape`, surveyed from its source.
const CATALOG_RETURNS = [
  "account",
  "book",
  "booking_offer",
  "branch",
  "calendar",
  "channel",
  "class",
  "community",
  "conversation",
  "credential",
  "dns_record",
  "domain",
  "email",
  "event",
  "file",
  "financial_account",
  "git_commit",
  "group",
  "image",
  "invitation",
  "list",
  "loaded_model",
  "meeting",
  "membership",
  "message",
  "model",
  "object",
  "offer",
  "order",
  "pass",
  "person",
  "place",
  "post",
  "product",
  "project",
  "quote",
  "repository",
  "reservation",
  "result",
  "review",
  "seatmap",
  "shelf",
  "tag",
  "task",
  "transaction",
  "trip",
  "video",
  "void",
  "webpage",
  "website",
];
const CATALOG_NESTED = [
  "aircraft",
  "airline",
  "airport",
  "fare",
  "flight",
  "folder",
  "organization",
  "payment_method",
  "postal_address",
  "tax_line",
  "volume",
];

Deno.test("built-in shapes cover every shape name the published catalog returns", () => {
  const missing = [...CATALOG_RETURNS, ...CATALOG_NESTED].filter((n) =>
    !registry.get(n)
  );
  assert.deepEqual(missing, []);
});

Deno.test("built-in void is the only shape that is not remembered", () => {
  assert.deepEqual(
    registry.list().filter((s) => !s.remember).map((s) => s.name),
    ["void"],
  );
});

Deno.test("built-in shapes of bookings and travel are events, so listing events finds them", () => {
  const events = registry.descendants("event");
  for (
    const name of [
      "reservation",
      "trip",
      "flight",
      "offer",
      "meeting",
      "class",
      "git_commit",
    ]
  ) assert.ok(events.includes(name), name);
  assert.deepEqual(registry.get("flight")!.identity, [
    "flightNumber",
    "departureTime",
  ]);
  assert.deepEqual(registry.get("airport")!.identityAny, [
    "iataCode",
    "icaoCode",
  ]);
});

Deno.test("built-in shapes give every record the source's id as a string field", () => {
  for (const shape of registry.list()) {
    assert.equal(shape.fields.id?.type, "string", shape.name);
  }
});
