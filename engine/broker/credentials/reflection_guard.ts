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

/** Decoding rounds per view (a value percent-encoded twice is found). */
const ROUNDS = 3;

/** Rescans after replacing (a replacement can join two halves of nothing). */
const PASSES = 3;

interface Prepared {
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

/** A decoding of the text: `map(i)` is where view character i starts in the text. */
interface View {
  text: string;
  map: (index: number) => number;
}

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

function prepare(secret: GuardedSecret): Prepared {
  const { value, replacement } = secret;
  const lower = asciiLower(value);
  const needles = new Set([lower]);
  if (value.includes(" ")) needles.add(lower.replaceAll(" ", "+"));
  for (const form of base64Fragments(value)) needles.add(asciiLower(form));
  needles.add(hex(value));
  const partial = value.length >= PARTIAL_MIN_CHARS
    ? Math.max(PARTIAL_MIN_CHARS, Math.ceil(value.length / 2))
    : Infinity;
  const chunks: { at: number; text: string }[] = [];
  if (partial !== Infinity) {
    // Any run of `partial` characters holds one of these whole.
    const size = Math.ceil(partial / 2);
    for (let at = 0; at + size <= lower.length; at += size) {
      chunks.push({ at, text: lower.slice(at, at + size) });
    }
  }
  return {
    replacement,
    lower,
    needles: [...needles].filter((n) => n.length >= Math.min(4, lower.length)),
    partial,
    chunks,
  };
}

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
  for (const needle of secret.needles) {
    for (
      let i = view.indexOf(needle);
      i >= 0;
      i = view.indexOf(needle, i + 1)
    ) {
      add(i, i + needle.length);
    }
  }
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

/** The text, and its UTF-16 code units read as byte pairs when it holds any past U+00FF. */
function baseViews(text: string): View[] {
  const views: View[] = [{ text, map: (i) => i }];
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
  const map = (i: number) => Math.min(i >> 1, text.length);
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
const HEX2 = /^[0-9a-fA-F]{2}$/;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** One round of decoding, or undefined when the view has nothing to decode. */
function unescapeView(view: View): View | undefined {
  const text = view.text;
  if (!/[%&\\\0]/.test(text)) return undefined;
  const parts: string[] = [];
  const map = new Int32Array(text.length + 1);
  let length = 0;
  let run = 0;
  const emit = (decoded: string, from: number, to: number) => {
    if (run < from) {
      parts.push(text.slice(run, from));
      for (let k = run; k < from; k++) map[length++] = k;
    }
    parts.push(decoded);
    for (let k = 0; k < decoded.length; k++) map[length++] = from;
    run = to;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\0") emit("", i, i + 1);
    else if (c === "%" && HEX2.test(text.slice(i + 1, i + 3))) {
      const byte = parseInt(text.slice(i + 1, i + 3), 16);
      // Multi-byte UTF-8 stays escaped: the whole-form needles cover it.
      if (byte < 0x80) emit(String.fromCharCode(byte), i, (i += 2) + 1);
    } else if (c === "&") {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(text);
      if (!m) continue;
      let decoded: string | undefined;
      if (m[1] !== undefined || m[2] !== undefined) {
        const code = m[1] !== undefined ? Number(m[1]) : parseInt(m[2]!, 16);
        if (code <= 0x10ffff) decoded = String.fromCodePoint(code);
      } else decoded = ENTITIES[m[3]!.toLowerCase()];
      if (decoded !== undefined) emit(decoded, i, (i += m[0].length - 1) + 1);
    } else if (c === "\\") {
      const next = text[i + 1] ?? "";
      if (next in ESCAPES) emit(ESCAPES[next]!, i, (i += 1) + 1);
      else if (next === "u" && HEX4.test(text.slice(i + 2, i + 6))) {
        emit(
          String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)),
          i,
          (i += 5) + 1,
        );
      } else if (next === "x" && HEX2.test(text.slice(i + 2, i + 4))) {
        emit(
          String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16)),
          i,
          (i += 3) + 1,
        );
      }
    }
  }
  if (run === 0) return undefined;
  parts.push(text.slice(run));
  for (let k = run; k < text.length; k++) map[length++] = k;
  map[length] = text.length;
  const parent = view.map;
  return { text: parts.join(""), map: (i) => parent(map[i]!) };
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

/** Lower case with the length kept (so view offsets stay valid). */
/** The value's UTF-8 bytes in hexadecimal (a hex dump or debug echo). */
function hex(value: string): string {
  return Array.from(
    new TextEncoder().encode(value),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

function asciiLower(text: string): string {
  const lower = text.replace(/\u0130/g, "i").toLowerCase();
  return lower.length === text.length
    ? lower
    : text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}
