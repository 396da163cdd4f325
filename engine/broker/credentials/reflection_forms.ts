/**
 * The forms of the secrets the reflection guard searches for, prepared
 * once per set of secrets as the patterns of one automaton: each value
 * (with `+` for spaces), its forms through every chain of encodings of
 * `reflection_chains.ts` (base64 of the percent-encoded value and so on),
 * and, for a value of {@linkcode PARTIAL_MIN_CHARS} or more, the aligned
 * chunks a run of half of it must contain (a truncated echo).
 *
 * A form longer than {@linkcode PATTERN_CHARS} is searched for by its
 * first that many characters and followed from there character by
 * character, so the automaton stays small while a long form is still
 * replaced whole (or as far as it matches).
 *
 * @module
 */
import { AhoCorasick, type AutomatonData } from "./aho_corasick.ts";
import { chainForms } from "./reflection_chains.ts";

/** One secret to find, and what replaces it. */
export interface GuardedSecret {
  /** The real value. */
  value: string;
  /** The text put in its place (a placeholder, or `[secret]`). */
  replacement: string;
}

/** A value this long or longer is also found by any run of half of it. */
export const PARTIAL_MIN_CHARS = 12;

/** Longest pattern in the automaton; longer forms are followed past it. */
export const PATTERN_CHARS = 96;

/** What a pattern stands for: a whole form, or a chunk of the value. */
export type PatternUse =
  | { kind: "form"; secret: number; form: string }
  | { kind: "chunk"; secret: number; at: number };

/** A secret ready to search for. */
export interface PreparedSecret {
  /** The value, ASCII lower case. */
  lower: string;
  /** Shortest run of the value that counts as an echo (Infinity: none). */
  partial: number;
}

/** The automaton over every secret's patterns, and what each pattern is. */
export interface PreparedSecrets {
  secrets: PreparedSecret[];
  automaton: AhoCorasick;
  /** Per pattern index, every use of it (several forms may share a start). */
  uses: PatternUse[][];
  /** How far past a match's end following it may read (the longest form or value). */
  reach: number;
}

/** Prepared sets kept (most recently used last), and their bytes at most. */
const CACHED_SETS = 16;
const CACHED_BYTES = 48 * 1024 * 1024;

/**
 * Recently prepared sets, by their values: a connection's calls reuse one
 * set, and preparing it (about a thousand forms per value) costs far more
 * than a scan. It holds what the calls held: values and their forms, in
 * the engine's memory only.
 */
const cache = new Map<string, PreparedSecrets>();

/**
 * Prepares the secrets: their forms and chunks in one automaton (from the
 * cache when the same values were prepared recently).
 *
 * @param values the values (none empty)
 * @returns the automaton and the meaning of each pattern
 */
export function prepare(values: string[]): PreparedSecrets {
  const cached = cache.get(keyOf(values));
  if (cached) {
    remember(values, cached);
    return cached;
  }
  built++;
  return remember(values, prepareNew(values));
}

/** Sets this thread built itself (not sent by a worker). */
let built = 0;

/**
 * How many sets this thread has built itself: on the engine's main
 * thread, what `GuardPool.prepare` failed to take off it.
 *
 * @returns the count since the module was loaded
 */
export function builtHere(): number {
  return built;
}

/**
 * Whether these values are prepared here (a guard worker prepared them,
 * or this thread did recently).
 *
 * @param values the values
 * @returns true when {@linkcode prepare} would not build anything
 */
export function isPrepared(values: string[]): boolean {
  return cache.has(keyOf(values));
}

/** A prepared set as it crosses between threads (arrays and strings only). */
export interface PreparedData {
  secrets: PreparedSecret[];
  automaton: AutomatonData;
  uses: PatternUse[][];
  reach: number;
}

/**
 * A prepared set as a guard worker sends it.
 *
 * @param prepared the set
 * @returns its data
 */
export function preparedData(prepared: PreparedSecrets): PreparedData {
  const { secrets, automaton, uses, reach } = prepared;
  return { secrets, automaton: automaton.data, uses, reach };
}

/**
 * Keeps a set a guard worker prepared, so this thread's scrubs of the
 * same values build nothing.
 *
 * @param values the values it was prepared for
 * @param data what the worker sent
 */
export function install(values: string[], data: PreparedData): void {
  remember(values, {
    secrets: data.secrets,
    automaton: new AhoCorasick(data.automaton),
    uses: data.uses,
    reach: data.reach,
  });
}

/**
 * What the kept sets hold: how many, and the bytes of their automata
 * (bounded by 16 sets and 48 MiB).
 *
 * @returns the count and bytes
 */
export function preparedCache(): { sets: number; bytes: number } {
  let bytes = 0;
  for (const set of cache.values()) bytes += bytesOf(set);
  return { sets: cache.size, bytes };
}

/** The bytes of a set's automaton arrays. */
function bytesOf(set: PreparedSecrets): number {
  let bytes = 0;
  for (const array of Object.values(set.automaton.data)) {
    if (ArrayBuffer.isView(array)) bytes += array.byteLength;
  }
  return bytes;
}

function keyOf(values: string[]): string {
  return values.map((v) => `${v.length}:${v}`).join("");
}

function remember(
  values: string[],
  prepared: PreparedSecrets,
): PreparedSecrets {
  const key = keyOf(values);
  cache.delete(key);
  cache.set(key, prepared);
  let { bytes } = preparedCache();
  for (const [old, set] of cache) {
    if (cache.size <= CACHED_SETS && bytes <= CACHED_BYTES) break;
    if (old === key) break;
    cache.delete(old);
    bytes -= bytesOf(set);
  }
  return prepared;
}

function prepareNew(values: string[]): PreparedSecrets {
  const byPattern = new Map<string, PatternUse[]>();
  const use = (pattern: string, entry: PatternUse) => {
    const list = byPattern.get(pattern);
    if (list) list.push(entry);
    else byPattern.set(pattern, [entry]);
  };
  const secrets = values.map((value, secret) => {
    const lower = asciiLower(value);
    for (const form of formsOf(value, lower)) {
      use(form.slice(0, PATTERN_CHARS), { kind: "form", secret, form });
    }
    const partial = value.length >= PARTIAL_MIN_CHARS
      ? Math.max(PARTIAL_MIN_CHARS, Math.ceil(value.length / 2))
      : Infinity;
    for (const chunk of chunksOf(lower, partial)) {
      use(chunk.text, { kind: "chunk", secret, at: chunk.at });
    }
    return { lower, partial };
  });
  const patterns = [...byPattern.keys()];
  let reach = 0;
  for (const list of byPattern.values()) {
    for (const entry of list) {
      if (entry.kind === "form") reach = Math.max(reach, entry.form.length);
    }
  }
  for (const value of values) reach = Math.max(reach, value.length);
  return {
    secrets,
    automaton: new AhoCorasick(patterns),
    uses: patterns.map((p) => byPattern.get(p)!),
    reach,
  };
}

/** The value, with `+` for spaces, and its chain forms; at least 4 characters (or the value). */
function formsOf(value: string, lower: string): Set<string> {
  const forms = new Set([lower]);
  if (value.includes(" ")) forms.add(lower.replaceAll(" ", "+"));
  const bytes = String.fromCharCode(...new TextEncoder().encode(value));
  // The views leave multi-byte UTF-8 escapes as they are (`%C3%A4`), so a
  // value past ASCII echoed percent-encoded is found by that form.
  if (bytes !== value) {
    forms.add(asciiLower(value.replace(/[^\p{ASCII}]/gu, encodeURIComponent)));
  }
  for (const form of chainForms(bytes)) forms.add(form);
  for (const form of forms) {
    if (form.length < Math.min(4, lower.length)) forms.delete(form);
  }
  return forms;
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
