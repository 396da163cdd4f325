/**
 * Finds a secret in text that a skill will read, in every form the skill
 * could turn back into the value, and replaces each occurrence — in time
 * linear in the text, whatever the text.
 *
 * A server that reflects a request (an echo endpoint, an error message, a
 * redirect URL, a pagination cursor) hands back what the broker
 * substituted: raw, or encoded on the way, possibly through a chain of
 * encodings (base64 of the percent-encoded value). The guard reads the
 * text through decoding views, each keeping a map from its characters
 * back to the text's:
 *
 * - the text itself;
 * - percent escapes (either hex case), HTML character references
 *   (numeric and the named ones for ASCII punctuation), and JSON, JS and
 *   Python backslash escapes (`\/`, `\u0041`, `\x41`) decoded, with NUL
 *   characters dropped (UTF-16 or UTF-32 bytes read as a one-byte or UTF-8
 *   charset), up to three rounds (double encoding);
 * - when the text holds characters past U+00FF, each UTF-16 code unit read
 *   as two bytes, low first and high first (UTF-8 bytes read as UTF-16).
 *
 * In each view one Aho–Corasick automaton (`aho_corasick.ts`) finds, in a
 * single pass, every prepared form of every secret (`reflection_forms.ts`):
 * the value, its forms through every chain of up to three encodings that
 * ends in base64/base64url (any alignment), hex or UTF-16
 * (`reflection_chains.ts`), and, for a value of 12 characters or more,
 * the chunks of which a run of at least half of it (a truncated echo) is
 * grown. Matching ignores case. The views bound the work: at most four
 * decodings of the text and two byte-pair readings, each at most twice
 * the text's length, each scanned once.
 *
 * @module
 */

import type { AhoCorasick } from "./aho_corasick.ts";
import { giveBack, takeUnits } from "./guard_scratch.ts";
import {
  type GuardedSecret,
  prepare,
  type PreparedSecrets,
} from "./reflection_forms.ts";
import {
  CHUNK,
  codeAt,
  Decoder,
  origin,
  type View,
} from "./reflection_views.ts";

export {
  type GuardedSecret,
  PARTIAL_MIN_CHARS,
  PATTERN_CHARS,
} from "./reflection_forms.ts";

/** Decoding rounds of the text (a value percent-encoded twice is found). */
const ROUNDS = 3;

/** Rescans after replacing (a replacement can join two halves of nothing). */
const PASSES = 2;

/**
 * Finds and replaces secrets in text bound for a skill.
 */
export class ReflectionGuard {
  #replacements: string[];
  #prepared: PreparedSecrets | undefined;

  /** @param secrets the values to find and their replacements */
  constructor(secrets: GuardedSecret[]) {
    const kept = secrets.filter((s) => s.value !== "");
    this.#replacements = kept.map((s) => s.replacement);
    this.#prepared = kept.length > 0
      ? prepare(kept.map((s) => s.value))
      : undefined;
  }

  /** How many patterns the automaton holds, and its trie nodes (for the docs and the bench). */
  get size(): { patterns: number; nodes: number } {
    return {
      patterns: this.#prepared?.uses.length ?? 0,
      nodes: this.#prepared?.automaton.nodes ?? 0,
    };
  }

  /**
   * Replaces every occurrence of a secret, in any form the views decode,
   * by its replacement. Overlapping finds become one replacement.
   *
   * @param text the text a skill would receive
   * @returns the text with no findable secret left
   */
  scrub(text: string): string {
    if (!this.#prepared || text === "") return text;
    let out = text;
    for (let pass = 0; pass < PASSES; pass++) {
      const spans = this.#find(out, this.#prepared);
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
    return this.#prepared !== undefined && text !== "" &&
      this.#find(text, this.#prepared).length > 0;
  }

  #find(text: string, prepared: PreparedSecrets): Span[] {
    try {
      return this.#search(text, prepared);
    } finally {
      giveBack();
    }
  }

  #search(text: string, prepared: PreparedSecrets): Span[] {
    const spans: Span[] = [];
    const add = (view: View, secret: number, start: number, end: number) =>
      spans.push({
        start: origin(view, start),
        end: origin(view, end),
        replacement: this.#replacements[secret]!,
      });
    const finder = (view: View) => new Finder(view, prepared, add).all();
    if (!/[%&\\\0\u0100-\uffff]/.test(text)) {
      finder({ text, length: text.length });
      return spans;
    }
    const copy: View = { units: takeUnits(text.length), length: 0 };
    const spare = takeUnits(text.length);
    let source = copy;
    for (let round = 1; round <= ROUNDS; round++) {
      // Each view is searched whole before the round after next writes
      // over it (round 2 over the copy, round 3 over round 1's view).
      const decoder = new Decoder(
        source,
        round === 2 ? copy.units! : spare,
        round === 1 ? text : undefined,
      );
      if (round === 1) {
        for (let at = 0; at < decoder.length;) {
          at = Math.min(decoder.length, at + CHUNK);
          decoder.run(at, at === decoder.length);
        }
        finder(copy);
        for (const pair of decoder.pairViews()) finder(pair);
      } else decoder.runNear();
      if (!decoder.decodedAny) break;
      finder(decoder.view);
      // Only the first round reads every unit (whether a later one may
      // decode something is known once it ran near what changed).
      if (round === 1 && !decoder.mayEscape) break;
      source = decoder.view;
    }
    return spans;
  }
}

interface Span {
  start: number;
  end: number;
  replacement: string;
}

type AddSpan = (view: View, secret: number, start: number, end: number) => void;

/**
 * Every form and every long enough run of each secret in one complete
 * view: scanned, then each match followed in order of its end.
 */
class Finder {
  readonly view: View;
  #prepared: PreparedSecrets;
  #add: AddSpan;
  /** Matches not yet followed: pattern, end, pattern, end… */
  #pending = new Int32Array(256);
  #count = 0;
  // Per secret, past this position a form was already followed (finds
  // that start inside it are the same value): each character is followed
  // once per secret, which keeps the work linear.
  // Forms that share their first characters are all followed from a find.
  #formCovered: Int32Array;
  #formFrom: Int32Array;
  #runCovered: Int32Array;
  // Per secret, the last span added: one inside it is left out (the same
  // replacement over the same text; a whole value is found both as its
  // form and as the run its chunks grow to).
  #lastFrom: Int32Array;
  #lastTo: Int32Array;
  #onMatch = (pattern: number, end: number): void => {
    if (this.#count === this.#pending.length) {
      const grown = new Int32Array(2 * this.#count);
      grown.set(this.#pending);
      this.#pending = grown;
    }
    this.#pending[this.#count++] = pattern;
    this.#pending[this.#count++] = end;
  };

  constructor(view: View, prepared: PreparedSecrets, add: AddSpan) {
    this.view = view;
    this.#prepared = prepared;
    this.#add = add;
    const count = prepared.secrets.length;
    this.#formCovered = new Int32Array(count);
    this.#formFrom = new Int32Array(count).fill(-1);
    this.#runCovered = new Int32Array(count);
    this.#lastFrom = new Int32Array(count);
    this.#lastTo = new Int32Array(count);
  }

  #addOnce(secret: number, start: number, end: number): void {
    if (this.#lastFrom[secret]! <= start && end <= this.#lastTo[secret]!) {
      return;
    }
    this.#lastFrom[secret] = start;
    this.#lastTo[secret] = end;
    this.#add(this.view, secret, start, end);
  }

  /** Scans and follows the whole (complete) view. */
  all(): void {
    const view = this.view, automaton = this.#prepared.automaton;
    if (view.units) automaton.scanSplit(view.units, view.length, this.#onMatch);
    else automaton.scan(view.text!, this.#onMatch);
    this.#settle();
  }

  #settle(): void {
    const pending = this.#pending;
    for (let k = 0; k < this.#count; k += 2) {
      this.#follow(pending[k]!, pending[k + 1]!);
    }
    this.#count = 0;
  }

  #follow(pattern: number, end: number): void {
    const { automaton, uses, secrets } = this.#prepared;
    const view = this.view;
    const start = end - automaton.lengths[pattern]!;
    for (const use of uses[pattern]!) {
      if (use.kind === "form") {
        const secret = use.secret;
        if (
          start < this.#formCovered[secret]! &&
          start !== this.#formFrom[secret]
        ) continue;
        const stop = follow(automaton, view, end, use.form, end - start);
        this.#addOnce(secret, start, stop);
        this.#formFrom[secret] = start;
        this.#formCovered[secret] = Math.max(
          this.#formCovered[secret]!,
          stop,
        );
      } else if (start >= this.#runCovered[use.secret]!) {
        const secret = secrets[use.secret]!;
        const run = grow(automaton, view, { start, end }, secret.lower, use.at);
        if (run.end - run.start >= secret.partial) {
          this.#addOnce(use.secret, run.start, run.end);
          this.#runCovered[use.secret] = run.end;
        }
      }
    }
  }
}

/** How far past `end` the text goes on matching `form` from its character `from`. */
function follow(
  automaton: AhoCorasick,
  text: View,
  end: number,
  form: string,
  from: number,
): number {
  let i = end, k = from;
  while (
    k < form.length && i < text.length &&
    automaton.same(codeAt(text, i), form.charCodeAt(k))
  ) i++, k++;
  return i;
}

/** The run of the value around a chunk found at text[found] (the chunk at value index `at`). */
function grow(
  automaton: AhoCorasick,
  text: View,
  found: { start: number; end: number },
  value: string,
  at: number,
): { start: number; end: number } {
  const { start, end } = found;
  let left = 0;
  while (
    at - left > 0 && start - left > 0 &&
    automaton.same(
      codeAt(text, start - left - 1),
      value.charCodeAt(at - left - 1),
    )
  ) left++;
  let right = end, k = at + (end - start);
  while (
    k < value.length && right < text.length &&
    automaton.same(codeAt(text, right), value.charCodeAt(k))
  ) right++, k++;
  return { start: start - left, end: right };
}

function replaceSpans(text: string, spans: Span[]): string {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  // Pieces joined once: a string grown piece by piece is a tree of
  // pieces that every later read of the text walks.
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; i < spans.length;) {
    const first = spans[i]!;
    let end = first.end;
    for (i++; i < spans.length && spans[i]!.start < end; i++) {
      end = Math.max(end, spans[i]!.end);
    }
    parts.push(text.slice(at, first.start), first.replacement);
    at = end;
  }
  parts.push(text.slice(at));
  return parts.join("");
}
