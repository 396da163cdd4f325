/**
 * Waiting in tests without the risk of hanging: every wait has a deadline
 * and fails naming what it waited for. The deadlines guard against a hang
 * (a planted bug must fail the test, not stall the suite); no assertion
 * depends on them.
 *
 * @module
 */

/** How long a wait lasts before it fails, unless told otherwise. */
export const WAIT_MS = 30_000;

/** Options for {@linkcode waitFor} and {@linkcode within}. */
export interface WaitOptions {
  /** Give up after this many milliseconds (default {@linkcode WAIT_MS}). */
  timeoutMs?: number;
  /** Poll every this many milliseconds (default 25; `waitFor` only). */
  intervalMs?: number;
}

/**
 * Polls until `check` returns a value other than undefined/false.
 *
 * @param what names the condition in the failure message
 * @param check the condition
 * @param options deadline and poll interval
 * @returns what `check` returned
 * @throws {Error} "Timed out waiting for <what>" past the deadline
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? WAIT_MS;
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) =>
      setTimeout(resolve, options.intervalMs ?? 25)
    );
  }
}

/**
 * Awaits a promise, failing if it has not settled by the deadline (the
 * promise itself is left to settle on its own).
 *
 * @param what names what the promise stands for, in the failure message
 * @param promise the promise
 * @param options the deadline
 * @returns what the promise resolved to
 * @throws {Error} "Timed out waiting for <what>" past the deadline
 */
export async function within<T>(
  what: string,
  promise: Promise<T>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? WAIT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
