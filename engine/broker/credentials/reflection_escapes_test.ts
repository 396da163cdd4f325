/**
 * The reflection guard decodes only real escapes: `\xNN` and `\uNNNN`
 * need hex digits, so text that merely looks like one (a non-hex digit
 * inside) is not read as the character it would have been, and a value
 * "found" through it is no value: the response is left as it came.
 * Well-formed escapes of the same value are found and masked.
 */
import assert from "node:assert/strict";
import { ReflectionGuard } from "./reflection_guard.ts";

// "/" in the middle: neither side alone is long enough to be masked.
const VALUE = "Zq9x4W/Lm2Kw7";
const SECRET = "[S]";
const guard = new ReflectionGuard([{ value: VALUE, replacement: SECRET }]);

Deno.test("reflection guard: a backslash escape with a non-hex digit is no escape, and nothing is masked through it", () => {
  // "/" is 0x2F: "\\x3G" and "\\u003G" would be "/" were "G" read as the
  // digit -1 (3 × 16 − 1 = 47).
  for (const fake of ["\\x3G", "\\u003G", "\\x3g", "\\u003g", "\\x2G"]) {
    const text = `before Zq9x4W${fake}Lm2Kw7 after`;
    assert.equal(guard.scrub(text), text, fake);
  }
  for (const real of ["\\x2F", "\\x2f", "\\u002F", "\\u002f"]) {
    const text = `before Zq9x4W${real}Lm2Kw7 after`;
    assert.equal(guard.scrub(text), `before ${SECRET} after`, real);
  }
});

Deno.test("reflection guard: a value with one character escaped among plain ones is masked, for every hex digit", () => {
  // Not the value, nor any one encoding of all of it: a mix (hex digits
  // "1", "a" and "f" among the escapes).
  const value = "Zq9x4W1Lm2Ko7";
  const one = new ReflectionGuard([{ value, replacement: SECRET }]);
  for (const at of [0, 6, 11]) {
    const c = value.charCodeAt(at);
    const hex = c.toString(16);
    for (
      const escape of [
        `&#x${hex};`,
        `&#x${hex.toUpperCase()};`,
        `&#${c};`,
        `\\x${hex}`,
        `\\u00${hex.toUpperCase()}`,
        `%${hex}`,
      ]
    ) {
      const text = `before ${value.slice(0, at)}${escape}${
        value.slice(at + 1)
      } after`;
      assert.equal(one.scrub(text), `before ${SECRET} after`, text);
    }
  }
});

Deno.test("reflection guard: a character reference padded with any number of zeros is decoded, as browsers and html.unescape do", () => {
  const value = "Zq9x4W1Lm2Ko7";
  const one = new ReflectionGuard([{ value, replacement: SECRET }]);
  const c = value.charCodeAt(6); // "1"
  for (
    const escape of [
      `&#00000${c};`,
      `&#x000000${c.toString(16)};`,
      `&#X${"0".repeat(40)}${c.toString(16)}`,
      `&#${"0".repeat(1000)}${c};`,
    ]
  ) {
    const text = `before ${value.slice(0, 6)}${escape}${value.slice(7)} after`;
    assert.equal(one.scrub(text), `before ${SECRET} after`, escape);
  }
  // Past the first stretch the guard copies (16,384 units): the zeros
  // run across its end, whichever unit the reference starts at.
  for (let pad = 16_384 - 40; pad < 16_384 + 4; pad += 3) {
    const text = "x".repeat(pad) + value.slice(0, 6) +
      `&#${"0".repeat(30)}${c};` +
      value.slice(7);
    assert.equal(one.scrub(text), "x".repeat(pad) + SECRET, `at ${pad}`);
  }
  // Seven digits past the zeros at most, as before: more is no reference.
  const long = `before ${value.slice(0, 6)}&#000${c}0000000;${value.slice(7)}`;
  assert.equal(one.scrub(long), long);
});

Deno.test("reflection guard: a value with non-ASCII capitals is masked in either case", () => {
  // The forms are lowered whole (asciiLower): an automaton built on "É"
  // would take "É" alone, and a server that lowers what it echoes would
  // hand the value back unmasked.
  const value = "sk-ÉTÉ-Zq9x4W-Ä7kÖ";
  const cased = new ReflectionGuard([{ value, replacement: SECRET }]);
  for (const echo of [value, value.toLowerCase(), value.toUpperCase()]) {
    assert.equal(cased.scrub(`a ${echo} b`), `a ${SECRET} b`, echo);
  }
});

Deno.test("reflection guard: every one-character backslash escape is decoded, a backslash escaped as \\\\ too", () => {
  const escapes: [string, string][] = [
    ["\\", "\\\\"],
    ["/", "\\/"],
    ['"', '\\"'],
    ["'", "\\'"],
    ["\b", "\\b"],
    ["\f", "\\f"],
    ["\n", "\\n"],
    ["\r", "\\r"],
    ["\t", "\\t"],
  ];
  for (const [c, escaped] of escapes) {
    const value = `Zq9x4W${c}Lm2Kw7`;
    const one = new ReflectionGuard([{ value, replacement: SECRET }]);
    for (const around of ["", "\\", "%", "&"]) {
      const text = `before${around} Zq9x4W${escaped}Lm2Kw7 after`;
      assert.equal(
        one.scrub(text),
        `before${around} ${SECRET} after`,
        JSON.stringify(escaped),
      );
    }
  }
});
