import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { CliError } from "./exit_codes.ts";
import { didYouMean } from "../engine/mod.ts";

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
 * `--sort -key` as `--sort=-key`: a string option's value may start with a
 * dash (a descending sort) as long as it is not itself one of the options.
 */
function joinDashValues(command: Command, argv: string[]): string[] {
  const options = command.options ?? {};
  const known = new Set([
    "--help",
    "-h",
    ...Object.entries(options).flatMap(([name, option]) => [
      `--${name}`,
      ...(option.short ? [`-${option.short}`] : []),
    ]),
  ]);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const next = argv[i + 1];
    const option = word.startsWith("--") ? options[word.slice(2)] : undefined;
    if (
      option?.type === "string" && next !== undefined &&
      /^-[^-]/.test(next) && !known.has(next)
    ) {
      out.push(`${word}=${next}`);
      i++;
    } else {
      out.push(word);
    }
  }
  return out;
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
      args: joinDashValues(command, argv),
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    const most = maxPositionals(command);
    if (!values.help && positionals.length > most) {
      throw new TypeError(
        `Unexpected argument "${positionals[most]}": ${command.name} takes ${
          most === 0 ? "none" : `at most ${most}`
        }`,
      );
    }
    return { values, positionals };
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify.*$/s, "");
    throw new CliError(
      message + optionNearby(command, message),
      undefined,
      usageHint(command),
    );
  }
}

/** For an unknown option, the command's option nearest to it: ` (did you mean "--json"?)`. */
function optionNearby(command: Command, message: string): string {
  const unknown = /^Unknown option '(-{1,2}[^'=]+)/.exec(message)?.[1];
  if (unknown === undefined) return "";
  const names = [...Object.keys(command.options ?? {}), "help"].map((name) =>
    `--${name}`
  );
  return didYouMean(unknown, names);
}

/**
 * The usage lines and where to read more, for a refused command line.
 *
 * @param command the command
 * @returns the hint
 */
export function usageHint(command: Command): string {
  return [
    ...command.usage.split("\n").map((line, i) =>
      `${i === 0 ? "Usage:" : "      "} agentos ${line}`
    ),
    `See: agentos ${command.name} --help`,
  ].join("\n");
}

/**
 * The most positional arguments a command's usage lines show: `<x>`,
 * `[<x>]`, `[x-json]` and `-` (stdin) count; options and their values do not.
 *
 * @param command the command
 * @returns the largest count over its usage lines
 */
export function maxPositionals(command: Command): number {
  return Math.max(
    ...command.usage.split("\n").map((line) => {
      const words = line.replace(/\s{2,}\(.*$/, "").slice(command.name.length);
      // `[<key=value>...]`: any number.
      if (/\.\.\.\]/.test(words)) return Infinity;
      return (words.match(/\[[^\]]*\]|\S+/g) ?? []).filter((token) =>
        /^<[^>]+>$/.test(token) || /^\[<[^>]+>\]$/.test(token) ||
        /^\[[^-][^\]]*\]$/.test(token) || token === "-"
      ).length;
    }),
  );
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
