import { HTTPException } from "hono/http-exception";

/**
 * Checks a string parameter's length.
 *
 * @param value the parameter
 * @param name its name, for the message
 * @param max the most characters allowed
 * @returns the value
 * @throws {HTTPException} 400 when empty or too long
 */
export function boundedParam(value: string, name: string, max: number): string {
  if (value === "" || value.length > max) {
    throw new HTTPException(400, {
      message: `"${name}" must be 1 to ${max} characters, got ${value.length}`,
    });
  }
  return value;
}

/**
 * Parses an optional non-negative integer parameter.
 *
 * @param value the parameter, if given
 * @param name its name, for the message
 * @param min the smallest value allowed
 * @param max the largest value allowed
 * @returns the number, or undefined when absent
 * @throws {HTTPException} 400 when present but not an integer in range
 */
export function integerParam(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d{1,16}$/.test(value) || number < min || number > max) {
    throw new HTTPException(400, {
      message: `"${name}" must be an integer from ${min} to ${max}, got ${
        JSON.stringify(value.slice(0, 40))
      }`,
    });
  }
  return number;
}
