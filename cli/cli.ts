import { didYouMean, RpcError, VERSION } from "../engine/mod.ts";
import {
  type Command,
  commandHelp,
  parseCommandArgs,
  usageHint,
} from "./command.ts";
import { CliError, ExitCode, UsageError } from "./exit_codes.ts";
import { indent, print, printError, printHint, printJson } from "./output.ts";

/**
 * Routes argv to the command whose name matches the most leading words,
 * handling `--help`, `--version` and errors with the documented exit codes.
 *
 * @param commands every command
 * @param argv the arguments after `agentos`
 * @returns the exit code
 */
export async function runCli(
  commands: Command[],
  argv: string[],
): Promise<number> {
  if (
    argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" ||
    argv[0] === "help"
  ) {
    print(overview(commands, argv.length === 0 ? [] : argv.slice(1)));
    return argv.length === 0 ? ExitCode.Error : ExitCode.Ok;
  }
  if (argv[0] === "--version" || argv[0] === "-V") {
    print(`agentos ${VERSION}`);
    return ExitCode.Ok;
  }
  const words = argv.filter((word) => !word.startsWith("-"));
  const command = findCommand(commands, argv);
  if (!command) {
    const group = commands.filter((c) => c.name.startsWith(`${words[0]} `));
    if (group.length > 0) {
      const wantsHelp = argv.includes("--help") || argv.includes("-h");
      if (wantsHelp) {
        print(overview(group, []));
        return ExitCode.Ok;
      }
      const typed = words.slice(0, 2).join(" ");
      printError(
        words.length > 1
          ? `Unknown command "${typed}"${
            didYouMean(typed, group.map((c) => c.name))
          }`
          : `"${words[0]}" needs a subcommand`,
      );
      printHint(overview(group, []));
      return ExitCode.Error;
    }
    const word = words[0] ?? argv[0]!;
    const names = [...new Set(commands.map((c) => c.name.split(" ")[0]!))];
    printError(`Unknown command "${word}"${didYouMean(word, names)}`);
    printHint("See: agentos --help");
    return ExitCode.Error;
  }
  const rest = [...argv];
  for (const word of command.name.split(" ")) {
    rest.splice(rest.indexOf(word), 1);
  }
  // Asked for JSON: errors too are JSON on stdout, even a refused command line.
  const wantsJson = "json" in (command.options ?? {}) &&
    rest.includes("--json");
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values.help) {
      print(commandHelp(command));
      return ExitCode.Ok;
    }
    return await command.run(args);
  } catch (error) {
    const code = reportError(error, command);
    if (wantsJson) printJson({ error: errorJson(error, code) });
    return code;
  }
}

/**
 * The command an argv names: the one whose name matches the most leading
 * words (options left aside).
 *
 * @param commands every command
 * @param argv the arguments after `agentos`
 * @returns the command, or undefined
 */
export function findCommand(
  commands: Command[],
  argv: string[],
): Command | undefined {
  const words = argv.filter((word) => !word.startsWith("-"));
  return commands
    .filter((c) => c.name.split(" ").every((word, i) => words[i] === word))
    .sort((a, b) => b.name.length - a.name.length)[0];
}

/** Prints a command's error on stderr, with its hint; returns the exit code. */
function reportError(error: unknown, command: Command): ExitCode {
  if (error instanceof CliError) {
    printError(error.message);
    if (error.cause instanceof RpcError) printSkillFailure(error.cause);
    if (error instanceof UsageError) printHint(usageHint(command));
    else if (error.hint) printHint(error.hint);
    return error.exitCode;
  }
  if (error instanceof RpcError) {
    printError(`${error.message} (code ${error.code})`);
    printSkillFailure(error);
    return ExitCode.Error;
  }
  printError(`Unexpected error: ${(error as Error).stack ?? error}`);
  return ExitCode.Error;
}

/**
 * A command's error as `--json` prints it: the engine's error (code,
 * message, data) when there is one, the message otherwise, with the exit
 * code and the hint.
 */
function errorJson(
  error: unknown,
  exitCode: ExitCode,
): Record<string, unknown> {
  const rpc = error instanceof RpcError
    ? error
    : error instanceof CliError && error.cause instanceof RpcError
    ? error.cause
    : undefined;
  const hint = error instanceof CliError ? error.hint : undefined;
  return {
    message: (error as Error).message ?? String(error),
    ...(rpc ? rpc.toJSON() : {}),
    exitCode,
    ...(hint ? { hint } : {}),
  };
}

/**
 * What a failed skill call left behind, on stderr: the skill's traceback
 * (its own frames) and the last lines it printed.
 */
function printSkillFailure(error: RpcError): void {
  const data = error.data as
    | { traceback?: unknown; output?: unknown }
    | undefined;
  if (typeof data?.traceback === "string" && data.traceback.trim() !== "") {
    printHint(data.traceback.trimEnd());
  }
  if (typeof data?.output === "string" && data.output.trim() !== "") {
    printHint("The skill printed (last lines):");
    printHint(indent(data.output.trimEnd()));
  }
}

function overview(commands: Command[], topic: string[]): string {
  const shown = topic.length === 0
    ? commands
    : commands.filter((c) => c.name.startsWith(topic.join(" ")));
  const width = Math.max(...shown.map((c) => c.name.length));
  return [
    "agentos — the AgentOS engine's command line",
    "",
    "Usage: agentos <command> [options]   (every command takes --help)",
    "",
    "Commands:",
    ...shown.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Exit codes: 0 ok, 1 error, 2 engine unreachable, 3 another engine holds the lock.",
    "Home: $AGENTOS_HOME, else ~/.agentos",
  ].join("\n");
}
