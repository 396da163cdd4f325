import { CliError, ExitCode } from "./exit_codes.ts";

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
    throw new CliError(`Missing <${name}>`, ExitCode.Error, "See --help");
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
