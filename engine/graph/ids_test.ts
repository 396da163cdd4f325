import assert from "node:assert/strict";
import { newId } from "./ids.ts";

Deno.test("newId() sorts in creation order, even 3,000 ids in one millisecond", () => {
  const now = Date.now() + 60_000; // ahead of any id minted so far
  const ids = Array.from({ length: 3000 }, () => newId(now));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  assert.ok(ids.every((id) => /^[0-9a-hjkmnp-tv-z]{22}$/.test(id)));
  // A clock that goes back does not reorder either.
  const later = newId(now - 5_000);
  assert.ok(later > ids.at(-1)!);
});
