/**
 * Timing two or more things in turn (A B A B …, the order flipped every
 * other round), so that drift and other work on the host fall on each
 * side alike instead of on whichever block ran at the bad moment.
 *
 * @module
 */
import { pause } from "./measure.ts";

/**
 * Times each of two tasks once per round, `rounds` times, in turn.
 *
 * @param rounds how many samples of each
 * @param tasks the two things to time
 * @param gapMs a pause before each sample (e.g. for a spare pool to refill)
 * @returns each task's samples in ms, in the order of `tasks`
 */
export async function interleaved(
  rounds: number,
  tasks: [() => Promise<unknown>, () => Promise<unknown>],
  gapMs = 0,
): Promise<[number[], number[]]> {
  const samples: [number[], number[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    const order = tasks.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      if (gapMs > 0) await pause(gapMs);
      const start = performance.now();
      await tasks[i]!();
      samples[i as 0 | 1].push(performance.now() - start);
    }
  }
  return samples;
}
