import assert from "node:assert/strict";
import { promptText } from "./prompt_text.ts";

Deno.test("promptText escapes controls and bidi overrides and bounds the length", () => {
  assert.equal(promptText("evil\u202Emoc.elgoog"), "evil\\u{202e}moc.elgoog");
  assert.equal(promptText("a\nb\u0007c\u200Bd"), "a\\u{a}b\\u{7}c\\u{200b}d");
  assert.equal(promptText("x".repeat(300), 10), `${"x".repeat(10)}…`);
  assert.equal(promptText("api.example.com"), "api.example.com");
});
