/**
 * The chain forms stay bounded: however long the value (up to 256
 * characters here), the automaton holds fewer than 2,000 patterns and
 * 200,000 nodes, so preparing a value and scanning with it cost a bounded
 * amount per byte. And the forms are what the chains say: base64 of the
 * percent-encoded value at every alignment, hex of its UTF-16.
 */
import assert from "node:assert/strict";
import { ReflectionGuard } from "./reflection_guard.ts";
import {
  BLOCK_ENCODERS,
  chainForms,
  ESCAPE_ENCODERS,
} from "./reflection_chains.ts";

Deno.test("the automaton stays bounded for values up to 256 characters", () => {
  for (const length of [4, 28, 107, 256]) {
    const value = "Ab3/Xy9+Qz=&% ".repeat(20).slice(0, length);
    const { patterns, nodes } = new ReflectionGuard([{
      value,
      replacement: "x",
    }]).size;
    assert.ok(patterns < 2_000, `${length} chars: ${patterns} patterns`);
    assert.ok(nodes < 200_000, `${length} chars: ${nodes} nodes`);
  }
});

Deno.test("chain forms hold base64 of the percent-encoded value and hex of its UTF-16", () => {
  const value = "sk-ch/ain+KEY=1 2";
  const forms = chainForms(value);
  const cursor = btoa(encodeURIComponent(value)).replace(/=+$/, "");
  assert.ok(
    forms.some((f) =>
      cursor.toLowerCase().startsWith(f.slice(0, 20)) &&
      cursor.toLowerCase().includes(f)
    ),
  );
  const utf16 = [...value].map((c) => c + "\0").join("");
  const hex = [...utf16].map((c) =>
    c.charCodeAt(0).toString(16).padStart(2, "0")
  ).join("");
  assert.ok(forms.includes(hex));
});

Deno.test("a chain is made of these encoders, each named for what it imitates", () => {
  // The inventory security.md describes: escaping encoders inside a chain,
  // block encoders at its end. A rename or a dropped encoder shows here.
  assert.deepEqual(Object.keys(ESCAPE_ENCODERS), [
    "percent-component",
    "percent-path",
    "percent-form",
    "html-min",
    "json",
    "json-slash",
    "percent-all",
    "percent-all-lower",
    "html-decimal",
    "html-hex",
    "json-unicode",
    "js-hex",
  ]);
  assert.deepEqual(Object.keys(BLOCK_ENCODERS), [
    "base64@0",
    "base64@1",
    "base64@2",
    "base64url@0",
    "base64url@1",
    "base64url@2",
    "hex",
    "hex-upper",
    "utf-16le",
    "utf-16be",
  ]);
  // Each does what its name says, on one character.
  const encode = (name: string, text: string) =>
    (ESCAPE_ENCODERS[name] ?? BLOCK_ENCODERS[name])!(text);
  assert.equal(encode("html-decimal", "A/"), "&#65;&#47;");
  assert.equal(encode("html-hex", "A/"), "&#x41;&#x2f;");
  assert.equal(encode("js-hex", "A"), "\\x41");
  assert.equal(encode("json-unicode", "A"), "\\u0041");
  assert.equal(encode("percent-all", "A"), "%41");
  assert.equal(encode("hex", "A"), "41");
});
