/**
 * The prepared secret sets kept for reuse are bounded: at most 16 sets
 * and 48 MiB of automata, the least recently prepared going first, so a
 * stream of calls with new values cannot grow the engine's memory.
 */
import assert from "node:assert/strict";
import { isPrepared, prepare, preparedCache } from "./reflection_forms.ts";

const MIB = 1024 * 1024;

Deno.test("the prepared sets kept stay within 16 sets and 48 MiB, the oldest dropped first", () => {
  const run = crypto.randomUUID();
  const values = (i: number) => [`sk-cache/${run}/${i}+K=1&z`];
  for (let i = 0; i < 24; i++) {
    prepare(values(i));
    const { sets, bytes } = preparedCache();
    assert.ok(sets <= 16, `${sets} sets kept`);
    assert.ok(bytes <= 48 * MIB, `${(bytes / MIB).toFixed(1)} MiB kept`);
  }
  const { sets, bytes } = preparedCache();
  const each = bytes / sets;
  // Every set here is about the same size: as many are kept as both bounds allow.
  assert.equal(sets, Math.min(16, Math.floor(48 * MIB / each)));
  assert.ok(isPrepared(values(23)), "the newest set is kept");
  assert.ok(!isPrepared(values(0)), "the oldest set is dropped");
  // Used again, a set becomes the most recent: the next drop takes another.
  const oldestKept = 24 - sets;
  prepare(values(oldestKept));
  prepare(values(24));
  assert.ok(isPrepared(values(oldestKept)), "the set used again is kept");
  assert.ok(!isPrepared(values(oldestKept + 1)), "the least recent is dropped");
});
