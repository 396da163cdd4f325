import { requireArg } from "./args.ts";
import { type Command, JSON_OPTION } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { ExitCode } from "./exit_codes.ts";
import { print, printJson, printPairs } from "./output.ts";

/** `agentos prefs get`. */
export const prefsGet: Command = {
  name: "prefs get",
  summary: "Show a preference (all of them without a key)",
  usage: "prefs get [<key>] [--json]",
  help: `agentos prefs list shows every key the engine reads, what it means and
its default.`,
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
Unknown keys and values that cannot work (a skill that does not provide the
capability, a port out of range) are refused; agentos prefs list shows the
keys.

Examples:
  agentos prefs set capability.llm openai-compatible
  agentos prefs set http.origin_map '{"https://api.example.com": "http://127.0.0.1:8080"}'
  agentos prefs set capability.llm null`,
  async run({ positionals }) {
    const key = requireArg(positionals, 0, "key");
    const raw = requireArg(positionals, 1, "value");
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

/** `agentos prefs list`. */
export const prefsList: Command = {
  name: "prefs list",
  summary: "Show every preference the engine reads: value, default, meaning",
  usage: "prefs list [--json]",
  options: JSON_OPTION,
  async run({ values }) {
    const { keys } = await callEngine<{
      keys: {
        key: string;
        meaning: string;
        default: unknown;
        value: unknown;
      }[];
    }>("prefs.keys");
    if (values.json) {
      printJson({ keys });
      return ExitCode.Ok;
    }
    const shown = (value: unknown) =>
      value === null
        ? "(not set)"
        : typeof value === "string"
        ? value
        : JSON.stringify(value);
    for (const pref of keys) {
      print(pref.key);
      print(`  ${pref.meaning}`);
      print(`  default: ${shown(pref.default)}`);
      print(`  value:   ${shown(pref.value)}`);
    }
    return ExitCode.Ok;
  },
};

/** Every `agentos prefs` command. */
export const PREFS_COMMANDS: Command[] = [prefsList, prefsGet, prefsSet];
