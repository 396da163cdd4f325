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
}

/** Where view position `i` lies in the original text. */
export function origin(view: View, i: number): number {
  let v: View | undefined = view;
  while (v.steps) i = back(v.steps, i), v = v.parent!;
  return v.map ? v.map[i]! : i;
}

/** The position in the view decoded from of decoded position `i`. */
function back({ log, size }: Steps, i: number): number {
  let lo = 0, hi = size - 1, k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (log[4 * mid]! <= i) k = mid, lo = mid + 1;
    else hi = mid - 1;
  }
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

/** Growable {@linkcode Steps}. */
class StepLog implements Steps {
  log = new Int32Array(4096);
  size = 0;

  push(at: number, count: number, from: number, to: number): void {
    const k = 4 * this.size++;
    if (k === this.log.length) {
      const grown = new Int32Array(2 * k);
      grown.set(this.log);
      this.log = grown;
    }
    const log = this.log;
    log[k] = at, log[k + 1] = count, log[k + 2] = from, log[k + 3] = to;
  }
}

/** The byte-pair views being written (see {@linkcode firstPass}). */
class Pairs {
  low: Uint16Array;
  high: Uint16Array;
  map: Int32Array;
  size = 0;
  inRun = false;

  constructor(capacity: number) {
    this.low = new Uint16Array(capacity);
    this.high = new Uint16Array(capacity);
    this.map = new Int32Array(capacity + 1);
  }

  unit(unit: number, i: number): void {
    const at = this.size;
    this.low[at] = this.high[at + 1] = unit & 0xff;
    this.high[at] = this.low[at + 1] = unit >> 8;
    this.map[at] = this.map[at + 1] = i;
    this.size += 2;
    this.inRun = true;
  }

  end(i: number): void {
    this.low[this.size] = this.high[this.size] = RUN_BREAK;
    this.map[this.size++] = i;
    this.inRun = false;
  }

  views(length: number): View[] {
    this.map[this.size] = length;
    const { low, high, map, size } = this;
    return [
      { units: low, length: size, map },
      { units: high, length: size, map },
    ];
  }
}

/** Longest escape: a 9-letter name with `&` and `;` (`&#1114111;` is 10). */
const ESCAPE_MAX = 11;

/** The text's units an escape at `i` can span, copied for the decoders. */
const around = new Uint16Array(ESCAPE_MAX);

/**
 * One pass over the text: its first decoding round (percent escapes,
 * character references, backslash escapes and NUL characters decoded),
 * and its UTF-16 code units read as byte pairs (low byte first and high
 * byte first) when it holds any past U+00FF. The byte-pair views hold
 * only the runs of such characters (what UTF-8 bytes read as UTF-16
 * become), each unit as two characters, so their length is twice the
 * wide characters at most, whatever else the text holds. They are
 * searched as they are; escapes inside them are covered by the chain
 * forms.
 *
 * @param text the text a skill would receive
 * @returns the decoded view (none when nothing decodes) and the byte-pair views
 */
export function firstPass(text: string): { decoded?: View; pairs: View[] } {
  const n = text.length;
  const units = new Uint16Array(n), steps = new StepLog();
  let pairs: Pairs | undefined;
  let length = 0;
  for (let i = 0; i < n;) {
    const c = text.charCodeAt(i);
    const kind = KIND[c]!;
    if (kind !== 2 && pairs?.inRun) pairs.end(i);
    if (kind === 2) (pairs ??= new Pairs(2 * (n - i))).unit(c, i);
    if (kind !== 1) {
      units[length++] = c;
      i++;
      continue;
    }
    const count = Math.min(ESCAPE_MAX, n - i);
    for (let k = 0; k < count; k++) around[k] = text.charCodeAt(i + k);
    const end = decodeAt(around, 0, count);
    if (end < 0) {
      units[length++] = c;
      i++;
      continue;
    }
    steps.push(length, decoded.count, i, i + end);
    if (decoded.count > 0) units[length++] = decoded.first;
    if (decoded.count > 1) units[length++] = decoded.second;
    i += end;
  }
  return {
    decoded: steps.size > 0
      ? { units, length, steps, parent: { text, length: n } }
      : undefined,
    pairs: pairs ? pairs.views(n) : [],
  };
}

/**
 * One more round of decoding of a decoded view, or undefined when it has
 * nothing to decode.
 *
 * @param view the view to decode (with units)
 * @param into where to write (as long as the view, at least)
 * @returns the decoded view, mapped back to `view`
 */
export function unescapeView(
  view: View,
  into: Uint16Array,
): View | undefined {
  const src = view.units!, n = view.length, steps = new StepLog();
  let length = 0;
  for (let i = 0; i < n;) {
    const c = src[i]!;
    const end = KIND[c] === 1 ? decodeAt(src, i, n) : -1;
    if (end < 0) {
      into[length++] = c;
      i++;
      continue;
    }
    steps.push(length, decoded.count, i, end);
    if (decoded.count > 0) into[length++] = decoded.first;
    if (decoded.count > 1) into[length++] = decoded.second;
    i = end;
  }
  if (steps.size === 0) return undefined;
  return { units: into, length, steps, parent: view };
}

/** What the last escape decoded to: 0 to 2 units. */
const decoded = { count: 0, first: 0, second: 0 };

/**
 * Decodes the escape at `src[i]` (`src` ends at `n`) into
 * {@linkcode decoded}: the index just past it, or -1 when none starts
 * there.
 */
function decodeAt(src: Uint16Array, i: number, n: number): number {
  const c = src[i]!;
  decoded.count = 0;
  if (c === 0) return i + 1;
  if (c === 37) {
    const byte = hexAt(src, n, i + 1, 2);
    // Multi-byte UTF-8 stays escaped: the whole-form patterns cover it.
    return byte < 0 || byte >= 0x80 ? -1 : emit(byte, i + 3);
  }
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

/** `&#ddd;`, `&#xhh;` (`;` optional, up to 7 and 6 digits) or `&name;`. */
function decodeEntity(src: Uint16Array, i: number, n: number): number {
  if (i + 1 < n && src[i + 1] === 35) return decodeReference(src, i, n);
  // A name: 2 to 9 letters, then `;`.
  let k = i + 1, key = 0;
  while (k < n && k < i + 11 && LETTER[src[k]!]! > 0) {
    key = key * 32 + LETTER[src[k]!]!;
    k++;
  }
  const letters = k - i - 1;
  if (letters < 2 || letters > 9 || k >= n || src[k] !== 59) return -1;
  const code = NAMED.get(key);
  return code === undefined ? -1 : emit(code, k + 1);
}

/** `&#ddd;` or `&#xhh;` at `src[i]` (`&#` checked). */
function decodeReference(src: Uint16Array, i: number, n: number): number {
  let k = i + 2, code = 0;
  while (k < n && k < i + 9 && src[k]! >= 48 && src[k]! <= 57) {
    code = code * 10 + src[k]! - 48;
    k++;
  }
  if (k === i + 2) {
    if (k >= n || (src[k]! | 32) !== 120) return -1; // x
    for (k = i + 3; k < n && k < i + 9 && HEX[src[k]!]! >= 0; k++) {
      code = code * 16 + HEX[src[k]!]!;
    }
    if (k === i + 3) return -1;
  }
  if (code > 0x10ffff) return -1;
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

/** The named references by key (each letter 5 bits, case ignored). */
const NAMED = new Map<number, number>();
for (const [name, char] of Object.entries(ENTITIES)) {
  let key = 0;
  for (const letter of name) key = key * 32 + LETTER[letter.charCodeAt(0)]!;
  NAMED.set(key, char.charCodeAt(0));
}

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
