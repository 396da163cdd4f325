/**
 * The automaton's two ways through a text agree, and its dense rows take
 * the room they are given: a range read as four interleaved stretches
 * reports exactly the matches, in the same order, that one pass over it
 * reports (texts dense with matches and with deep nodes, past the length
 * at which a range is split); the shallow nodes of a large automaton
 * have dense rows up to 2^18 transitions (one array read per character).
 */
import assert from "node:assert/strict";
import { AhoCorasick } from "./aho_corasick.ts";
import { prepare } from "./reflection_forms.ts";

/** A generator of the same pseudo-random numbers each run. */
function seeded(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

Deno.test("AhoCorasick.scanSplit() reports what one pass reports, in order of end", () => {
  const random = seeded(7);
  const patterns = [
    "abcab",
    "bca",
    "cabcabcabcabcab",
    "aaaa",
    "c",
    "abcabcabcx",
  ];
  const long = "abcabcabcabcabcabcab".repeat(5).slice(0, 95) + "q";
  const automaton = new AhoCorasick([...patterns, long]);
  for (const length of [70_000, 200_003, 262_147]) {
    const units = new Uint16Array(length);
    for (let i = 0; i < length; i++) {
      units[i] = "abcq"[Math.floor(random() * (i % 5000 < 2500 ? 3 : 4))]!
        .charCodeAt(0);
    }
    // The long pattern across each boundary of the four stretches.
    const part = Math.ceil(length / 4);
    for (const boundary of [part, 2 * part, 3 * part]) {
      const at = boundary - 40;
      for (let k = 0; k < long.length; k++) {
        units[at + k] = long.charCodeAt(k);
      }
    }
    const one: number[] = [], split: number[] = [];
    automaton.scanUnits(units, 0, length, 0, (p, end) => one.push(p, end));
    automaton.scanSplit(units, length, (p, end) => split.push(p, end));
    assert.ok(one.length > 1000, `${one.length / 2} matches`);
    assert.ok(one.includes(patterns.length), "the long pattern");
    // Compared by hand: a diff of arrays this long takes minutes to print.
    const differs = split.findIndex((value, k) => value !== one[k]);
    assert.equal(split.length, one.length, `${length} units: match count`);
    assert.equal(
      differs,
      -1,
      `${length} units: first difference at ${differs}`,
    );
  }
});

Deno.test("AhoCorasick gives its shallow nodes dense rows of up to 2^18 transitions", () => {
  const { automaton } = prepare(["sk-dense/rows+KEY=4f2e9a0c&z"]);
  const { shallow, classes, dense } = automaton.data;
  assert.ok(automaton.nodes > 50_000, `${automaton.nodes} nodes`);
  assert.equal(shallow, Math.floor(2 ** 18 / classes));
  assert.equal(dense.length, shallow * classes);
});

Deno.test("AhoCorasick finds every pattern, whatever characters it alone holds, in either case", () => {
  const automaton = new AhoCorasick(["xab", "cd", "abcd", "é9"]);
  const found: string[] = [];
  const text = "zz XAB cd É9 abcd";
  automaton.scan(text, (p, end) => found.push(`${p}@${end}`));
  assert.deepEqual(found, ["0@6", "1@9", "3@12", "2@17", "1@17"]);
});

/** Every occurrence of every pattern, by brute force: "pattern@end", sorted. */
function bruteForce(patterns: string[], text: string): string[] {
  const lower = text.toLowerCase(), found: string[] = [];
  patterns.forEach((pattern, p) => {
    for (
      let at = lower.indexOf(pattern);
      at >= 0;
      at = lower.indexOf(pattern, at + 1)
    ) {
      found.push(`${p}@${at + pattern.length}`);
    }
  });
  return found.sort();
}

Deno.test("AhoCorasick (deep nodes numbered depth first) finds what brute force finds, on texts made of a real key's forms", () => {
  const { automaton, uses, secrets } = prepare([
    "sk-deep/first+KEY=9d3b7a1e&q",
  ]);
  // The patterns back from their uses (a form's first 96 characters, or
  // a chunk of the value).
  const patterns = uses.map((list, p) => {
    const use = list[0]!, length = automaton.lengths[p]!;
    return use.kind === "form"
      ? use.form.slice(0, length).toLowerCase()
      : secrets[use.secret]!.lower.slice(use.at, use.at + length);
  });
  assert.ok(automaton.nodes - automaton.data.shallow > 50_000, "deep nodes");
  const random = seeded(11);
  for (let round = 0; round < 6; round++) {
    // Pieces of forms, cut anywhere and joined (deep chains left at every
    // depth, branching nodes missed), with case flipped now and then.
    let text = "";
    while (text.length < 80_000) {
      const form = patterns[Math.floor(random() * patterns.length)]!;
      const from = Math.floor(random() * form.length);
      const to = from + Math.floor(random() * (form.length - from + 1));
      const piece = random() < 0.3 ? form : form.slice(from, to);
      text += random() < 0.2 ? piece.toUpperCase() : piece;
      if (random() < 0.3) text += "~%&"[Math.floor(random() * 3)];
    }
    const found: string[] = [];
    automaton.scan(text, (p, end) => found.push(`${p}@${end}`));
    const units = Uint16Array.from(text, (c) => c.charCodeAt(0));
    const split: string[] = [];
    automaton.scanSplit(
      units,
      units.length,
      (p, end) => split.push(`${p}@${end}`),
    );
    const expected = bruteForce(patterns, text);
    assert.ok(expected.length > 100, `${expected.length} matches`);
    assert.deepEqual(found.sort(), expected);
    assert.deepEqual(split.sort(), expected);
  }
});

Deno.test("AhoCorasick.same() takes a character for a pattern's only when equal or its upper case", () => {
  // The guard grows a found chunk with same(): a wrong "no" leaves
  // characters of the value beside it, a wrong "yes" masks what is not.
  const automaton = new AhoCorasick(["xā{é"]);
  const same = (text: string, pattern: string) =>
    automaton.same(text.charCodeAt(0), pattern.charCodeAt(0));
  assert.ok(same("x", "x"));
  assert.ok(same("X", "x"));
  assert.ok(same("A", "a") && same("Z", "z"));
  assert.ok(same("Ā", "ā"), "the upper case of a non-ASCII pattern character");
  assert.ok(same("É", "é"));
  assert.ok(same("{", "{"));
  assert.ok(!same("[", "{"), "'[' is 32 below '{' but not its upper case");
  assert.ok(!same("@", "`"));
  assert.ok(!same("y", "x"));
  assert.ok(!same("ā", "x"));
});
