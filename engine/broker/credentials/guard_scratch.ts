/**
 * The large typed arrays one search of the reflection guard writes its
 * views into, kept on this thread for the next search. A fresh array of
 * megabytes is mapped and faulted in page by page as it is first written
 * (about a fifth of a 5 MiB body's search when each search allocated its
 * own); a kept one is written straight away.
 *
 * One search at a time per thread (the guard is synchronous): it takes
 * arrays with {@linkcode takeUnits} and {@linkcode takeInts}, and
 * {@linkcode giveBack} returns them all. Arrays are handed out with stale
 * contents: the guard reads only what it wrote. At most
 * {@linkcode KEPT_BYTES} stay kept between searches.
 *
 * @module
 */

/** Bytes kept between searches on one thread, at most. */
export const KEPT_BYTES = 64 * 1024 * 1024;

/** Smallest array made (small texts share a few small arrays). */
const MIN_LENGTH = 4096;

const free16: Uint16Array[] = [];
const free32: Int32Array[] = [];
const taken16: Uint16Array[] = [];
const taken32: Int32Array[] = [];

/** The smallest array in `free` of `length` or more, taken out of it. */
function bestFit<T extends { length: number }>(
  free: T[],
  length: number,
): T | undefined {
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    const size = free[i]!.length;
    if (size >= length && (best < 0 || size < free[best]!.length)) best = i;
  }
  return best < 0 ? undefined : free.splice(best, 1)[0];
}

/**
 * Code units for one search (contents stale).
 *
 * @param length how many
 * @returns an array of exactly `length` units
 */
export function takeUnits(length: number): Uint16Array {
  const array = bestFit(free16, length) ??
    new Uint16Array(Math.max(MIN_LENGTH, length));
  taken16.push(array);
  return array.subarray(0, length);
}

/**
 * 32-bit integers for one search (contents stale).
 *
 * @param length how many
 * @returns an array of exactly `length` integers
 */
export function takeInts(length: number): Int32Array {
  const array = bestFit(free32, length) ??
    new Int32Array(Math.max(MIN_LENGTH, length));
  taken32.push(array);
  return array.subarray(0, length);
}

/** Returns every array taken, keeping the smallest up to {@linkcode KEPT_BYTES}. */
export function giveBack(): void {
  free16.push(...taken16.splice(0));
  free32.push(...taken32.splice(0));
  const all: ArrayBufferView[] = [...free16, ...free32];
  all.sort((a, b) => a.byteLength - b.byteLength);
  let bytes = 0;
  const keep = new Set<ArrayBufferView>();
  for (const array of all) {
    if (bytes + array.byteLength > KEPT_BYTES) break;
    bytes += array.byteLength;
    keep.add(array);
  }
  for (const free of [free16, free32] as ArrayBufferView[][]) {
    const kept = free.filter((array) => keep.has(array));
    free.splice(0, free.length, ...kept);
  }
}

/**
 * Drops every kept array (the next search allocates its own, as a
 * thread's first search does): for the bench's cold figure.
 */
export function dropKept(): void {
  free16.length = 0;
  free32.length = 0;
}
