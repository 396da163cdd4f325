/**
 * The decoding views the reflection guard searches: the text read as a
 * server may have encoded a value on its way back — percent escapes,
 * HTML character references, JSON/JS/Python backslash escapes, NUL
 * padding (UTF-16 or UTF-32 read as a one-byte charset), and UTF-16 code
 * units read back as bytes. Each view keeps a map from its characters to
 * the text's, so a find in a view replaces the right span of the text.
 *
 * @module
 */

/**
 * A decoding of the text: `map[i]` is where view character i starts in
 * the text (`map[text.length]` is the end); no map means the text itself.
 */
export interface View {
  text: string;
  map?: Int32Array;
}

/** Where view position `i` lies in the original text. */
export function origin(view: View, i: number): number {
  return view.map ? view.map[i]! : i;
}

/** Between two runs in a byte-pair view: a character no pattern holds. */
const RUN_BREAK = 0xffff;

/**
 * The text, and its UTF-16 code units read as byte pairs (low byte first
 * and high byte first) when it holds any past U+00FF. The byte-pair views
 * hold only the runs of such characters (what UTF-8 bytes read as UTF-16
 * become), each unit as two characters, so their length is twice the
 * wide characters at most, whatever else the text holds. They are
 * searched as they are; escapes inside them are covered by the chain
 * forms.
 *
 * @param text the text a skill would receive
 * @returns the views to search, the first to decode further
 */
export function baseViews(text: string): View[] {
  const views: View[] = [{ text }];
  if (!/[\u0100-\uffff]/.test(text)) return views;
  const low: number[] = [], high: number[] = [], at: number[] = [];
  let inRun = false;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x100) {
      if (inRun) low.push(RUN_BREAK), high.push(RUN_BREAK), at.push(i);
      inRun = false;
      continue;
    }
    inRun = true;
    low.push(unit & 0xff, unit >> 8);
    high.push(unit >> 8, unit & 0xff);
    at.push(i, i);
  }
  at.push(text.length);
  const map = Int32Array.from(at);
  views.push(
    { text: charsOf(low), map },
    { text: charsOf(high), map },
  );
  return views;
}

/** Character codes to a string, in slices (no argument list too long). */
function charsOf(codes: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < codes.length; i += 8192) {
    parts.push(String.fromCharCode(...codes.slice(i, i + 8192)));
  }
  return parts.join("");
}

const ESCAPES: Record<string, string> = {
  "/": "/",
  '"': '"',
  "'": "'",
  "\\": "\\",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

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

const ENTITY = /&(?:#(\d{1,7});?|#[xX]([0-9a-fA-F]{1,6});?|([A-Za-z]{2,9});)/y;

/** The value of hex digits text[from, from + count), or -1. */
function hexAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i);
    const digit = c >= 48 && c <= 57
      ? c - 48
      : c >= 97 && c <= 102
      ? c - 87
      : c >= 65 && c <= 70
      ? c - 55
      : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** One escape decoded: its text (empty: dropped) and the index just past it. */
interface Decoded {
  decoded: string;
  end: number;
}

const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf16 = new TextDecoder(little ? "utf-16le" : "utf-16be");

/**
 * One round of decoding, or undefined when the view has nothing to decode.
 * The decoded text is written as UTF-16 units with, per unit, where it
 * starts in the original text (never longer than the view: every escape
 * is at least as long as what it decodes to).
 *
 * @param view the view to decode
 * @returns the decoded view, mapped back to the original text
 */
export function unescapeView(view: View): View | undefined {
  const text = view.text;
  if (!/[%&\\\0]/.test(text)) return undefined;
  const units = new Uint16Array(text.length);
  const map = new Int32Array(text.length + 1);
  let length = 0, decodedAny = false;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    const escape = c === 0 || c === 37 || c === 38 || c === 92
      ? decodeAt(text, i, c)
      : undefined;
    if (!escape) {
      units[length] = c;
      map[length++] = i++;
      continue;
    }
    decodedAny = true;
    for (let k = 0; k < escape.decoded.length; k++) {
      units[length] = escape.decoded.charCodeAt(k);
      map[length++] = i;
    }
    i = escape.end;
  }
  if (!decodedAny) return undefined;
  map[length] = text.length;
  const parent = view.map;
  if (parent) { for (let k = 0; k <= length; k++) map[k] = parent[map[k]!]!; }
  return {
    text: utf16.decode(units.subarray(0, length)),
    map: map.subarray(0, length + 1),
  };
}

/** The escape that starts at `i` (character code `c`), if one does. */
function decodeAt(text: string, i: number, c: number): Decoded | undefined {
  if (c === 0) return { decoded: "", end: i + 1 };
  if (c === 37) return decodePercent(text, i);
  if (c === 38) return decodeEntity(text, i);
  return decodeBackslash(text, i);
}

function decodePercent(text: string, i: number): Decoded | undefined {
  const byte = hexAt(text, i + 1, 2);
  // Multi-byte UTF-8 stays escaped: the whole-form patterns cover it.
  if (byte < 0 || byte >= 0x80) return undefined;
  return { decoded: String.fromCharCode(byte), end: i + 3 };
}

function decodeEntity(text: string, i: number): Decoded | undefined {
  ENTITY.lastIndex = i;
  const m = ENTITY.exec(text);
  if (!m) return undefined;
  let decoded: string | undefined;
  if (m[1] !== undefined || m[2] !== undefined) {
    const code = m[1] !== undefined ? Number(m[1]) : parseInt(m[2]!, 16);
    if (code <= 0x10ffff) decoded = String.fromCodePoint(code);
  } else decoded = ENTITIES[m[3]!.toLowerCase()];
  return decoded === undefined ? undefined : { decoded, end: i + m[0].length };
}

function decodeBackslash(text: string, i: number): Decoded | undefined {
  const next = text[i + 1] ?? "";
  if (next in ESCAPES) return { decoded: ESCAPES[next]!, end: i + 2 };
  const code = next === "u"
    ? hexAt(text, i + 2, 4)
    : next === "x"
    ? hexAt(text, i + 2, 2)
    : -1;
  if (code < 0) return undefined;
  return {
    decoded: String.fromCharCode(code),
    end: i + (next === "u" ? 6 : 4),
  };
}
