import { callerPath } from "./caller_path.ts";
import { requireArg } from "./args.ts";
import { type Command, JSON_OPTION } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { ExitCode } from "./exit_codes.ts";
import { print, printHint, printJson } from "./output.ts";

interface Lock {
  skill: string;
  requires: string[];
  wheels: { file: string; sha256: string }[];
  dir: string;
}

/** `agentos skills deps`. */
export const skillsDeps: Command = {
  name: "skills deps",
  summary:
    "Install the Python packages a skill declares or imports (wheels only)",
  usage: "skills deps <skill> [--find-links DIR] [--index-url URL] [--json]",
  help:
    `A skill lists its packages in its readme (requires: [lxml==5.2.1]); when
it lists none, they are inferred from its imports outside the standard
library (an import under try/except ImportError is optional and left out),
by the import's name or, where the distribution is named otherwise, by the
map in docs/skills.md (yaml -> PyYAML, bs4 -> beautifulsoup4, PIL -> Pillow…).
This installs them with pip as wheels only (--only-binary :all:: nothing is built,
so no package code runs at install time) into
$AGENTOS_HOME/skill-packages/<skill>/<hash>/, named by the hash of the exact
wheels, with a lock file (lock.json) beside it. The skill's workers see that
directory read-only; no other skill does. The index is your pip
configuration unless you pass one.

  --find-links DIR   install from a directory of wheels, asking no index
  --index-url URL    the package index to ask

Example:
  agentos skills deps curl --find-links ./wheels`,
  options: {
    ...JSON_OPTION,
    "find-links": { type: "string" },
    "index-url": { type: "string" },
  },
  async run({ values, positionals }) {
    const skill = requireArg(positionals, 0, "skill");
    const findLinks = values["find-links"] as string | undefined;
    if (!values.json) printHint(`Installing the packages of ${skill}…`);
    const lock = await callEngine<Lock>("skills.deps", {
      skill,
      ...(findLinks
        ? {
          find_links: /^https?:\/\//.test(findLinks)
            ? findLinks
            : callerPath(findLinks),
        }
        : {}),
      ...(values["index-url"] ? { index_url: values["index-url"] } : {}),
    });
    if (values.json) {
      printJson(lock);
      return ExitCode.Ok;
    }
    print(
      `Installed ${lock.wheels.length} wheel(s) for ${lock.skill} (${
        lock.requires.join(", ")
      }) in skill-packages/${lock.skill}/${lock.dir}`,
    );
    for (const wheel of lock.wheels) {
      print(`  ${wheel.file}  sha256:${wheel.sha256.slice(0, 16)}…`);
    }
    return ExitCode.Ok;
  },
};
