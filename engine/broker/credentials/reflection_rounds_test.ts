/**
 * Every decoding round reads every escape start the round before left —
 * one it decoded (`%25` becomes `%`) and one it could not decode yet (`%`
 * before `%34%31`, which become `41`) — wherever it lies: between long
 * plain stretches, across the stretches a round decodes at a time, three
 * rounds deep, among thousands of starts that decode to nothing.
 */
import assert from "node:assert/strict";
import { ReflectionGuard } from "./reflection_guard.ts";

const VALUE = "Zq9x4W1Lm2Ko7";
const SECRET = "[S]";
const guard = new ReflectionGuard([{ value: VALUE, replacement: SECRET }]);

/** `%XX` of each character. */
const pct = (text: string) =>
  [...text].map((c) =>
    "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")
  ).join("");

/** One character of the value, written so that only round `depth` yields it. */
const ESCAPES: [string, (c: string) => string][] = [
  ["decoded start, two rounds", (c) => "%25" + pct(c).slice(1)],
  ["decoded start, three rounds", (c) => "%2525" + pct(c).slice(1)],
  ["undecoded start, two rounds", (c) => "%" + pct(pct(c).slice(1))],
  [
    "undecoded start, three rounds",
    (c) => "%" + pct("%" + pct(pct(c).slice(1))).slice(3),
  ],
  ["decoded & start, two rounds", (c) => `&amp;#${c.charCodeAt(0)};`],
  ["decoded \\ start, two rounds", (c) => `%5Cx${pct(c).slice(1)}`],
  // `%5` then what becomes `A`: a start the first round tried and left.
  [
    "undecoded start before a digit, two rounds",
    (c) => pct(c).slice(0, 2) + pct(pct(c).slice(2)),
  ],
];

Deno.test("reflection guard: each round reads every escape start the round before left, between plain stretches of any length", () => {
  for (const [what, escape] of ESCAPES) {
    for (const at of [0, 6, 12]) {
      const written = VALUE.slice(0, at) + escape(VALUE[at]!) +
        VALUE.slice(at + 1);
      for (const pad of [0, 5, 40, 16_384 - 20, 16_384 + 3, 40_000]) {
        const text = "y".repeat(pad) + "%" + "z".repeat(pad) + written +
          "&".repeat(pad % 7) + " after";
        const masked = guard.scrub(text);
        assert.ok(!masked.includes(written), `${what} at ${at}, pad ${pad}`);
        assert.ok(masked.includes(SECRET), `${what} at ${at}, pad ${pad}`);
      }
    }
  }
});

Deno.test("reflection guard: escapes the rounds decode are found among thousands of starts that decode to nothing", () => {
  const written = VALUE.slice(0, 6) + ESCAPES[3]![1](VALUE[6]!) +
    VALUE.slice(7);
  const noise = "&%\\".repeat(20_000);
  const text = noise + written + noise;
  assert.equal(guard.scrub(text), noise + SECRET + noise);
});

Deno.test("reflection guard: a later round decodes an escape whose last unit the round before wrote, however long the escape", () => {
  // Each escape is written whole but for its last unit, which only the
  // round before yields (`%253B` is `%3B` after one round, `;` after two):
  // the round must look back the escape's whole length from that unit.
  const value = "Zq9x4W1L_m2Ko7:B";
  const hidden = new ReflectionGuard([{ value, replacement: SECRET }]);
  const cases: [string, string][] = [
    ["_", "&underbar%253B"], // 10 units once decoded
    ["_", "&lowbar%253B"],
    [":", "&colon%253B"],
    ["B", "&#000066%253B"], // zeros before the digits
    ["B", "&#x42%253B"],
    ["B", "\\u004%2532"],
    ["B", "\\x4%2532"],
  ];
  for (const [c, escape] of cases) {
    const written = value.replace(c, escape);
    for (const pad of [0, 3, 100]) {
      const text = "q".repeat(pad) + written + "%2541".repeat(pad % 5);
      const masked = hidden.scrub(text);
      assert.ok(!masked.includes(written), `${escape}, pad ${pad}`);
      assert.ok(masked.startsWith("q".repeat(pad) + SECRET), `${escape}`);
    }
  }
});

Deno.test("reflection guard: a start the first round tried and left is read again, with no other escape start in the text", () => {
  for (const at of [0, 6, 12]) {
    // `%5` before what becomes `A`, and nothing else for a round to read.
    const written = VALUE.slice(0, at) + ESCAPES[6]![1](VALUE[at]!) +
      VALUE.slice(at + 1);
    assert.equal(
      guard.scrub(`before ${written} after`),
      `before ${SECRET} after`,
    );
  }
});
