/**
 * Redaction of whole JSON values (a tool's result, a failure's data) in
 * few guard jobs. Every distinct string of the values, keys included, is
 * scrubbed once; strings are packed into jobs of up to
 * {@linkcode PACK_CHARS}, joined by a random separator the skill cannot
 * know (so it cannot plant one). A job whose separators do not all come
 * back — a find spanned two strings, or one string holds the separator —
 * is split in two and redone, down to one string per job: each string is
 * then scrubbed alone, as {@linkcode CallCredentials.redact} would.
 *
 * @module
 */
import { isObject } from "../../is_object.ts";

/** Characters of one packed guard job (a longer string is a job alone). */
export const PACK_CHARS = 1024 * 1024;

/** Separator characters: control characters no encoding the guard decodes produces. */
const SEPARATOR_ALPHABET = [
  ..."\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008",
  ..."\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017",
  ..."\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f",
];

/** Length of the random separator (26^16 ≈ 4·10^22 choices). */
const SEPARATOR_CHARS = 16;

/**
 * Every distinct non-empty string of the values, object keys included, in
 * the order met, and their total length.
 *
 * @param values JSON values
 * @returns the strings and their total length in characters
 */
export function valueTexts(
  values: unknown[],
): { texts: string[]; chars: number } {
  const seen = new Set<string>();
  let chars = 0;
  const add = (text: string) => {
    if (text === "" || seen.has(text)) return;
    seen.add(text);
    chars += text.length;
  };
  const walk = (value: unknown): void => {
    if (typeof value === "string") add(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        add(key);
        walk(item);
      }
    }
  };
  values.forEach(walk);
  return { texts: [...seen], chars };
}

/**
 * The value with each string (and key) replaced by its redaction.
 *
 * @param value a JSON value
 * @param redacted each string's redaction (the empty string, not in it, stays)
 * @returns a copy with the redacted strings
 */
export function withTexts(
  value: unknown,
  redacted: Map<string, string>,
): unknown {
  const text = (t: string) => redacted.get(t) ?? t;
  const map = (v: unknown): unknown => {
    if (typeof v === "string") return text(v);
    if (Array.isArray(v)) return v.map(map);
    if (isObject(v)) {
      return Object.fromEntries(
        Object.entries(v).map(([k, item]) => [text(k), map(item)]),
      );
    }
    return v;
  };
  return map(value);
}

/**
 * Scrubs many strings in packed jobs, one job at a time.
 *
 * @param texts distinct strings
 * @param scrub scrubs one text (a guard job)
 * @returns each string's scrubbed text
 */
export async function scrubPacked(
  texts: string[],
  scrub: (text: string) => Promise<string>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const separator = randomSeparator();
  for (const pack of packs(texts)) {
    await scrubPack(pack, { separator, scrub, out });
  }
  return out;
}

interface PackRun {
  separator: string;
  scrub: (text: string) => Promise<string>;
  out: Map<string, string>;
}

async function scrubPack(pack: string[], run: PackRun): Promise<void> {
  const { separator, scrub, out } = run;
  if (pack.length === 1) {
    out.set(pack[0]!, await scrub(pack[0]!));
    return;
  }
  if (!pack.some((text) => text.includes(separator))) {
    const parts = (await scrub(pack.join(separator))).split(separator);
    if (parts.length === pack.length) {
      pack.forEach((text, i) => out.set(text, parts[i]!));
      return;
    }
  }
  const half = pack.length >> 1;
  await scrubPack(pack.slice(0, half), run);
  await scrubPack(pack.slice(half), run);
}

/** The strings in packs of about {@linkcode PACK_CHARS} characters. */
function packs(texts: string[]): string[][] {
  const out: string[][] = [];
  let pack: string[] = [];
  let chars = 0;
  for (const text of texts) {
    if (pack.length > 0 && chars + text.length > PACK_CHARS) {
      out.push(pack);
      pack = [];
      chars = 0;
    }
    pack.push(text);
    chars += text.length + SEPARATOR_CHARS;
  }
  if (pack.length > 0) out.push(pack);
  return out;
}

function randomSeparator(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SEPARATOR_CHARS));
  return [...bytes].map((b) => SEPARATOR_ALPHABET[b % 26]!).join("");
}
