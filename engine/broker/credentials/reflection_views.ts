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

/**
 * The text, and its UTF-16 code units read as byte pairs (low byte first
 * and high byte first) when it holds any past U+00FF. The byte-pair views
 * are searched as they are (UTF-8 bytes a server's charset turned into
 * UTF-16); escapes inside them are covered by the chain forms.
 *
 * @param text the text a skill would receive
 * @returns the views to search, the first to decode further
 */
export function baseViews(text: string): View[] {
  const views: View[] = [{ text }];
  if (!/[\u0100-\uffff]/.test(text)) return views;
  const units = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  const low = new Uint8Array(units.buffer);
  const high = new Uint8Array(low.length);
  for (let i = 0; i + 1 < low.length; i += 2) {
    high[i] = low[i + 1]!;
    high[i + 1] = low[i]!;
  }
  // Each byte as one character (windows-1252 maps every byte to one).
  const bytes = new TextDecoder("windows-1252");
  const map = new Int32Array(low.length + 1);
  for (let i = 0; i <= low.length; i++) map[i] = Math.min(i >> 1, text.length);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  views.push(
    { text: bytes.decode(little ? low : high), map },
    { text: bytes.decode(little ? high : low), map },
  );
  return views;
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

/** One escape decoded: its text and the index just past it. */
interface Decoded {
  decoded: string;
  end: number;
}

/**
 * One round of decoding, or undefined when the view has nothing to decode.
 *
 * @param view the view to decode
 * @returns the decoded view, mapped back to the original text
 */
export function unescapeView(view: View): View | undefined {
  const text = view.text;
  if (!/[%&\\\0]/.test(text)) return undefined;
  const out = new MappedText(text);
  for (let i = 0; i < text.length; i++) {
    const escape = decodeAt(text, i);
    if (!escape) continue;
    out.emit(escape.decoded, i, escape.end);
    i = escape.end - 1;
  }
  return out.finish(view.map);
}

/** The escape that starts at `i`, if one does. */
function decodeAt(text: string, i: number): Decoded | undefined {
  const c = text.charCodeAt(i);
  if (c === 0) return { decoded: "", end: i + 1 };
  if (c === 37) return decodePercent(text, i);
  if (c === 38) return decodeEntity(text, i);
  if (c === 92) return decodeBackslash(text, i);
  return undefined;
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

/** The decoded text being written, with where each of its characters came from. */
class MappedText {
  #text: string;
  #parts: string[] = [];
  #map: Int32Array;
  #length = 0;
  /** Start of the text not yet copied. */
  #run = 0;

  constructor(text: string) {
    this.#text = text;
    this.#map = new Int32Array(text.length + 1);
  }

  /** Copies the text up to `from`, then writes `decoded` for text[from, to). */
  emit(decoded: string, from: number, to: number): void {
    if (this.#run < from) {
      this.#parts.push(this.#text.slice(this.#run, from));
      for (let k = this.#run; k < from; k++) this.#map[this.#length++] = k;
    }
    this.#parts.push(decoded);
    for (let k = 0; k < decoded.length; k++) this.#map[this.#length++] = from;
    this.#run = to;
  }

  /** The view, mapped through its parent's map; undefined when nothing was decoded. */
  finish(parent: Int32Array | undefined): View | undefined {
    if (this.#run === 0) return undefined;
    const text = this.#text;
    this.#parts.push(text.slice(this.#run));
    for (let k = this.#run; k < text.length; k++) this.#map[this.#length++] = k;
    this.#map[this.#length] = text.length;
    const map = this.#map.subarray(0, this.#length + 1);
    if (parent) {
      for (let k = 0; k < map.length; k++) map[k] = parent[map[k]!]!;
    }
    return { text: this.#parts.join(""), map };
  }
}
