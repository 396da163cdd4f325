/**
 * "Did you mean": the known word nearest to a mistyped one. Imports nothing.
 *
 * @module
 */

/**
 * The candidate nearest to a word by edit distance, when near enough to be
 * a slip (at most a third of the word's letters).
 *
 * @param word what was typed
 * @param candidates what exists
 * @returns the nearest candidate, or undefined
 */
export function closest(
  word: string,
  candidates: Iterable<string>,
): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  if (best === undefined) return undefined;
  if (bestDistance <= limit) return best;
  // A plural or a prefix (tasks -> task, graph lis -> list).
  const lower = word.toLowerCase();
  const b = best.toLowerCase();
  return lower.startsWith(b) || b.startsWith(lower) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  // Optimal string alignment: a swap of neighbours counts as one edit.
  const d = Array.from(
    { length: a.length + 1 },
    (_, i) => [i, ...Array(b.length).fill(0)] as number[],
  );
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + cost,
      );
      if (
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]
      ) {
        value = Math.min(value, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * ` (did you mean "x"?)` for the nearest candidate, or "" when none is near.
 *
 * @param word what was typed
 * @param candidates what exists
 * @returns the phrase to append to an error message
 */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const near = closest(word, candidates);
  return near === undefined ? "" : ` (did you mean "${near}"?)`;
}
