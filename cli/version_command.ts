import { isCompiled, VERSION } from "../engine/mod.ts";
import { type Command, JSON_OPTION } from "./command.ts";
import { ExitCode } from "./exit_codes.ts";
import { print, printJson } from "./output.ts";

/** `agentos version`: what `--version` prints, and the runtime under it. */
export const versionCommand: Command = {
  name: "version",
  summary: "Print the AgentOS version (and Deno's)",
  usage: "version [--json]",
  help: `The first line is what agentos --version prints.

Example:
  agentos version --json`,
  options: { ...JSON_OPTION },
  run({ values }) {
    const info = {
      version: VERSION,
      deno: Deno.version.deno,
      compiled: isCompiled(),
    };
    if (values.json) printJson(info);
    else {
      print(`agentos ${VERSION}`);
      print(`deno ${info.deno}${info.compiled ? " (compiled in)" : ""}`);
    }
    return Promise.resolve(ExitCode.Ok);
  },
};
