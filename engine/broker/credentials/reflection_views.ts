/**
 * The decoding views the reflection guard searches: the text read as a
 * server may have encoded a value on its way back — percent escapes,
 * HTML character references, JSON/JS/Python backslash escapes, NUL
 * padding (UTF-16 or UTF-32 read as a one-byte charset), and UTF-16 code
 * units read back as bytes. Each view keeps a map from its characters to
 * the text's, so a find in a view replaces the right span of the text.
 *
 * Views other than the text itself are UTF-16 code units in typed arrays
 * (never made into strings), written by one loop each.
 *
 * @module
 */
import { takeInts, takeUnits } from "./guard_scratch.ts";

/**
 * A reading of the text: the text itself, or code units with a way back
 * to the text — a dense map (the byte-pair views: `map[i]` is where unit
 * i starts, `map[length]` the end) or, for a decoding, the escapes it
 * decoded in the view it was decoded from.
 */
export interface View {
  /** The text itself (the first view). */
  text?: string;
  /** The view's code units (every other view). */
  units?: Uint16Array;
  /** How many characters the view holds. */
  length: number;
  /** Where each view character starts in the text. */
  map?: Int32Array;
  /** The escapes decoded from `parent` to make this view. */
  steps?: Steps;
  /** The view this one was decoded from. */
  parent?: View;
}

/**
 * The escapes one decoding round decoded, in order, four numbers each:
 * where its units start in the decoded view, how many units it became,
 * and where it started and ended in the view decoded.
 */
export interface Steps {
  log: Int32Array;
  size: number;
  /**
   * The entry the last look-up found: finds come in order of their end,
   * so the next look-up starts its search there.
   */
  hint?: number;
}

/** Where view position `i` lies in the original text. */
export function origin(view: View, i: number): number {
  let v: View | undefined = view;
  while (v.steps) i = back(v.steps, i), v = v.parent!;
  return v.map ? v.map[i]! : i;
}

/** The position in the view decoded from of decoded position `i`. */
function back(steps: Steps, i: number): number {
  const { log, size } = steps;
  // The last entry at or before i: searched from the last one found,
  // in steps that double, then halved (a look-up near the last costs a
  // few reads, not a search of the whole log).
  let lo = 0, hi = size - 1, k = -1;
  const hint = steps.hint ?? -1;
  if (hint >= 0 && hint < size && log[4 * hint]! <= i) {
    lo = hint;
    for (let step = 1;; step *= 2) {
      if (lo + step >= size) break;
      if (log[4 * (lo + step)]! > i) {
        hi = lo + step - 1;
        break;
      }
      lo += step;
    }
  } else if (hint >= 0 && hint < size) hi = hint - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (log[4 * mid]! <= i) k = mid, lo = mid + 1;
    else hi = mid - 1;
  }
  steps.hint = k;
  if (k < 0) return i;
  const past = i - log[4 * k]! - log[4 * k + 1]!;
  return past < 0 ? log[4 * k + 2]! : log[4 * k + 3]! + past;
}

/** The code unit at view position `i`. */
export function codeAt(view: View, i: number): number {
  return view.units ? view.units[i]! : view.text!.charCodeAt(i);
}

/** Between two runs in a byte-pair view: a character no pattern holds. */
const RUN_BREAK = 0xffff;

/** What a character is to the first pass: 0 plain, 1 an escape start, 2 wide. */
const KIND = new Uint8Array(0x10000).fill(2, 0x100);
for (const c of [0, 37, 38, 92]) KIND[c] = 1;

/**
 * `STARTS[(c << 7) | next]` is 1 when an escape may start at a `%`, `&`
 * or `\` (`c`) followed by the ASCII unit `next`: a hex digit up to 7, a
 * letter or `#`, a letter or one of the backslash escapes.
 */
const STARTS = new Uint8Array(128 << 7);
for (let next = 0; next < 128; next++) {
  const n = String.fromCharCode(next);
  if (/[0-7]/.test(n)) STARTS[(37 << 7) | next] = 1;
  if (/[A-Za-z#]/.test(n)) STARTS[(38 << 7) | next] = 1;
  if (/[\\/"'bfnrtux]/.test(n)) STARTS[(92 << 7) | next] = 1;
}

/** {@linkcode KIND} for a later round: wide characters are plain there. */
const LATER_KIND = KIND.slice().fill(0, 0x100);

/** Growable {@linkcode Steps}. */
class StepLog implements Steps {
  log: Int32Array;
  size = 0;
  hint = -1;

  /** @param expected how many units the decoded source may hold */
  constructor(expected: number) {
    // An escape every 8 units before the first growth (a dense body
    // grows it once or twice, not a dozen times).
    this.log = takeInts(Math.max(4096, 4 * (expected >> 3)));
  }

  /** The log with room for `more` entries past `size`. */
  room(more: number): Int32Array {
    const need = 4 * (this.size + more);
    if (need > this.log.length) {
      let capacity = 2 * this.log.length;
      while (capacity < need) capacity *= 2;
      const grown = takeInts(capacity);
      grown.set(this.log.subarray(0, 4 * this.size));
      this.log = grown;
    }
    return this.log;
  }
}

/** The byte-pair views being written (see {@linkcode TextUnits}), grown as wide characters come. */
class Pairs {
  low = takeUnits(1024);
  high = takeUnits(1024);
  map = takeInts(1025);
  size = 0;
  /** Where the last wide unit read is in the text (-2: none yet). */
  last = -2;

  /** Reads the wide unit at `i`, after a run break when it starts a new run. */
  unit(unit: number, i: number): void {
    if (this.last >= 0 && this.last !== i - 1) this.end(this.last + 1);
    this.last = i;
    const at = this.size;
    if (at + 3 > this.low.length) this.#grow();
    this.low[at] = this.high[at + 1] = unit & 0xff;
    this.high[at] = this.low[at + 1] = unit >> 8;
    this.map[at] = this.map[at + 1] = i;
    this.size += 2;
  }

  #grow(): void {
    const capacity = 2 * this.low.length;
    const low = takeUnits(capacity), high = takeUnits(capacity);
    const map = takeInts(capacity + 1);
    low.set(this.low), high.set(this.high), map.set(this.map);
    this.low = low, this.high = high, this.map = map;
  }

  end(i: number): void {
    if (this.size + 2 > this.low.length) this.#grow();
    this.low[this.size] = this.high[this.size] = RUN_BREAK;
    this.map[this.size++] = i;
  }

  /** The two views of a text of `length` units (once all of it is read). */
  views(length: number): View[] {
    // The last run ends where the text does, or at a break.
    if (this.last + 1 < length) this.end(this.last + 1), this.last = -2;
    this.map[this.size] = length;
    const { low, high, map, size } = this;
    return [
      { units: low, length: size, map },
      { units: high, length: size, map },
    ];
  }
}

/**
 * Longest escape but for a reference's leading zeros: a 9-letter name with
 * `&` and `;` (`&#1114111;` is 10).
 */
export const ESCAPE_MAX = 11;

/** A reference's last zero is followed by 8 units at most: 7 digits and `;`. */
const REFERENCE_TAIL = 9;

/**
 * One decoding round (percent escapes, character references, backslash
 * escapes, NUL characters), run over its source a stretch at a time. The
 * decoded view is never longer than the source (every escape is at least
 * as long as what it decodes to).
 *
 * The first round copies the text into code units a stretch ahead of
 * where it decodes (the copy is the view the automaton scans, and what
 * this round decodes from), and reads the text's units past U+00FF as
 * byte pairs (low byte first and high byte first). The byte-pair views
 * hold only the runs of such characters (what UTF-8 bytes read as UTF-16
 * become), each unit as two characters, so their length is twice the
 * wide characters at most, whatever else the text holds. They are
 * searched as they are; escapes inside them are covered by the chain
 * forms.
 */
export class Decoder {
  /** The decoded view, as far as it is decoded. */
  readonly view: View;
  /** Whether any escape was decoded. */
  decodedAny = false;
  /** Whether the decoded view may hold an escape (a next round may decode something). */
  mayEscape = false;
  #source: View;
  #text: string | undefined;
  #steps: StepLog;
  #pairs: Pairs | undefined;
  #at = 0;

  /**
   * @param source the view to decode (complete), or for the first round
   *   the empty view to copy the text into
   * @param into where to write (as long as the source, at least)
   * @param text the first round: the text
   */
  constructor(source: View, into: Uint16Array, text?: string) {
    this.#source = source;
    this.#text = text;
    this.#steps = new StepLog(into.length);
    this.view = { units: into, length: 0, steps: this.#steps, parent: source };
  }

  /** How long the source is once complete. */
  get length(): number {
    return this.#text?.length ?? this.#source.length;
  }

  /**
   * Decodes the source up to `until` (an escape that starts before it is
   * read whole), or to its end when `final`.
   *
   * @param until where to stop in the source
   * @param final whether to read to the end
   */
  run(until: number, final: boolean): void {
    const stop = final ? this.length : until;
    if (this.#text !== undefined) this.#copy(stop);
    const src = this.#source.units!, n = this.#source.length;
    // Each escape is at least one unit of the source: `stop - at` entries
    // at most, room made once per stretch (no check per escape).
    const log = this.#steps.room(Math.max(0, stop - this.#at));
    const into = this.view.units!;
    let k = 4 * this.#steps.size, i = this.#at, length = this.view.length;
    let mayEscape = false;
    const kind = this.#text !== undefined ? KIND : LATER_KIND;
    while (i < stop) {
      let c: number;
      while (kind[c = src[i]!] === 0) {
        into[length++] = c;
        if (++i === stop) break;
      }
      if (i === stop) break;
      if (KIND[c] === 2) {
        into[length++] = c;
        if (this.#text !== undefined) (this.#pairs ??= new Pairs()).unit(c, i);
        i++;
        continue;
      }
      // A start before a unit no escape of its kind has next starts
      // nothing (the commonest failure, answered by one read).
      let next = i + 1 < n ? src[i + 1]! : 0xffff;
      if (c !== 0 && (next > 127 || STARTS[(c << 7) | next] === 0)) {
        // Such starts one after another are copied here (a body of
        // nothing else costs one loop, not one per unit).
        mayEscape = true;
        do {
          into[length++] = c;
          c = next;
          if (++i === stop || kind[c] !== 1 || c === 0) break;
          next = i + 1 < n ? src[i + 1]! : 0xffff;
        } while (next > 127 || STARTS[(c << 7) | next] === 0);
        continue;
      }
      // Percent escapes, the commonest, decoded here. Multi-byte UTF-8
      // (`%C3%A4`) stays escaped: the whole-form patterns cover it.
      const high = c === 37 && i + 2 < n ? HEX[next]! : -1;
      const low = high >= 0 && high < 8 ? HEX[src[i + 2]!]! : -1;
      const end = low >= 0
        ? emit(high * 16 + low, i + 3)
        : c === 37
        ? -1
        : decodeAt(src, i, n);
      if (end < 0) {
        into[length++] = c;
        mayEscape = true;
        i++;
        continue;
      }
      log[k] = length, log[k + 1] = decoded.count;
      log[k + 2] = i, log[k + 3] = end;
      k += 4;
      if (decoded.count > 0) {
        into[length++] = decoded.first;
        if (KIND[decoded.first] === 1) mayEscape = true;
      }
      if (decoded.count > 1) into[length++] = decoded.second;
      i = end;
    }
    this.#steps.size = k >> 2;
    this.#at = i;
    this.view.length = length;
    this.mayEscape ||= mayEscape;
    this.decodedAny ||= this.#steps.size > 0;
  }

  /**
   * A later round, its source complete: decodes only where the round
   * before decoded something (from an escape's length before each unit
   * it wrote, or each join where it dropped one, to its end) and copies
   * the rest as it is. Elsewhere the round before read the same units
   * and found no escape in them, so this round would find none either.
   */
  runNear(): void {
    const n = this.#source.length;
    const { log, size } = this.#source.steps!;
    for (let j = 0; j < size;) {
      const from = dirtyStart(log[4 * j]!);
      let until = log[4 * j]! + log[4 * j + 1]!;
      // Windows that meet (or nearly: a run costs more than a short copy)
      // are decoded as one.
      for (j++; j < size && dirtyStart(log[4 * j]!) <= until + 32; j++) {
        until = log[4 * j]! + log[4 * j + 1]!;
      }
      if (from > this.#at) this.#pass(from);
      while (this.#at < until) {
        this.run(Math.min(until, this.#at + CHUNK), false);
      }
    }
    if (this.#at < n) this.#pass(n);
  }

  /** Copies the source from where this round is to `to`, undecoded. */
  #pass(to: number): void {
    const length = this.view.length;
    this.view.units!.set(this.#source.units!.subarray(this.#at, to), length);
    this.view.length = length + to - this.#at;
    this.#at = to;
  }

  /** The two byte-pair views (once the text is read), or none. */
  pairViews(): View[] {
    const pairs = this.#pairs;
    return pairs && pairs.size > 0 ? pairs.views(this.length) : [];
  }

  /**
   * Copies the text up to `stop`, and as far past it as an escape may
   * run (what this round reads).
   */
  #copy(stop: number): void {
    const text = this.#text!, copy = this.#source, units = copy.units!;
    let end = Math.min(text.length, stop + ESCAPE_MAX);
    // A reference's leading zeros run on as far as they go: while a zero
    // is among the last units copied (its digits and `;` may follow), one
    // more is copied.
    let zero = end - 1;
    while (zero >= end - REFERENCE_TAIL && text.charCodeAt(zero) !== 48) {
      zero--;
    }
    for (; end < text.length && zero >= end - REFERENCE_TAIL; end++) {
      if (text.charCodeAt(end) === 48) zero = end;
    }
    for (let i = copy.length; i < end; i++) units[i] = text.charCodeAt(i);
    copy.length = end;
  }
}

/** Units of a source decoded by one call at most (the room its step log makes at once). */
export const CHUNK = 1 << 14;

/**
 * The first position whose escape may read unit `q` of `src` (or the
 * join before it). An escape is at most {@linkcode ESCAPE_MAX} units but
 * for a reference's leading zeros, and those never reach further here:
 * `&#` (or `&#x`) and a zero always decode, so a reference this round
 * may decode across zeros the round before left alone begins within
 * three units of a unit that round wrote.
 */
function dirtyStart(q: number): number {
  return Math.max(0, q - (ESCAPE_MAX - 1));
}

/** What the last escape decoded to: 0 to 2 units. */
const decoded = { count: 0, first: 0, second: 0 };

/**
 * Decodes the escape other than a percent escape at `src[i]` (`src` ends
 * at `n`) into {@linkcode decoded}: the index just past it, or -1 when
 * none starts there.
 */
function decodeAt(src: Uint16Array, i: number, n: number): number {
  const c = src[i]!;
  decoded.count = 0;
  if (c === 0) return i + 1;
  if (c === 38) return decodeEntity(src, i, n);
  return decodeBackslash(src, i, n);
}

function emit(code: number, end: number): number {
  if (code > 0xffff) {
    decoded.first = 0xd800 + ((code - 0x10000) >> 10);
    decoded.second = 0xdc00 + ((code - 0x10000) & 0x3ff);
    decoded.count = 2;
  } else {
    decoded.first = code;
    decoded.count = 1;
  }
  return end;
}

/** `&#ddd;`, `&#xhh;` (`;` optional, zeros then up to 7 and 6 digits) or `&name;`. */
function decodeEntity(src: Uint16Array, i: number, n: number): number {
  if (i + 1 < n && src[i + 1] === 35) return decodeReference(src, i, n);
  // A name: 2 to 9 letters, then `;`.
  let k = i + 1, hash = 0;
  while (k < n && k < i + 11 && LETTER[src[k]!]! > 0) {
    hash = (Math.imul(hash, 31) + LETTER[src[k]!]!) | 0;
    k++;
  }
  const letters = k - i - 1;
  if (letters < 2 || letters > 9 || k >= n || src[k] !== 59) return -1;
  for (let slot = hash & NAMED_MASK;; slot = (slot + 1) & NAMED_MASK) {
    const entry = NAMED[slot]!;
    if (entry < 0) return -1;
    if (NAME_LENGTH[entry] === letters && sameName(src, i + 1, entry)) {
      return emit(NAME_CODE[entry]!, k + 1);
    }
  }
}

/** Whether src[from..] spells name `entry` (either case). */
function sameName(src: Uint16Array, from: number, entry: number): boolean {
  const name = NAMES[entry]!;
  for (let j = 0; j < name.length; j++) {
    if ((src[from + j]! | 32) !== name.charCodeAt(j)) return false;
  }
  return true;
}

/**
 * `&#ddd;` or `&#xhh;` at `src[i]` (`&#` checked): leading zeros, any
 * number of them (`&#00000115;` is `s` to browsers and Python's
 * `html.unescape`), then up to 7 decimal or 6 hex digits.
 */
function decodeReference(src: Uint16Array, i: number, n: number): number {
  const hex = i + 2 < n && (src[i + 2]! | 32) === 120; // x
  let k = hex ? i + 3 : i + 2;
  const first = k;
  while (k < n && src[k] === 48) k++;
  const digits = k + (hex ? 6 : 7);
  let code = 0;
  if (hex) {
    for (; k < n && k < digits && HEX[src[k]!]! >= 0; k++) {
      code = code * 16 + HEX[src[k]!]!;
    }
  } else {
    for (; k < n && k < digits && src[k]! >= 48 && src[k]! <= 57; k++) {
      code = code * 10 + src[k]! - 48;
    }
  }
  if (k === first || code > 0x10ffff) return -1;
  return emit(code, k < n && src[k] === 59 ? k + 1 : k);
}

/** `\/`, `\n` and the other one-character escapes, `\uXXXX`, `\xXX`. */
function decodeBackslash(src: Uint16Array, i: number, n: number): number {
  if (i + 1 >= n) return -1;
  const next = src[i + 1]!;
  if (next < 128 && ESCAPED[next]! >= 0) return emit(ESCAPED[next]!, i + 2);
  const code = next === 117 // u
    ? hexAt(src, n, i + 2, 4)
    : next === 120 // x
    ? hexAt(src, n, i + 2, 2)
    : -1;
  if (code < 0) return -1;
  return emit(code, i + (next === 117 ? 6 : 4));
}

/** Backslash escapes of one character: the character after `\` to what it stands for. */
const ESCAPED = new Int32Array(128).fill(-1);
for (
  const [c, d] of Object.entries({
    "/": "/",
    '"': '"',
    "'": "'",
    "\\": "\\",
    b: "\b",
    f: "\f",
    n: "\n",
    r: "\r",
    t: "\t",
  })
) ESCAPED[c.charCodeAt(0)] = d.charCodeAt(0);

/** Named character references for ASCII (HTML5 names; values never need more). */
const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  sol: "/",
  bsol: "\\",
  colon: ":",
  semi: ";",
  comma: ",",
  period: ".",
  excl: "!",
  quest: "?",
  num: "#",
  dollar: "$",
  percnt: "%",
  ast: "*",
  midast: "*",
  plus: "+",
  equals: "=",
  hyphen: "-",
  dash: "-",
  lowbar: "_",
  underbar: "_",
  lpar: "(",
  rpar: ")",
  lsqb: "[",
  rsqb: "]",
  lbrack: "[",
  rbrack: "]",
  lcub: "{",
  rcub: "}",
  lbrace: "{",
  rbrace: "}",
  verbar: "|",
  vert: "|",
  hat: "^",
  grave: "`",
  commat: "@",
  newline: "\n",
  tab: "\t",
};

/** A letter's number in a name key (1 to 26, either case), or 0. */
const LETTER = new Uint8Array(0x10000);
for (let l = 0; l < 26; l++) LETTER[65 + l] = LETTER[97 + l] = l + 1;

/** The named references: names, lengths, what each stands for. */
const NAMES = Object.keys(ENTITIES);
const NAME_LENGTH = Int32Array.from(NAMES, (name) => name.length);
const NAME_CODE = Int32Array.from(
  NAMES,
  (name) => ENTITIES[name]!.charCodeAt(0),
);

/** Slots of the name table, less one (open addressing). */
const NAMED_MASK = 1023;

/** Name index by hash of its letters (see decodeEntity), or -1. */
const NAMED = new Int32Array(NAMED_MASK + 1).fill(-1);
NAMES.forEach((name, index) => {
  let hash = 0;
  for (const letter of name) {
    hash = (Math.imul(hash, 31) + LETTER[letter.charCodeAt(0)]!) | 0;
  }
  let slot = hash & NAMED_MASK;
  while (NAMED[slot] !== -1) slot = (slot + 1) & NAMED_MASK;
  NAMED[slot] = index;
});

/** Value of each hex digit, or -1. */
const HEX = new Int8Array(0x10000).fill(-1);
for (let d = 0; d < 16; d++) {
  HEX[d.toString(16).charCodeAt(0)] = d;
  HEX[d.toString(16).toUpperCase().charCodeAt(0)] = d;
}

/** The value of hex digits src[from, from + count) (within `n`), or -1. */
function hexAt(
  src: Uint16Array,
  n: number,
  from: number,
  count: number,
): number {
  if (from + count > n) return -1;
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const digit = HEX[src[i]!]!;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}
