/**
 * Generators of malformed input for the fuzz tests: a seeded PRNG (runs are
 * repeatable from the seed they print) and mutators of valid examples.
 *
 * @module
 */

/** A small, fast, seeded PRNG (mulberry32). */
export class Random {
  #state: number;

  /** @param seed any 32-bit integer */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One element of a list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

const WEIRD_STRINGS = [
  "",
  " ",
  "\u0000",
  "\ud800",
  "💥",
  "'; DROP TABLE nodes; --",
  "%_\\",
  "a".repeat(5000),
  "__proto__",
  "constructor",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "\n\r\t",
  "null",
  "-0",
  "1e999",
];

/** A random JSON value, up to a depth. */
export function randomJson(random: Random, depth = 3): unknown {
  const kind = random.int(depth > 0 ? 9 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random.next() < 0.5;
    case 2:
      return random.pick([
        0,
        -1,
        1.5,
        2 ** 53,
        -(2 ** 63),
        Number.MAX_VALUE,
        1e-300,
      ]);
    case 3:
    case 4:
      return random.pick(WEIRD_STRINGS);
    case 5:
      return random.int(1000);
    case 6:
    case 7: {
      const object: Record<string, unknown> = {};
      for (let i = random.int(5); i > 0; i--) {
        object[String(randomJson(random, 0))] = randomJson(random, depth - 1);
      }
      return object;
    }
    default:
      return Array.from(
        { length: random.int(5) },
        () => randomJson(random, depth - 1),
      );
  }
}

/** Mutates a text: flips, drops, duplicates or inserts characters. */
export function mutateText(random: Random, text: string): string {
  const chars = [...text];
  for (let n = 1 + random.int(4); n > 0; n--) {
    const at = random.int(chars.length + 1);
    switch (random.int(5)) {
      case 0:
        chars.splice(at, 1);
        break;
      case 1:
        chars.splice(
          at,
          0,
          random.pick([
            "{",
            "}",
            "[",
            "]",
            '"',
            ":",
            ",",
            "\\",
            "\n",
            "-",
            " ",
            "\t",
            "#",
            "&",
            "*",
          ]),
        );
        break;
      case 2:
        chars.splice(at, 0, ...chars.slice(at, at + random.int(20)));
        break;
      case 3:
        chars[at] = String.fromCharCode(random.int(0x3000));
        break;
      default:
        chars.splice(at, random.int(10));
    }
  }
  return chars.join("");
}
