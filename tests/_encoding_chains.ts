/**
 * Encodings a server may apply to a reflected value, written here on their
 * own (not the engine's code), chained up to three deep, with lenient
 * decoders a thief would run on what it read. Text is handled as Latin-1
 * strings (one character per byte), so UTF-16 layers carry NUL bytes.
 *
 * @module
 */

/** A byte string (each character one byte) to a byte string. */
type Encode = (bytes: string) => string;

const hex2 = (c: string, upper = false) => {
  const h = c.charCodeAt(0).toString(16).padStart(2, "0");
  return upper ? h.toUpperCase() : h;
};
const UNRESERVED = /[A-Za-z0-9\-_.!~*'()]/;
const B64 = (bytes: string) => btoa(bytes);

/** The encodings, by name. */
export const ENCODINGS: Record<string, Encode> = {
  "percent-min": (b) =>
    [...b].map((c) => UNRESERVED.test(c) ? c : `%${hex2(c, true)}`).join(""),
  "percent-lower-all": (b) => [...b].map((c) => `%${hex2(c)}`).join(""),
  "percent-form": (b) =>
    [...b].map((c) =>
      c === " " ? "+" : /[A-Za-z0-9*\-._]/.test(c) ? c : `%${hex2(c, true)}`
    ).join(""),
  base64: (b) => B64(b),
  "base64-shift1": (b) => B64("\x01" + b),
  "base64-shift2": (b) => B64("\x01\x02" + b),
  base64url: (b) =>
    B64(b).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""),
  hex: (b) => [...b].map((c) => hex2(c)).join(""),
  "hex-upper": (b) => [...b].map((c) => hex2(c, true)).join(""),
  json: (b) => JSON.stringify(b).slice(1, -1).replaceAll("/", "\\/"),
  "json-unicode": (b) => [...b].map((c) => `\\u00${hex2(c)}`).join(""),
  "python-x": (b) => [...b].map((c) => `\\x${hex2(c)}`).join(""),
  "html-min": (b) =>
    b.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
      .replaceAll('"', "&quot;").replaceAll("'", "&#x27;"),
  "html-numeric": (b) => [...b].map((c) => `&#${c.charCodeAt(0)};`).join(""),
  "utf-16le": (b) => [...b].map((c) => c + "\0").join(""),
  "utf-16be": (b) => [...b].map((c) => "\0" + c).join(""),
};

/** A chain of encoding names, applied first to last. */
export type Chain = string[];

/**
 * Every chain of 1 to `depth` encodings.
 *
 * @param depth the longest chain
 * @returns the chains
 */
export function allChains(depth = 3): Chain[] {
  const names = Object.keys(ENCODINGS);
  let level: Chain[] = [[]];
  const out: Chain[] = [];
  for (let d = 0; d < depth; d++) {
    level = level.flatMap((chain) => names.map((n) => [...chain, n]));
    out.push(...level);
  }
  return out;
}

/**
 * A value encoded through a chain.
 *
 * @param value an ASCII value
 * @param chain the encodings, first applied first
 * @returns the byte string
 */
export function encodeChain(value: string, chain: Chain): string {
  return chain.reduce((text, name) => ENCODINGS[name]!(text), value);
}

/** A seeded generator (mulberry32): the same seed, the same chains. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random key of API-key characters with punctuation every encoding treats
 * differently: `/`, `+`, `=`, `&` and a space (the percent, HTML and JSON
 * encoders differ on them), and `~`, `?` and `>` at positions of each
 * remainder modulo 3 (each makes a base64 `+` or `/` at one alignment, so
 * base64 and base64url differ at every alignment).
 *
 * @param random the generator
 * @returns a key of 32 characters
 */
export function randomKey(random: () => number): string {
  const alnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const chars = Array.from(
    { length: 32 },
    () => alnum[Math.floor(random() * alnum.length)]!,
  );
  chars.splice(0, 3, "s", "k", "-");
  // Positions 6..29, one punctuation mark per three characters.
  // The first three at positions 6, 10, 14: remainders 0, 1, 2.
  const shuffle = (list: string[]) =>
    list.map((m) => [random(), m] as const).sort((a, b) => a[0] - b[0])
      .map(([, m]) => m);
  const marks = [
    ...shuffle(["~", "?", ">"]),
    ...shuffle(["/", "+", "=", "&", " "]),
  ];
  marks.forEach((mark, i) => chars[6 + 3 * i + (i % 3)] = mark);
  return chars.join("");
}

const unPercent = (t: string) =>
  t.replace(/%([0-9a-f]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
const unBackslash = (t: string) =>
  t.replace(
    /\\(?:u00([0-9a-f]{2})|x([0-9a-f]{2})|(.))/gi,
    (_, u, x, c) => u || x ? String.fromCharCode(parseInt(u ?? x, 16)) : c,
  );
const unHtml = (t: string) =>
  t.replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d)))
    .replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");

/** Every base64 run decoded at each of its four starting offsets. */
function unBase64(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(/[A-Za-z0-9+/_-]{4,}/g) ?? []) {
    const std = run.replaceAll("-", "+").replaceAll("_", "/");
    for (let skip = 0; skip < 4; skip++) {
      const part = std.slice(skip);
      try {
        out.push(atob(part.slice(0, part.length - (part.length % 4))));
      } catch { /* not base64 here */ }
    }
  }
  return out;
}

/** Every hex run decoded at both offsets. */
function unHex(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(/(?:[0-9a-f]{2}){2,}/gi) ?? []) {
    for (const skip of [0, 1]) {
      const pairs = run.slice(skip).match(/../g) ?? [];
      out.push(String.fromCharCode(...pairs.map((p) => parseInt(p, 16))));
    }
  }
  return out;
}

/** The lenient inverse of each encoding: the readings a thief gets. */
const DECODINGS: Record<string, (text: string) => string[]> = {
  "percent-min": (t) => [unPercent(t)],
  "percent-lower-all": (t) => [unPercent(t)],
  "percent-form": (t) => [unPercent(t.replaceAll("+", " "))],
  base64: unBase64,
  "base64-shift1": unBase64,
  "base64-shift2": unBase64,
  base64url: unBase64,
  hex: unHex,
  "hex-upper": unHex,
  json: (t) => [unBackslash(t)],
  "json-unicode": (t) => [unBackslash(t)],
  "python-x": (t) => [unBackslash(t)],
  "html-min": (t) => [unHtml(t)],
  "html-numeric": (t) => [unHtml(t)],
  "utf-16le": (t) => [t.replaceAll("\0", "")],
  "utf-16be": (t) => [t.replaceAll("\0", "")],
};

/**
 * Every reading of `text` a thief who knows the chain gets: each layer
 * undone, last first, leniently (every run, every offset), keeping each
 * intermediate reading too.
 *
 * @param text what the skill (or a recording) holds
 * @param chain the encodings the server applied
 * @returns the readings
 */
export function undoChain(text: string, chain: Chain): string[] {
  let level = [text];
  const all = [text];
  for (const name of [...chain].reverse()) {
    level = level.flatMap((t) => DECODINGS[name]!(t));
    all.push(...level);
  }
  return all;
}

/**
 * The first piece of the key that a reading holds: the key itself or any
 * 10-character window of it (a truncated echo), ignoring case.
 *
 * @param texts what the skill read
 * @param key the real value
 * @returns the piece and where it was read, or undefined
 */
export function leakedPiece(
  texts: string[],
  key: string,
): string | undefined {
  const lowerKey = key.toLowerCase();
  const windows = new Set<string>();
  for (let i = 0; i + 10 <= lowerKey.length; i++) {
    windows.add(lowerKey.slice(i, i + 10));
  }
  for (const text of texts) {
    const lower = text.toLowerCase();
    for (const w of windows) {
      if (lower.includes(w)) {
        return `${w} in …${
          lower.slice(lower.indexOf(w) - 40, lower.indexOf(w) + 50)
        }…`;
      }
    }
  }
  return undefined;
}
