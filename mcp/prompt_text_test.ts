import assert from "node:assert/strict";
import { promptQuoted, promptText } from "./prompt_text.ts";

Deno.test("promptText escapes controls and bidi overrides and bounds the length", () => {
  assert.equal(promptText("evil\u202Emoc.elgoog"), "evil\\u{202e}moc.elgoog");
  assert.equal(promptText("a\nb\u0007c\u200Bd"), "a\\u{a}b\\u{7}c\\u{200b}d");
  assert.equal(promptText("x".repeat(300), 10), `${"x".repeat(10)}…`);
  assert.equal(promptText("api.example.com"), "api.example.com");
});

Deno.test("promptQuoted escapes every character that could close or fake the quotes", () => {
  assert.equal(promptQuoted('a"b'), '"a\\"b"');
  assert.equal(promptQuoted('x\\" y'), '"x\\\\\\" y"');
  assert.equal(
    promptQuoted("a\u201db\u00bbc\uff02"),
    '"a\\u{201d}b\\u{bb}c\\u{ff02}"',
  );
  assert.equal(promptQuoted("plain-name"), '"plain-name"');
});

Deno.test("promptQuoted keeps one backslash in promptText's own escapes", () => {
  assert.equal(promptQuoted('a\u202e"b'), '"a\\u{202e}\\"b"');
});
