/**
 * How long a brokered HTTP request may take: the skill's `timeout`, capped,
 * as one signal shared by the address check, every hop's fetch and the
 * body read, joined with the call's own abort signal.
 *
 * @module
 */

/** Default and longest time for one request, in seconds. */
export const DEFAULT_HTTP_TIMEOUT_S = 30;
const MAX_HTTP_TIMEOUT_S = 120;

/** The request's time limit. */
export interface Deadline {
  /** The limit in seconds, for messages. */
  seconds: number;
  /** Fires at the limit (tells a timeout from the call's abort). */
  timeout: AbortSignal;
  /** Fires at the limit or when the call ends. */
  signal: AbortSignal;
}

/**
 * Starts the request's clock.
 *
 * @param params the dispatch params (`timeout` in seconds)
 * @param callSignal aborts when the call ends
 * @returns the deadline
 */
export function requestDeadline(
  params: Record<string, unknown>,
  callSignal: AbortSignal | undefined,
): Deadline {
  const seconds = Math.min(
    MAX_HTTP_TIMEOUT_S,
    typeof params.timeout === "number" && params.timeout > 0
      ? params.timeout
      : DEFAULT_HTTP_TIMEOUT_S,
  );
  const timeout = AbortSignal.timeout(seconds * 1000);
  const signal = callSignal ? AbortSignal.any([callSignal, timeout]) : timeout;
  return { seconds, timeout, signal };
}
