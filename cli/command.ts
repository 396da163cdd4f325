import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { CliError } from "./exit_codes.ts";

/** Parsed arguments handed to a command. */
export interface CommandArgs {
  /** Option values by name. */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Positional arguments after the command name. */
  positionals: string[];
}

/** One `agentos` command, e.g. `engine start`. */
export interface Command {
  /** Words that select it, e.g. `engine start`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line(s) after `agentos `, e.g. `engine start [--foreground]`. */
  usage: string;
  /** Longer help: options, examples. */
  help?: string;
  /** Options besides `--help`. */
  options?: ParseArgsOptionsConfig;
  /** Runs the command and returns the exit code. */
  run(args: CommandArgs): Promise<number>;
}

/**
 * Parses a command's own arguments.
 *
 * @param command the command
 * @param argv the words after the command name
 * @returns the parsed arguments
 * @throws {CliError} for an unknown option or a missing value
 */
export function parseCommandArgs(
  command: Command,
  argv: string[],
): CommandArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (error) {
    throw new CliError(
      `${(error as Error).message.replace(/\. To specify.*$/s, "")}`,
      undefined,
      `See: agentos ${command.name} --help`,
    );
  }
}

/**
 * The help text of one command.
 *
 * @param command the command
 * @returns the text
 */
export function commandHelp(command: Command): string {
  const lines = [
    command.summary,
    "",
    "Usage:",
    ...command.usage.split("\n").map((line) => `  agentos ${line}`),
  ];
  if (command.help) lines.push("", command.help.trimEnd());
  return lines.join("\n");
}

/** The `--json` option most commands take. */
export const JSON_OPTION = { json: { type: "boolean" } } as const;
