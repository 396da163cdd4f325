/**
 * The forms of a secret the reflection guard searches for, prepared once
 * per secret: the value (ASCII lower case: matching ignores case), with
 * `+` for spaces, its base64 and base64url forms at the three byte
 * alignments, its bytes in hexadecimal, and, for a value of
 * {@linkcode PARTIAL_MIN_CHARS} or more, the aligned chunks a run of half
 * of it must contain (a truncated echo).
 *
 * @module
 */

/** One secret to find, and what replaces it. */
export interface GuardedSecret {
  /** The real value. */
  value: string;
  /** The text put in its place (a placeholder, or `[secret]`). */
  replacement: string;
}

/** A value this long or longer is also found by any run of half of it. */
export const PARTIAL_MIN_CHARS = 12;

/** A secret ready to search for. */
export interface Prepared {
  replacement: string;
  /** The value, ASCII lower case. */
  lower: string;
  /** Whole forms searched for: the value and its base64 fragments. */
  needles: string[];
  /** Shortest run of the value that counts as an echo (Infinity: none). */
  partial: number;
  /** Aligned pieces of the value whose hits are extended into runs. */
  chunks: { at: number; text: string }[];
}

/**
 * Prepares a secret: its whole forms and its chunks.
 *
 * @param secret the value and its replacement
 * @returns what the search looks for
 */
export function prepare(secret: GuardedSecret): Prepared {
  const { value, replacement } = secret;
  const lower = asciiLower(value);
  const needles = new Set([lower]);
  if (value.includes(" ")) needles.add(lower.replaceAll(" ", "+"));
  for (const form of base64Fragments(value)) needles.add(asciiLower(form));
  needles.add(hex(value));
  const partial = value.length >= PARTIAL_MIN_CHARS
    ? Math.max(PARTIAL_MIN_CHARS, Math.ceil(value.length / 2))
    : Infinity;
  return {
    replacement,
    lower,
    needles: [...needles].filter((n) => n.length >= Math.min(4, lower.length)),
    partial,
    chunks: chunksOf(lower, partial),
  };
}

/**
 * Lower case with the length kept (so view offsets stay valid).
 *
 * @param text any text
 * @returns the text with ASCII letters (and what lowers to them alone) in lower case
 */
export function asciiLower(text: string): string {
  const lower = text.replace(/\u0130/g, "i").toLowerCase();
  return lower.length === text.length
    ? lower
    : text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** Any run of `partial` characters holds one of these whole. */
function chunksOf(
  lower: string,
  partial: number,
): { at: number; text: string }[] {
  const chunks: { at: number; text: string }[] = [];
  if (partial === Infinity) return chunks;
  const size = Math.ceil(partial / 2);
  for (let at = 0; at + size <= lower.length; at += size) {
    chunks.push({ at, text: lower.slice(at, at + size) });
  }
  return chunks;
}

/**
 * The base64 and base64url characters that encode the value whatever
 * bytes come before and after it: for each of the three alignments, the
 * characters decided by the value's bytes alone.
 */
function base64Fragments(value: string): string[] {
  const bytes = new TextEncoder().encode(value);
  const out: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const padded = new Uint8Array(pad + bytes.length);
    padded.set(bytes, pad);
    const encoded = btoa(String.fromCharCode(...padded));
    const first = Math.ceil((8 * pad) / 6);
    const last = Math.floor((8 * padded.length) / 6);
    if (last - first < 4) continue;
    const fragment = encoded.slice(first, last);
    out.push(fragment, fragment.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return out;
}

/** The value's UTF-8 bytes in hexadecimal (a hex dump or debug echo). */
function hex(value: string): string {
  return Array.from(
    new TextEncoder().encode(value),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
