import { join } from "node:path";
import { exists, requireArg } from "./args.ts";
import { callerPath } from "./caller_path.ts";
import { type Command, JSON_OPTION } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson } from "./output.ts";
import { NEW_SKILL_ID, scaffoldFiles } from "./skill_scaffold.ts";
import {
  printProblems,
  problemSummary,
  type SkillProblem,
} from "./skill_problems.ts";

/** `agentos skills validate`. */
export const skillsValidate: Command = {
  name: "skills validate",
  summary: "Check a skill directory without adding it (file:line per problem)",
  usage: "skills validate [<dir>] [--json]",
  help:
    `Reads the skill in the sandbox as skills add would, and checks: the readme's
front matter (id, name, known keys); syntax; each tool is async, takes
**params, has a docstring and @returns; a @returns shape exists and the keys
the tool returns are its fields or relations; @test parameters match the
tool; imports the sandbox cannot serve (requests, socket, subprocess...);
SDK calls without await; time.sleep in async code; tool name collisions;
capabilities the code uses (http, sql, crypto) are declared in the readme.
skills add runs the same checks and refuses a skill with errors.

<dir> defaults to the current directory. Needs a running engine.

Options:
  --json   Print {id, tools, problems}

Exit codes: 0 no errors (warnings may be printed), 1 errors found.`,
  options: JSON_OPTION,
  async run({ values, positionals }) {
    const dir = callerPath(positionals[0] ?? ".");
    const out = await callEngine<
      { id: string; tools: string[]; problems: SkillProblem[] }
    >("skills.validate", { path: dir.replace(/(.)\/+$/, "$1") });
    const errors = out.problems.filter((p) => p.severity === "error");
    if (values.json) printJson(out);
    else {
      printProblems(out.problems, positionals[0]);
      print(
        `${out.id}: ${out.tools.length} tool${
          out.tools.length === 1 ? "" : "s"
        } (${out.tools.join(", ") || "none"}); ${problemSummary(out.problems)}`,
      );
    }
    return errors.length > 0 ? ExitCode.Error : ExitCode.Ok;
  },
};

/** `agentos skills new`. */
export const skillsNew: Command = {
  name: "skills new",
  summary: "Write a new skill to start from: readme, one tool with a test",
  usage: "skills new <id> [--dir DIR]",
  help:
    `Writes <id>/ (or DIR) with a readme.md whose front matter names the skill,
<id>.py with one tool that calls an API through a connection and has a
@test, and fixtures/search.recording.json so the test runs offline:

  agentos skills new my-skill
  cd my-skill
  agentos skills validate
  agentos skills add .
  agentos skills test my-skill --replay fixtures/search.recording.json

Options:
  --dir DIR  Where to write it (default ./<id>); must not exist`,
  options: { dir: { type: "string" } },
  async run({ values, positionals }) {
    const id = requireArg(positionals, 0, "id");
    if (!NEW_SKILL_ID.test(id)) {
      throw new CliError(
        `"${id}" is not a skill id: use lowercase letters, digits, "-" and "_", starting with a letter or digit, at most 64 characters (the rule skills add applies)`,
      );
    }
    const dir = callerPath((values.dir as string | undefined) ?? id);
    if (exists(dir)) {
      throw new CliError(`"${dir}" already exists; not overwriting it`);
    }
    for (const [path, text] of Object.entries(scaffoldFiles(id))) {
      const file = join(dir, path);
      await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), {
        recursive: true,
      });
      await Deno.writeTextFile(file, text, { createNew: true });
    }
    print(`Wrote skill ${id} in ${dir}`);
    print(`Next: cd ${values.dir ?? id} && agentos skills validate`);
    return ExitCode.Ok;
  },
};
