import assert from "node:assert/strict";
import { guessBits, withinGuessReach } from "./guess_space.ts";

const bits = (value: string) => Math.round(guessBits(value) * 100) / 100;

Deno.test("guess space: short PINs and codes are within reach, keys are not", () => {
  for (
    const reachable of [
      "1234",
      "123456",
      "0123456789", // ten digits: 33.2 bits
      "hunter", // six letters: 28.2 bits
      "abcdefg", // seven letters: 32.9 bits
      "AbCdEfG", // case does not count: the guard matches without it
      "a1b2c3",
    ]
  ) {
    assert.ok(withinGuessReach(reachable), `${reachable} should be in reach`);
  }
  for (
    const safe of [
      "01234567890", // eleven digits: 36.5 bits
      "abcdefgh", // eight letters: 37.6 bits
      "a1b2c3d", // seven letters and digits: 36.2 bits
      "sk-live-0123456789abcdef",
    ]
  ) {
    assert.ok(!withinGuessReach(safe), `${safe} should be out of reach`);
  }
});

Deno.test("guess space: each character class counts once, by its size", () => {
  assert.equal(bits("1234"), 13.29); // 4 × log2(10)
  assert.equal(bits("abcd"), 18.8); // 4 × log2(26)
  assert.equal(bits("ab12"), 20.68); // 4 × log2(36)
  assert.equal(bits("a!"), 11.77); // 2 × log2(59): punctuation is 33
  assert.equal(bits("üü"), 14); // 2 × log2(128): past ASCII is 128
  assert.equal(bits("ü1"), 14.22); // 2 × log2(138)
  assert.equal(bits("🔑🔑"), bits("üü")); // code points, not UTF-16 units
});
