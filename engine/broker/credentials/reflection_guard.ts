/**
 * Finds a secret in text that a skill will read, in every form the skill
 * could turn back into the value, and replaces each occurrence.
 *
 * A server that reflects a request (an echo endpoint, an error message, a
 * redirect URL) hands back what the broker substituted: raw, or encoded
 * on the way. The guard reads the text through decoding views, each
 * keeping a map from its characters back to the text's:
 *
 * - the text itself;
 * - percent escapes (either hex case), HTML character references
 *   (numeric and the named ones for ASCII punctuation), and JSON, JS and
 *   Python backslash escapes (`\/`, `\u0041`, `\x41`) decoded, with NUL
 *   characters dropped (UTF-16 or UTF-32 bytes read as a one-byte or UTF-8
 *   charset), up to three rounds (double encoding);
 * - when the text holds characters past U+00FF, each UTF-16 code unit read
 *   as two bytes, low first and high first (UTF-8 bytes read as UTF-16),
 *   then decoded as above.
 *
 * In each view it looks for the value, its base64 and base64url forms at
 * the three byte alignments (a value inside a longer encoded blob), its
 * bytes in hexadecimal, and,
 * for a value of 12 characters or more, any run of at least half of it
 * (a truncated echo in an error message). Matching ignores case.
 *
 * This file is the search and the replacement; the views are decoded in
 * `reflection_views.ts`, the forms of each secret prepared in
 * `reflection_forms.ts`.
 *
 * @module
 */

import {
  asciiLower,
  type GuardedSecret,
  prepare,
  type Prepared,
} from "./reflection_forms.ts";
import { baseViews, unescapeView, type View } from "./reflection_views.ts";

export { type GuardedSecret, PARTIAL_MIN_CHARS } from "./reflection_forms.ts";

/** Decoding rounds per view (a value percent-encoded twice is found). */
const ROUNDS = 3;

/** Rescans after replacing (a replacement can join two halves of nothing). */
const PASSES = 3;

/**
 * Finds and replaces secrets in text bound for a skill.
 */
export class ReflectionGuard {
  #secrets: Prepared[];

  /** @param secrets the values to find and their replacements */
  constructor(secrets: GuardedSecret[]) {
    this.#secrets = secrets.filter((s) => s.value !== "").map(prepare);
  }

  /**
   * Replaces every occurrence of a secret, in any form the views decode,
   * by its replacement. Overlapping finds become one replacement.
   *
   * @param text the text a skill would receive
   * @returns the text with no findable secret left
   */
  scrub(text: string): string {
    if (this.#secrets.length === 0 || text === "") return text;
    let out = text;
    for (let pass = 0; pass < PASSES; pass++) {
      const spans = this.#find(out);
      if (spans.length === 0) break;
      out = replaceSpans(out, spans);
    }
    return out;
  }

  /**
   * Whether the text holds a secret in any form {@linkcode scrub} finds.
   *
   * @param text any text
   * @returns true when something would be replaced
   */
  holds(text: string): boolean {
    return this.#secrets.length > 0 && text !== "" &&
      this.#find(text).length > 0;
  }

  #find(text: string): Span[] {
    const spans: Span[] = [];
    for (const base of baseViews(text)) {
      let view: View | undefined = base;
      for (let round = 0; view && round <= ROUNDS; round++) {
        const lower = asciiLower(view.text);
        for (const secret of this.#secrets) {
          findIn(lower, view.map, secret, spans);
        }
        view = round < ROUNDS ? unescapeView(view) : undefined;
      }
    }
    return spans;
  }
}

interface Span {
  start: number;
  end: number;
  replacement: string;
}

/** Where a secret shows in one view (view text ASCII lower case), as spans of the text. */
function findIn(
  view: string,
  map: (index: number) => number,
  secret: Prepared,
  spans: Span[],
): void {
  const add = (start: number, end: number) =>
    spans.push({
      start: map(start),
      end: map(end),
      replacement: secret.replacement,
    });
  findWholeForms(view, secret, add);
  findPartialRuns(view, secret, add);
}

/** Every occurrence of each whole form (the value, base64, hex). */
function findWholeForms(
  view: string,
  secret: Prepared,
  add: (start: number, end: number) => void,
): void {
  for (const needle of secret.needles) {
    for (
      let i = view.indexOf(needle);
      i >= 0;
      i = view.indexOf(needle, i + 1)
    ) {
      add(i, i + needle.length);
    }
  }
}

/** Every run of at least `partial` characters of the value, grown out from a chunk's hit. */
function findPartialRuns(
  view: string,
  secret: Prepared,
  add: (start: number, end: number) => void,
): void {
  const value = secret.lower;
  for (const chunk of secret.chunks) {
    let covered = -1;
    for (
      let i = view.indexOf(chunk.text);
      i >= 0;
      i = view.indexOf(chunk.text, i + 1)
    ) {
      if (i < covered) continue;
      let left = 0;
      while (
        chunk.at - left > 0 && i - left > 0 &&
        view[i - left - 1] === value[chunk.at - left - 1]
      ) left++;
      let right = chunk.text.length;
      while (
        chunk.at + right < value.length && i + right < view.length &&
        view[i + right] === value[chunk.at + right]
      ) right++;
      if (left + right >= secret.partial) {
        add(i - left, i + right);
        covered = i + right;
      }
    }
  }
}

function replaceSpans(text: string, spans: Span[]): string {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = "";
  let at = 0;
  for (let i = 0; i < spans.length;) {
    const first = spans[i]!;
    let end = first.end;
    for (i++; i < spans.length && spans[i]!.start < end; i++) {
      end = Math.max(end, spans[i]!.end);
    }
    out += text.slice(at, first.start) + first.replacement;
    at = end;
  }
  return out + text.slice(at);
}
