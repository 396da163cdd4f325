/**
 * The reflection guard finds a value base64-encoded inside a larger
 * block, whatever its byte offset there: base64 packs three bytes in four
 * characters, so the value's characters differ with its offset modulo 3,
 * and each of the three alignments (and base64url's) must be searched.
 */
import assert from "node:assert/strict";
import { ReflectionGuard } from "./reflection_guard.ts";

// Bytes whose base64 holds "+" and "/" at every offset: base64url differs.
const VALUE = "sk-?>?~~?>Key~?>?9z0";
const SECRET = "[S]";
const guard = new ReflectionGuard([{ value: VALUE, replacement: SECRET }]);

const base64url = (text: string) =>
  btoa(text).replaceAll("+", "-").replaceAll("/", "_");

Deno.test("reflection guard: a value base64-encoded at any byte offset of a block is masked, in base64 and base64url", () => {
  for (const encode of [btoa, base64url]) {
    for (let offset = 0; offset < 6; offset++) {
      const block = encode(
        '{"n":'.slice(0, offset) + VALUE + '","x":1}',
      );
      const text = `data: ${block} end`;
      if (encode === base64url) assert.match(block, /[-_]/);
      const out = guard.scrub(text);
      assert.ok(
        out.includes(SECRET),
        `${encode.name} at offset ${offset}: ${block}`,
      );
    }
  }
});
