/**
 * A response body crafted against the reflection guard: wide characters
 * (so the UTF-16 byte-pair views are read), percent escapes nested three
 * deep (each decoding round is as long as the last), HTML entities and
 * backslash escapes, and base64 and hex characters that keep the
 * automaton off its root. Used by the fairness test and the bench. And
 * one built against the guard's dense rows: near-misses of a known
 * value's forms (the automaton kept in its deep nodes) between the same
 * nested escapes; one against its deep branching nodes; and one of
 * escape starts that decode to nothing (every unit of every decoding
 * round is one the next round must look at).
 *
 * @module
 */
import { chainForms } from "../engine/broker/credentials/reflection_chains.ts";

/** The crafted body's repeating unit (a skill can build the body from it). */
export const CRAFTED_UNIT = "\u4e00%252525&amp;\\u0041QUJD0f9e";
const UNIT = CRAFTED_UNIT;

/**
 * The crafted body, about `bytes` bytes of UTF-8.
 *
 * @param bytes the size
 * @returns the text
 */
export function craftedBody(bytes: number): string {
  const unitBytes = new TextEncoder().encode(UNIT).length;
  return UNIT.repeat(Math.floor(bytes / unitBytes));
}

/**
 * A body built against the automaton's dense rows, for a value the
 * sender knows: each long form of the value cut one character short of
 * the automaton's patterns (96 characters) then a miss, so most of the
 * body is read from deep nodes, between nested escapes that make every
 * decoding round rewrite it. About `bytes` bytes of UTF-8.
 *
 * @param bytes the size
 * @param value the value whose forms the body nearly holds
 * @returns the text
 */
export function nearMissBody(bytes: number, value: string): string {
  const utf8 = String.fromCharCode(...new TextEncoder().encode(value));
  const misses = chainForms(utf8).filter((form) => form.length > 40)
    .map((form) => form.slice(0, Math.min(95, form.length - 1)) + "~" + UNIT)
    .join("");
  const unitBytes = new TextEncoder().encode(misses).length;
  return misses.repeat(Math.max(1, Math.floor(bytes / unitBytes)));
}

/**
 * A body built against the automaton's deep branching nodes, for a value
 * the sender knows: every stretch two forms share (16 characters or more,
 * past the dense rows) then a character neither continues with but other
 * patterns hold, so each stretch ends on a node with several children
 * that looks its edge up and falls back along its failure chain — between
 * the same nested escapes. About `bytes` bytes of UTF-8.
 *
 * @param bytes the size
 * @param value the value whose forms the body nearly holds
 * @returns the text
 */
export function branchBody(bytes: number, value: string): string {
  const utf8 = String.fromCharCode(...new TextEncoder().encode(value));
  const forms = chainForms(utf8).sort();
  const parts: string[] = [];
  for (let i = 1; i < forms.length; i++) {
    const [a, b] = [forms[i - 1]!, forms[i]!];
    let shared = 0;
    while (shared < a.length && a[shared] === b[shared]) shared++;
    if (shared < 16 || shared >= 95) continue;
    const next = new Set([a[shared], b[shared]]);
    const miss = [..."0123456789abcdefghijklmnopqrstuvwxyz"].find((c) =>
      !next.has(c)
    )!;
    parts.push(a.slice(0, shared) + miss);
  }
  const unit = parts.join("") + UNIT;
  const unitBytes = new TextEncoder().encode(unit).length;
  return unit.repeat(Math.max(1, Math.floor(bytes / unitBytes)));
}

/**
 * A body built against the decoding rounds' skipping: `%` and `&` in
 * turn (each starts no escape, so each stays in every round's view and
 * each is one a next round must look at), with a percent escape nested
 * three deep now and then so every round decodes something and runs.
 * About `bytes` bytes of UTF-8.
 *
 * @param bytes the size
 * @returns the text
 */
export function escapeStartBody(bytes: number): string {
  const unit = "%252525" + "&%".repeat(60);
  return unit.repeat(Math.max(1, Math.floor(bytes / unit.length)));
}

/**
 * A server echoing a templated request as densely as `bytes` bytes hold
 * it: the value whole, again and again, in the forms a request carries
 * it in and an echo hands back — raw, percent-encoded (component, form,
 * every byte), JSON- and HTML-escaped, base64 and base64url (of the
 * value and of `user:value`, as a Basic header), hex, UTF-16 — one a
 * line. Every line is a find (the guard's most replacements per byte).
 *
 * @param bytes the size
 * @param value the value echoed
 * @returns the text
 */
export function echoBody(bytes: number, value: string): string {
  const utf8 = String.fromCharCode(...new TextEncoder().encode(value));
  const b64 = (s: string) => btoa(s);
  const hex = (s: string) =>
    Array.from(s, (c) => c.charCodeAt(0).toString(16).padStart(2, "0"))
      .join("");
  const forms = [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    Array.from(utf8, (c) => "%" + hex(c).toUpperCase()).join(""),
    JSON.stringify(value).slice(1, -1),
    value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
    b64(utf8),
    b64(utf8).replaceAll("+", "-").replaceAll("/", "_"),
    b64("user:" + utf8),
    hex(utf8),
    Array.from(value, (c) => c + "\0").join(""),
  ];
  const unit = forms.join("\n") + "\n";
  const unitBytes = new TextEncoder().encode(unit).length;
  return unit.repeat(Math.max(1, Math.floor(bytes / unitBytes)));
}
