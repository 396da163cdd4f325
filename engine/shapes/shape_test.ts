import assert from "node:assert/strict";
import {
  defaultPlural,
  FIELD_KEY_PATTERN,
  RELATION_KEY_PATTERN,
  SHAPE_NAME_PATTERN,
} from "./shape.ts";

Deno.test("defaultPlural() follows the regular English rules", () => {
  assert.equal(defaultPlural("note"), "notes");
  assert.equal(defaultPlural("activity"), "activities");
  assert.equal(defaultPlural("day"), "days");
  assert.equal(defaultPlural("address"), "addresses");
  assert.equal(defaultPlural("match"), "matches");
  assert.equal(defaultPlural("box"), "boxes");
});

Deno.test("SHAPE_NAME_PATTERN accepts lowercase snake_case names only", () => {
  for (const ok of ["person", "git_commit", "x2"]) {
    assert.match(ok, SHAPE_NAME_PATTERN);
  }
  for (const bad of ["Person", "2x", "_x", "health-lab", ""]) {
    assert.doesNotMatch(bad, SHAPE_NAME_PATTERN);
  }
});

Deno.test("FIELD_KEY_PATTERN and RELATION_KEY_PATTERN tell camelCase from snake_case", () => {
  assert.match("displayName", FIELD_KEY_PATTERN);
  assert.doesNotMatch("display_name", FIELD_KEY_PATTERN);
  assert.match("tagged_with", RELATION_KEY_PATTERN);
  assert.doesNotMatch("taggedWith", RELATION_KEY_PATTERN);
});
