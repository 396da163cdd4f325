/**
 * A record's keys and values as the graph accepts them: a key is 1 to 128
 * printable characters; a value is coerced to its field's type, loses NUL
 * characters (SQLite text ends at NUL) and is dropped above 1 MiB. Every
 * change or drop is a warning with the value's path.
 *
 * @module
 */
import { type Coerced, coerceValue } from "../shapes/mod.ts";

/** Largest single value, in UTF-16 code units of its text or JSON form. */
export const MAX_VALUE_CHARS = 1024 * 1024;
// deno-lint-ignore no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f]/;

/** Longest value key. */
export const MAX_KEY_CHARS = 128;

/**
 * Coerces one value to its field (or by JSON type without one).
 *
 * @param key the value's key
 * @param raw the value as written
 * @param field its field, if a shape declares one
 * @param path where the record sits (`items[2].`), for warnings
 * @param warnings receives what was changed or dropped
 * @returns the value to store, or undefined when it is dropped
 */
export function coerceRecordValue(
  key: string,
  raw: unknown,
  field: Parameters<typeof coerceValue>[2],
  path: string,
  warnings: string[],
): Coerced | undefined {
  const coerced = coerceValue(key, raw, field);
  if (coerced.warning) warnings.push(`${path}${key}: ${coerced.warning}`);
  if (typeof coerced.value === "string" && coerced.value.includes("\u0000")) {
    // SQLite text ends at NUL; keep the rest rather than lose it silently.
    coerced.value = coerced.value.replaceAll("\u0000", "");
    warnings.push(`${path}${key}: NUL characters removed`);
  }
  if (
    typeof coerced.value === "string" &&
    coerced.value.length > MAX_VALUE_CHARS
  ) {
    warnings.push(
      `${path}${key}: value of ${coerced.value.length} characters exceeds the limit of ${MAX_VALUE_CHARS}; dropped`,
    );
    return undefined;
  }
  return coerced;
}

/**
 * Whether a key may be stored; a warning when not.
 *
 * @param key the key
 * @param path where the record sits, for the warning
 * @param warnings receives the warning
 * @returns true for 1 to 128 printable characters
 */
export function validRecordKey(
  key: string,
  path: string,
  warnings: string[],
): boolean {
  if (
    key.length > 0 && key.length <= MAX_KEY_CHARS && !CONTROL_CHARS.test(key)
  ) return true;
  warnings.push(
    `${path}${
      JSON.stringify(key.slice(0, 40))
    }: invalid key (1 to ${MAX_KEY_CHARS} printable characters); dropped`,
  );
  return false;
}
