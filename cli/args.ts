import { UsageError } from "./exit_codes.ts";

/**
 * A required positional argument.
 *
 * @param positionals the command's positionals
 * @param index which one
 * @param name its name in the usage line
 * @returns the value
 * @throws {CliError} naming the missing argument
 */
export function requireArg(
  positionals: string[],
  index: number,
  name: string,
): string {
  const value = positionals[index];
  if (value === undefined || value === "") {
    throw new UsageError(`Missing <${name}>`);
  }
  return value;
}

/**
 * An integer option, refused unless it is one within bounds.
 *
 * @param values the parsed options
 * @param name the option's name
 * @param bounds the smallest and largest accepted value
 * @returns the number, or undefined when the option was not given
 * @throws {CliError} naming the option, the value and the bounds
 */
export function intOption(
  values: Record<string, unknown>,
  name: string,
  bounds: { min: number; max: number },
): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (
    typeof text !== "string" || !/^-?\d+$/.test(text.trim()) ||
    value < bounds.min || value > bounds.max
  ) {
    const flag = name.length === 1 ? `-${name}` : `--${name}`;
    throw new UsageError(
      `${flag} must be a whole number from ${bounds.min} to ${bounds.max}, got "${text}"`,
    );
  }
  return value;
}

/**
 * Whether something exists at a path (without following a final symlink).
 * Only "not found" counts as absent: not being allowed to look is no proof.
 *
 * @param path the path
 * @returns false only when nothing is there
 */
export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    return !(error instanceof Deno.errors.NotFound);
  }
}
