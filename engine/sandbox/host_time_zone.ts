/**
 * The host's `TZ`, passed into the sandbox so that local time inside is
 * the owner's. Read once; a value that is not a zone name or a POSIX TZ
 * rule (a path, `..`, control characters) is dropped.
 *
 * @module
 */

/** A zone name (`America/Chicago`) or a POSIX rule (`EST5EDT`, `CET-1CEST,M3.5.0,M10.5.0/3`). */
const TIME_ZONE = /^:?[A-Za-z0-9_+\-<>][A-Za-z0-9_+\-<>,.:/]{0,63}$/;

/**
 * Whether a `TZ` value may be passed into the sandbox.
 *
 * @param value the host's `TZ`
 * @returns true for a zone name or a POSIX rule
 */
export function isTimeZone(value: string): boolean {
  return TIME_ZONE.test(value) && !value.includes("..") &&
    !value.includes("//");
}

/**
 * The engine's `TZ`, or undefined when unset, unreadable or not a zone.
 *
 * @returns the value to set inside the sandbox
 */
export function hostTimeZone(): string | undefined {
  let value: string | undefined;
  try {
    value = Deno.env.get("TZ");
  } catch {
    return undefined; // no --allow-env=TZ: the sandbox keeps UTC
  }
  return value !== undefined && isTimeZone(value) ? value : undefined;
}
