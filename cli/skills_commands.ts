import { requireArg } from "./args.ts";
import { type Command, JSON_OPTION } from "./command.ts";
import { callerPath } from "./caller_path.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { escapeControls, print, printJson, printTable } from "./output.ts";
import {
  printProblems,
  problemSummary,
  refusedProblems,
  type SkillProblem,
} from "./skill_problems.ts";
import { skillsNew, skillsValidate } from "./skills_author_commands.ts";
import { skillsAllow, skillsDisallow } from "./skills_grant_commands.ts";
import { skillsRun, skillsTest } from "./skills_run_commands.ts";
import { skillsDeps } from "./skills_deps_command.ts";
import { type LocalAccessView, printLocalAccess } from "./skills_host_grant.ts";

interface SkillView extends LocalAccessView {
  id: string;
  name: string;
  description: string;
  origin: string;
  dir: string;
  enabled: boolean;
  needs: string[];
  uses: string[];
  connections: { name: string; base_url: string | null }[];
  egress: { hosts: string[]; domains: string[]; openWeb: boolean };
  grants: { hosts: string[]; openWeb: boolean; byDefault: boolean };
  secrets: string;
  /** Keychain items the readme declares, and whether the owner granted each. */
  keychain?: { item: string; granted: boolean }[];
  credentials: {
    connection: string | null;
    domains: string[];
    stored: string | null;
    /** The connection declares auth (a credential is needed to use it). */
    needed?: boolean;
    /** How to store it. */
    command?: string;
    /** A credential stored for other skills, not shared with this one. */
    not_shared?: string;
    /** How to share it. */
    allow_command?: string;
  }[];
  /** Domains whose stored credential the owner allowed it. */
  credentials_allowed?: string[];
  tools: {
    name: string;
    description: string;
    params: { name: string; type: string | null; required: boolean }[];
    provides: string[];
    returns: unknown;
    timeout: number | null;
    tests: unknown[];
  }[];
  problems: SkillProblem[];
  /** Python packages it needs (null: none). */
  packages?: {
    requires: string[];
    inferred: boolean;
    state: string;
    command?: string;
  } | null;
}

/** `agentos skills list`. */
export const skillsList: Command = {
  name: "skills list",
  summary: "List installed skills with their tools, capabilities and problems",
  usage: "skills list [--json]",
  help: `Shows every skill (bundled and added), whether it is enabled, what it
declares it needs, the capabilities it may call (uses), the capabilities it
provides, whether it gets credentials
masked (placeholders) or as real values (only once you granted them with
skills allow <skill> --secrets; declaring secrets alone does not), then each
skill's egress set (declared hosts and domains, and what the owner granted:
hosts, open web, keychain items), 
each tool's parameters (name: type, * = required), what it returns and its
time limit, and every problem found in a skill's source with file and line.

Options:
  --json   Print {skills: [...]} as the engine returns it`,
  options: JSON_OPTION,
  async run({ values }) {
    const { skills } = await callEngine<{ skills: SkillView[] }>("skills.list");
    if (values.json) {
      printJson({ skills });
      return ExitCode.Ok;
    }
    printTable(
      [
        "id",
        "enabled",
        "origin",
        "needs",
        "uses",
        "provides",
        "secrets",
        "description",
      ],
      skills.map((s) => [
        s.id,
        s.enabled ? "yes" : "no",
        s.origin,
        s.needs.join(", "),
        s.uses.join(", "),
        [...new Set(s.tools.flatMap((t) => t.provides))].join(", "),
        s.secrets,
        s.description,
      ]),
    );
    print();
    printTable(
      ["skill", "egress", "granted", "credentials"],
      skills.map((s) => [
        s.id,
        egressText(s),
        grantsText(s),
        credentialsText(s),
      ]),
    );
    printLocalAccess(skills);
    const tools = skills.flatMap((s) => s.tools.map((t) => ({ skill: s, t })));
    if (tools.length > 0) {
      print();
      printTable(
        ["skill", "tool", "params", "returns", "timeout", "tests"],
        tools.map(({ skill, t }) => [
          skill.id,
          t.name,
          t.params.map((p) =>
            `${p.name}${p.required ? "*" : ""}${p.type ? `: ${p.type}` : ""}`
          ).join(", "),
          typeof t.returns === "string"
            ? t.returns
            : t.returns
            ? "(inline schema)"
            : "",
          t.timeout === null ? "30s" : `${t.timeout}s`,
          t.tests.length,
        ]),
      );
    }
    printPackages(skills);
    const broken = skills.filter((s) => s.problems.length > 0);
    if (broken.length > 0) {
      print();
      print("Problems:");
      for (const skill of broken) {
        for (const p of skill.problems) {
          print(escapeControls(
            `  ${skill.id}: ${p.file}${
              p.line ? `:${p.line}` : ""
            }: ${p.reason}`,
          ));
        }
      }
    }
    return ExitCode.Ok;
  },
};

/** Skills whose Python packages are not installed, with the one command that installs them. */
function printPackages(skills: SkillView[]): void {
  const missing = skills.filter((s) => s.packages?.command);
  if (missing.length === 0) return;
  print();
  print("Packages not installed:");
  for (const skill of missing) {
    const p = skill.packages!;
    print(escapeControls(
      `  ${skill.id}: ${p.requires.join(", ")}${
        p.inferred ? " (from its imports)" : ""
      }; install with: ${p.command}`,
    ));
  }
}

/** Each connection's credential: the domain it was found under, or `missing`; `-` when none is needed. */
function credentialsText(skill: SkillView): string {
  return skill.credentials.map((c) => {
    const name = c.connection ?? skill.id;
    if (c.stored) return `${name}: ${c.stored}`;
    if (c.not_shared) {
      // Stored for other skills; the full command is in --json.
      return `${name}: not shared (skills allow --credential ${c.not_shared})`;
    }
    return c.needed ? `${name}: missing (${c.command})` : "";
  }).filter((text) => text !== "").join(", ") || "-";
}

function egressText(skill: SkillView): string {
  const parts = [
    ...skill.egress.hosts,
    ...skill.egress.domains.map((d) => `*.${d}`),
  ];
  if (skill.egress.openWeb) parts.push("open web (declared)");
  return parts.join(", ") || "-";
}

function grantsText(skill: SkillView): string {
  const parts = [...skill.grants.hosts];
  if (skill.grants.openWeb) parts.push("open web");
  for (const { item, granted } of skill.keychain ?? []) {
    parts.push(
      `keychain ${JSON.stringify(item)}${
        granted ? "" : " (declared, not granted)"
      }`,
    );
  }
  const text = parts.join(", ") || "-";
  return skill.grants.byDefault && parts.length > 0
    ? `${text} (bundled default)`
    : text;
}

/** `agentos skills add`. */
export const skillsAdd: Command = {
  name: "skills add",
  summary: "Add a skill directory (a snapshot of its readme.md and .py files)",
  usage: "skills add <dir> [--force] [--replace] [--json]",
  help: `The engine reads the directory inside the sandbox, runs the checks of
agentos skills validate, and keeps a copy of its readme.md and .py files in
$AGENTOS_HOME/skills/<id>/. Edited the skill? Add it again to update the
copy. A relative path is relative to where you run agentos.

A skill whose id is already installed from another folder is refused unless
you pass --replace; the replaced skill's grants of hosts, programs, paths,
secrets and keychain items are dropped (grant them again with agentos skills
allow), the stored credentials it was allowed stay allowed (the same skill,
upgraded), and the stored credentials the new skill's connections will use
are listed. A stored credential is used only by the skills allowed to use it:
one stored for other skills is named with the command that shares it
(agentos skills allow <id> --credential <domain>). A capability that another skill already
provides gets the new skill after the existing providers, until you prefer
it with agentos prefs set capability.<name> <id>.

Options:
  --force    Add the skill even when no tool of it can run
  --replace  Replace a skill with the same id added from another folder
  --json     Print {id, updated, replaced?, credentials, credentials_not_shared,
             deferred, tools, problems}

A skill is refused only when it cannot run at all (no tool, or an error
stops every tool); otherwise it is added, its errors and warnings printed
and the stopped tools marked unavailable — the same rule skills.add applies
for every caller.

Exit codes: 0 added (problems are printed), 1 the skill cannot run at all (nothing added).

Example:
  agentos skills add ./my-skill`,
  options: {
    ...JSON_OPTION,
    force: { type: "boolean" },
    replace: { type: "boolean" },
  },
  async run({ values, positionals }) {
    const dir = callerPath(requireArg(positionals, 0, "dir"));
    let added: {
      id: string;
      updated: boolean;
      replaced?: { dir: string; credentials_kept?: string[] };
      credentials: string[];
      credentials_not_shared?: string[];
      deferred: { capability: string; after: string[] }[];
      tools: string[];
      problems: SkillProblem[];
    };
    try {
      added = await callEngine("skills.add", {
        path: dir.length > 1 ? dir.replace(/\/+$/, "") : dir,
        force: values.force === true,
        replace: values.replace === true,
      });
    } catch (error) {
      const problems = refusedProblems(error);
      if (problems === undefined) throw error;
      if (values.json) printJson({ added: false, problems });
      else printProblems(problems, dir);
      throw new CliError(
        `Not added: the skill cannot run at all (${problemSummary(problems)})`,
        ExitCode.Error,
        "Fix them and add it again, or add it anyway: agentos skills add --force " +
          positionals[0],
      );
    }
    if (values.json) {
      printJson(added);
      return ExitCode.Ok;
    }
    print(escapeControls(
      `${
        added.replaced ? "Replaced" : added.updated ? "Updated" : "Added"
      } skill ${added.id} (tools: ${added.tools.join(", ") || "none"})`,
    ));
    if (added.replaced) {
      const kept = added.replaced.credentials_kept ?? [];
      print(escapeControls(
        `  replaced the skill added from ${added.replaced.dir}; its grants of hosts, programs, paths, secrets and keychain items were dropped${
          kept.length > 0
            ? `; the stored credentials it was allowed stay allowed: ${
              kept.join(", ")
            }`
            : ""
        }`,
      ));
    }
    // Say which stored credentials this skill's connections will be given,
    // so nothing is used silently.
    if (added.replaced || added.credentials.length > 0) {
      print(
        `  stored credentials its connections will use: ${
          escapeControls(added.credentials.join(", ") || "none")
        }`,
      );
    }
    // And which were stored for other skills: not shared until allowed.
    for (const domain of added.credentials_not_shared ?? []) {
      print(escapeControls(
        `  the credential stored for ${domain} is not shared with it until you allow it: agentos skills allow ${added.id} --credential ${domain}`,
      ));
    }
    for (const d of added.deferred) {
      print(escapeControls(
        `  provides ${d.capability}, which ${
          d.after.join(", ")
        } already provide: it is tried after them; to prefer it run: agentos prefs set capability.${d.capability} ${added.id}`,
      ));
    }
    printProblems(added.problems, dir);
    return ExitCode.Ok;
  },
};

/** `agentos skills remove`. */
export const skillsRemove: Command = {
  name: "skills remove",
  summary: "Remove an added skill (the records it wrote stay)",
  usage: "skills remove <id>",
  async run({ positionals }) {
    const { id } = await callEngine<{ id: string }>("skills.remove", {
      id: requireArg(positionals, 0, "id"),
    });
    print(`Removed skill ${id}`);
    return ExitCode.Ok;
  },
};

function toggle(enable: boolean): Command {
  const verb = enable ? "enable" : "disable";
  return {
    name: `skills ${verb}`,
    summary: enable
      ? "Enable a skill"
      : "Disable a skill: it cannot run or provide capabilities",
    usage: `skills ${verb} <id>`,
    async run({ positionals }) {
      const { id } = await callEngine<{ id: string }>(`skills.${verb}`, {
        id: requireArg(positionals, 0, "id"),
      });
      print(`Skill ${id} ${verb}d`);
      return ExitCode.Ok;
    },
  };
}

/** `agentos skills enable`. */
export const skillsEnable: Command = toggle(true);
/** `agentos skills disable`. */
export const skillsDisable: Command = toggle(false);

/** Every `agentos skills` command. */
export const SKILLS_COMMANDS: Command[] = [
  skillsList,
  skillsNew,
  skillsValidate,
  skillsAdd,
  skillsRemove,
  skillsEnable,
  skillsDisable,
  skillsRun,
  skillsTest,
  skillsDeps,
  skillsAllow,
  skillsDisallow,
];
