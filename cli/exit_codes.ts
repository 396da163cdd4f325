/** Exit codes of the `agentos` CLI (docs/architecture.md, `cli/`). */
export enum ExitCode {
  /** Success. */
  Ok = 0,
  /** Any error, including bad usage. */
  Error = 1,
  /** The engine is not running or does not answer. */
  Unreachable = 2,
  /** Another engine holds the lock. */
  Locked = 3,
}

/** An error that ends the command with a given exit code and message. */
export class CliError extends Error {
  /** The exit code to end with. */
  readonly exitCode: ExitCode;
  /** An optional second line telling the user what to do. */
  readonly hint?: string;

  /**
   * @param message what failed
   * @param exitCode the exit code
   * @param hint what to do about it
   * @param options the error that caused it
   */
  constructor(
    message: string,
    exitCode = ExitCode.Error,
    hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad command-line input: ends with exit code 1 and the command's usage. */
export class UsageError extends CliError {
  /** @param message what was wrong with the input */
  constructor(message: string) {
    super(message, ExitCode.Error);
    this.name = "UsageError";
  }
}
