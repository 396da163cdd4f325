/**
 * How hard a stored value is to find by trying candidates, for the rule
 * that keeps the reflection guard from answering guesses.
 *
 * The guard replaces a value wherever it appears in a response the skill
 * reads, whatever put it there — so a masked skill that posts every
 * candidate to an echo of the value's own domain learns the one that came
 * back replaced. That costs one candidate per guess: 10⁴ four-digit PINs
 * fit in one request, 10⁶ six-digit ones in two. A value whose candidates
 * cannot be sent in any practical number of requests gives nothing away;
 * a smaller one is never used for, nor searched for, a masked skill (it
 * goes only through a skill the owner granted `--secrets`).
 *
 * @module
 */

/**
 * Candidates below 2^36 (about 69 billion; at 12 bytes each, 800 GB of
 * requests) are taken as within reach: eleven digits, eight letters, or
 * seven letters and digits are past it.
 */
export const GUESS_MIN_BITS = 36;

/**
 * The bits of the value's candidate space: its length times the bits of
 * the character classes it draws from. Letters count once whatever their
 * case, since the guard matches without case.
 *
 * @param value the stored value
 * @returns log2 of the number of candidates of its length and classes
 */
export function guessBits(value: string): number {
  let size = 0;
  if (/[0-9]/.test(value)) size += 10;
  if (/[a-z]/i.test(value)) size += 26;
  if (/[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(value)) size += 33;
  if (/[^\x20-\x7e]/.test(value)) size += 128;
  return [...value].length * Math.log2(Math.max(size, 2));
}

/**
 * Whether a masked skill could find the value by posting candidates.
 *
 * @param value the stored value
 * @returns true when its candidate space is below {@linkcode GUESS_MIN_BITS}
 */
export function withinGuessReach(value: string): boolean {
  return guessBits(value) < GUESS_MIN_BITS;
}
