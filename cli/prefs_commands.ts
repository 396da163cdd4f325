import type { Command } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printPairs } from "./output.ts";

/** `agentos prefs get`. */
export const prefsGet: Command = {
  name: "prefs get",
  summary: "Show a preference (all of them without a key)",
  usage: "prefs get [<key>] [--json]",
  help: `Known keys:
  capability.<name>   The skill preferred for a capability (e.g. capability.llm)
  http.origin_map     {"https://api.example.com": "http://127.0.0.1:8080"}:
                      send a skill's requests for an origin elsewhere`,
  options: { json: { type: "boolean" } },
  async run({ values, positionals }) {
    const key = positionals[0];
    if (key === undefined) {
      const { prefs } = await callEngine<{ prefs: Record<string, unknown> }>(
        "prefs.list",
      );
      if (values.json) printJson(prefs);
      else if (Object.keys(prefs).length === 0) print("(no preferences set)");
      else printPairs(Object.entries(prefs));
      return ExitCode.Ok;
    }
    const { value } = await callEngine<{ value: unknown }>("prefs.get", {
      key,
    });
    if (values.json) printJson(value);
    else if (value === null) print("(not set)");
    else print(typeof value === "string" ? value : JSON.stringify(value));
    return ExitCode.Ok;
  },
};

/** `agentos prefs set`. */
export const prefsSet: Command = {
  name: "prefs set",
  summary: "Set a preference (null unsets it)",
  usage: "prefs set <key> <value>",
  help:
    `The value is read as JSON when it parses as JSON, else as a plain string.

Examples:
  agentos prefs set capability.llm openai-compatible
  agentos prefs set http.origin_map '{"https://api.example.com": "http://127.0.0.1:8080"}'
  agentos prefs set capability.llm null`,
  async run({ positionals }) {
    const [key, raw] = positionals;
    if (!key || raw === undefined || positionals.length > 2) {
      throw new CliError(
        "Expected a key and a value",
        ExitCode.Error,
        "See: agentos prefs set --help",
      );
    }
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // A plain string, e.g. a skill id.
    }
    await callEngine("prefs.set", { key, value });
    print(value === null ? `Unset ${key}` : `Set ${key}`);
    return ExitCode.Ok;
  },
};

/** Every `agentos prefs` command. */
export const PREFS_COMMANDS: Command[] = [prefsGet, prefsSet];
