/**
 * A response body crafted against the reflection guard: wide characters
 * (so the UTF-16 byte-pair views are read), percent escapes nested three
 * deep (each decoding round is as long as the last), HTML entities and
 * backslash escapes, and base64 and hex characters that keep the
 * automaton off its root. Used by the fairness test and the bench.
 *
 * @module
 */

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
