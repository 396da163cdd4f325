/**
 * The encoded forms of a secret for every chain of up to three encodings
 * that ends in a block encoding (base64 or base64url at the three byte
 * alignments, hexadecimal, UTF-16 either byte order): base64 of the
 * percent-encoded key (a pagination cursor), hex of its UTF-16, base64 of
 * its JSON escape, and so on. Escapes a server applies *after* the last
 * block encoding (percent, HTML, backslash escapes, NUL padding) are not
 * forms: the guard decodes those in its views (`reflection_views.ts`),
 * whichever characters were escaped. Escapes *inside* a chain are
 * computed here the ways common encoders apply them (which characters
 * each leaves alone), since under base64 or hex they cannot be decoded
 * in place.
 *
 * Every form is a byte string (one character per byte) in ASCII lower
 * case: the search ignores case (hex and percent escapes in either case;
 * base64 matched case-blind, a few false finds at worst).
 *
 * @module
 */

/** A byte string (one character per byte) to its encoding. */
type Encoder = (bytes: string) => string;

/** Longest chain of encodings searched for. */
export const CHAIN_DEPTH = 3;

const hex2 = (code: number) => code.toString(16).padStart(2, "0");

/**
 * Escapes each byte outside `keep` as `%XX` in upper case (what RFC 3986
 * asks; lower case when `lower`), `+` for a space when `plus`. The case
 * matters once a block encoding follows.
 */
function percent(
  keep: RegExp,
  options: { plus?: boolean; lower?: boolean } = {},
): Encoder {
  return (bytes) => {
    let out = "";
    for (const c of bytes) {
      if (options.plus && c === " ") out += "+";
      else if (keep.test(c)) out += c;
      else {
        const code = hex2(c.charCodeAt(0));
        out += `%${options.lower ? code : code.toUpperCase()}`;
      }
    }
    return out;
  };
}

/** Replaces each byte matching `which` by `escape(byte)`. */
function escaping(which: RegExp, escape: (c: string) => string): Encoder {
  return (bytes) => {
    let out = "";
    for (const c of bytes) out += which.test(c) ? escape(c) : c;
    return out;
  };
}

const HTML_MIN: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

const JSON_MIN: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

const jsonChar = (c: string) => JSON_MIN[c] ?? `\\u00${hex2(c.charCodeAt(0))}`;

/**
 * Escapes as common encoders apply them inside a chain: which characters
 * each leaves alone (the views decode any escape outside the last block
 * encoding, so only these matter under one).
 */
export const ESCAPE_ENCODERS: Record<string, Encoder> = {
  // encodeURIComponent; Python's quote(safe=""); Go's QueryEscape (space aside).
  "percent-component": percent(/[A-Za-z0-9\-_.!~*'()]/),
  // Python's quote() (keeps "/"), RFC 3986 unreserved.
  "percent-path": percent(/[A-Za-z0-9\-_.~/]/),
  // application/x-www-form-urlencoded (URLSearchParams, quote_plus).
  "percent-form": percent(/[A-Za-z0-9\-_.*]/, { plus: true }),
  "html-min": escaping(/[&<>"']/, (c) => HTML_MIN[c]!),
  // JSON.stringify, json.dumps(ensure_ascii=False) for ASCII values.
  // deno-lint-ignore no-control-regex
  json: escaping(/["\\\x00-\x1f]/, jsonChar),
  // PHP's json_encode: "/" escaped too.
  "json-slash": escaping(
    // deno-lint-ignore no-control-regex
    /["\\/\x00-\x1f]/,
    (c) => c === "/" ? "\\/" : jsonChar(c),
  ),
  // Every byte escaped.
  "percent-all": percent(/(?!)/),
  "percent-all-lower": percent(/(?!)/, { lower: true }),
  "html-decimal": escaping(/[^]/, (c) => `&#${c.charCodeAt(0)};`),
  "html-hex": escaping(/[^]/, (c) => `&#x${hex2(c.charCodeAt(0))};`),
  "json-unicode": escaping(/[^]/, (c) => `\\u00${hex2(c.charCodeAt(0))}`),
  "js-hex": escaping(/[^]/, (c) => `\\x${hex2(c.charCodeAt(0))}`),
};

/**
 * The base64 characters decided by `bytes` alone when they start at byte
 * `pad` of a longer encoded run (what surrounds them is unknown).
 */
function base64At(pad: number, url: boolean): Encoder {
  return (bytes) => {
    const encoded = btoa("\0".repeat(pad) + bytes);
    const first = Math.ceil((8 * pad) / 6);
    const last = Math.floor((8 * (pad + bytes.length)) / 6);
    const fragment = encoded.slice(first, Math.max(first, last));
    return url ? fragment.replaceAll("+", "-").replaceAll("/", "_") : fragment;
  };
}

/** Encodings that change the whole text, undone by no view: the forms end in one. */
export const BLOCK_ENCODERS: Record<string, Encoder> = {
  "base64@0": base64At(0, false),
  "base64@1": base64At(1, false),
  "base64@2": base64At(2, false),
  "base64url@0": base64At(0, true),
  "base64url@1": base64At(1, true),
  "base64url@2": base64At(2, true),
  hex: (bytes) => Array.from(bytes, (c) => hex2(c.charCodeAt(0))).join(""),
  "hex-upper": (bytes) =>
    Array.from(bytes, (c) => hex2(c.charCodeAt(0))).join("").toUpperCase(),
  "utf-16le": (bytes) => Array.from(bytes, (c) => c + "\0").join(""),
  "utf-16be": (bytes) => Array.from(bytes, (c) => "\0" + c).join(""),
};

/**
 * Every form of `bytes` through a chain of one to {@linkcode CHAIN_DEPTH}
 * encodings whose last is a block encoding, in ASCII lower case,
 * deduplicated, each at least 4 characters.
 *
 * @param bytes the value's UTF-8 bytes, one character per byte
 * @returns the forms
 */
export function chainForms(bytes: string): string[] {
  const all = [
    ...Object.values(ESCAPE_ENCODERS),
    ...Object.values(BLOCK_ENCODERS),
  ];
  // Every text reachable in up to CHAIN_DEPTH - 1 steps, to end in a block.
  let level = [bytes];
  const inner = new Set(level);
  for (let depth = 1; depth < CHAIN_DEPTH; depth++) {
    const next: string[] = [];
    for (const text of level) {
      for (const encode of all) {
        const encoded = encode(text);
        if (!inner.has(encoded)) inner.add(encoded), next.push(encoded);
      }
    }
    level = next;
  }
  const forms = new Set<string>();
  for (const text of inner) {
    for (const encode of Object.values(BLOCK_ENCODERS)) {
      const form = encode(text).toLowerCase();
      if (form.length >= 4) forms.add(form);
    }
  }
  return [...forms];
}
