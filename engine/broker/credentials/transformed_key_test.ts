/**
 * What counts as a cut or encoded placeholder in outgoing text: the sign a
 * masked skill tried to split, slice or encode its key. Each form is checked
 * at the edges, so a rule that flags too much or too little fails here.
 */
import assert from "node:assert/strict";
import { newPlaceholder } from "./placeholder.ts";
import { placeholderFragment } from "./transformed_key.ts";

const flagged = (text: string) => placeholderFragment([text]) !== undefined;
const base64 = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)));
const base64url = (text: string) =>
  base64(text).replaceAll("+", "-").replaceAll("/", "_");
const hex = (text: string) =>
  Array.from(
    new TextEncoder().encode(text),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");

Deno.test("placeholderFragment: a whole placeholder is not a fragment", () => {
  const placeholder = newPlaceholder();
  assert.equal(flagged(placeholder), false);
  assert.equal(flagged(`Bearer ${placeholder}`), false);
  assert.equal(flagged(`a=${placeholder}&b=${newPlaceholder()}`), false);
  assert.equal(flagged(placeholder.toUpperCase()), false);
});

Deno.test("placeholderFragment: the prefix cut from its digits is one", () => {
  const placeholder = newPlaceholder();
  for (const cut of [15, 16, 30, placeholder.length - 1]) {
    assert.equal(flagged(placeholder.slice(0, cut)), true, `cut at ${cut}`);
  }
  assert.equal(flagged("agentos-secret"), true);
  assert.equal(flagged("AGENTOS-SECRET-"), true);
  assert.equal(flagged(`${placeholder.slice(0, 20)}|rest`), true);
});

Deno.test("placeholderFragment: text that is not the prefix is not one", () => {
  for (
    const text of [
      "gentos-secret-",
      "agentos-secre",
      "agentos_secret-",
      "agentos secret",
      "the agentos project keeps secrets",
      "",
    ]
  ) {
    assert.equal(flagged(text), false, JSON.stringify(text));
  }
});

Deno.test("placeholderFragment: base64 and base64url at each byte alignment", () => {
  const placeholder = newPlaceholder();
  for (const lead of ["", "x", "xy", "xyz", "Bearer ", "user:"]) {
    for (const tail of ["", "?", "&more=1"]) {
      const text = `${lead}${placeholder}${tail}`;
      assert.equal(flagged(base64(text)), true, `base64 of ${text}`);
      assert.equal(flagged(base64url(text)), true, `base64url of ${text}`);
    }
  }
  // The base64 of other text is not flagged.
  assert.equal(flagged(base64("user:password1234567890")), false);
});

Deno.test("placeholderFragment: hex in either case", () => {
  const placeholder = newPlaceholder();
  assert.equal(flagged(hex(placeholder)), true);
  assert.equal(flagged(hex(placeholder).toUpperCase()), true);
  assert.equal(flagged(hex(`x${placeholder}`)), true);
  assert.equal(flagged(hex("agentos-secre")), false);
});

Deno.test("placeholderFragment: the first text that carries one is named", () => {
  const placeholder = newPlaceholder();
  const cut = placeholder.slice(0, 24);
  assert.equal(placeholderFragment(["ok", cut, base64(placeholder)]), cut);
  assert.equal(placeholderFragment(["ok", placeholder]), undefined);
});
