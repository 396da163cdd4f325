/**
 * How the bench measures: timed repetitions, completion rates, and running
 * a command to its end.
 *
 * @module
 */

/** Runs `fn` `runs` times one after the other; each run's time in ms. */
export async function timed(
  fn: () => Promise<unknown>,
  runs: number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Completions per second of `task`, run by `parallel` loops for `ms`. */
export async function rate(
  parallel: number,
  ms: number,
  task: () => Promise<unknown>,
): Promise<number> {
  let done = 0;
  const deadline = performance.now() + ms;
  const start = performance.now();
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (performance.now() < deadline) {
      await task();
      done++;
    }
  }));
  return done / ((performance.now() - start) / 1000);
}

/** Runs `argv` with an empty environment and no output; throws if it fails. */
export async function run(argv: string[]): Promise<void> {
  const { success } = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "null",
    clearEnv: true,
  }).output();
  if (!success) throw new Error(`${argv.join(" ").slice(0, 200)} failed`);
}

/** Resolves after `ms`: pacing between samples, never synchronisation. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
