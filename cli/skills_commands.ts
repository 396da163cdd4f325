import { requireArg } from "./args.ts";
import type { Command } from "./command.ts";
import { callerPath } from "./caller_path.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printTable } from "./output.ts";

const JSON_OPTION = { json: { type: "boolean" } } as const;

interface Problem {
  file: string;
  line: number | null;
  reason: string;
}

interface SkillView {
  id: string;
  name: string;
  description: string;
  origin: string;
  dir: string;
  enabled: boolean;
  needs: string[];
  connections: { name: string; base_url: string | null }[];
  egress: { hosts: string[]; domains: string[]; openWeb: boolean };
  grants: { hosts: string[]; openWeb: boolean; byDefault: boolean };
  secrets: string;
  credentials: {
    connection: string | null;
    domains: string[];
    stored: string | null;
  }[];
  tools: {
    name: string;
    description: string;
    params: { name: string; type: string | null; required: boolean }[];
    provides: string[];
    returns: unknown;
    timeout: number | null;
    tests: unknown[];
  }[];
  problems: Problem[];
}

/** `agentos skills list`. */
export const skillsList: Command = {
  name: "skills list",
  summary: "List installed skills with their tools, capabilities and problems",
  usage: "skills list [--json]",
  help: `Shows every skill (bundled and added), whether it is enabled, what it
declares it needs, the capabilities it provides, whether it gets credentials
masked (placeholders) or as real values (it declares secrets), then each
skill's egress set (declared hosts and domains, and what the owner granted),
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
        "provides",
        "secrets",
        "description",
      ],
      skills.map((s) => [
        s.id,
        s.enabled ? "yes" : "no",
        s.origin,
        s.needs.join(", "),
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
        s.credentials.filter((c) => c.stored).map((c) =>
          `${c.connection ?? s.id}: ${c.stored}`
        ).join(", ") || "-",
      ]),
    );
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
    const broken = skills.filter((s) => s.problems.length > 0);
    if (broken.length > 0) {
      print();
      print("Problems:");
      for (const skill of broken) {
        for (const p of skill.problems) {
          print(
            `  ${skill.id}: ${p.file}${
              p.line ? `:${p.line}` : ""
            }: ${p.reason}`,
          );
        }
      }
    }
    return ExitCode.Ok;
  },
};

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
  const text = parts.join(", ") || "-";
  return skill.grants.byDefault && parts.length > 0
    ? `${text} (bundled default)`
    : text;
}

function grantCommand(allow: boolean): Command {
  const verb = allow ? "allow" : "disallow";
  return {
    name: `skills ${verb}`,
    summary: allow
      ? "Let a skill reach a host (or, if it declares open_web, any public host)"
      : "Take back a host or open web access granted to a skill",
    usage: `skills ${verb} <skill> <host>\nskills ${verb} <skill> --open-web`,
    help: allow
      ? `A granted host is reached exactly as named (no subdomains) and may be a
private address (a service on your network or this machine), which skills
otherwise never reach. --open-web lets a skill that declares open_web in its
readme reach any public host. Grants persist; see them in skills list.

Examples:
  agentos skills allow my-skill api.example.com
  agentos skills allow openai-compatible localhost
  agentos skills allow web-reader --open-web`
      : `Examples:
  agentos skills disallow my-skill api.example.com
  agentos skills disallow web-reader --open-web`,
    options: { "open-web": { type: "boolean" }, ...JSON_OPTION },
    async run({ values, positionals }) {
      const skill = requireArg(positionals, 0, "skill");
      const host = positionals[1];
      const openWeb = values["open-web"] === true;
      if ((host === undefined) === !openWeb) {
        throw new CliError(
          `Give a host or --open-web`,
          ExitCode.Error,
          `See: agentos skills ${verb} --help`,
        );
      }
      const out = await callEngine<{
        skill: string;
        grants: { hosts: string[]; openWeb: boolean };
      }>(
        `skills.${verb}`,
        openWeb ? { skill, open_web: true } : { skill, host },
      );
      if (values.json) {
        printJson(out);
        return ExitCode.Ok;
      }
      const what = openWeb ? "the open web" : `host ${host}`;
      print(
        allow
          ? `Skill ${out.skill} may now reach ${what}`
          : `Skill ${out.skill} may no longer reach ${what}`,
      );
      const now = [
        ...out.grants.hosts,
        ...(out.grants.openWeb ? ["open web"] : []),
      ];
      print(`Granted: ${now.join(", ") || "(nothing)"}`);
      return ExitCode.Ok;
    },
  };
}

/** `agentos skills allow`. */
export const skillsAllow: Command = grantCommand(true);
/** `agentos skills disallow`. */
export const skillsDisallow: Command = grantCommand(false);

/** `agentos skills add`. */
export const skillsAdd: Command = {
  name: "skills add",
  summary: "Add a skill directory (a snapshot of its readme.md and .py files)",
  usage: "skills add <dir> [--json]",
  help:
    `The engine reads the directory inside the sandbox and keeps a copy of its
readme.md and .py files in $AGENTOS_HOME/skills/<id>/. Edited the skill?
Add it again to update the copy. A relative path is relative to where you
run agentos.

Example:
  agentos skills add ./my-skill`,
  options: JSON_OPTION,
  async run({ values, positionals }) {
    const dir = callerPath(requireArg(positionals, 0, "dir"));
    const added = await callEngine<{
      id: string;
      updated: boolean;
      tools: string[];
      problems: Problem[];
    }>("skills.add", { path: dir.length > 1 ? dir.replace(/\/+$/, "") : dir });
    if (values.json) {
      printJson(added);
      return ExitCode.Ok;
    }
    print(
      `${added.updated ? "Updated" : "Added"} skill ${added.id} (tools: ${
        added.tools.join(", ") || "none"
      })`,
    );
    for (const p of added.problems) {
      print(`  problem: ${p.file}${p.line ? `:${p.line}` : ""}: ${p.reason}`);
    }
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

/** `agentos skills run`. */
export const skillsRun: Command = {
  name: "skills run",
  summary: "Run one tool of one skill and print its result",
  usage: "skills run <skill> <tool> [params-json] [--no-remember] [--json]",
  help: `Runs the tool in a fresh sandboxed worker. Records it returns under
@returns("shape") are written to the graph unless --no-remember.

Options:
  --no-remember  Do not write the returned records to the graph
  --json         Print {result, records, callId, ms}

Example:
  agentos skills run web-reader read_page '{"url": "https://example.com/"}'`,
  options: { ...JSON_OPTION, "no-remember": { type: "boolean" } },
  async run({ values, positionals }) {
    const skill = requireArg(positionals, 0, "skill");
    const tool = requireArg(positionals, 1, "tool");
    const params = parseJsonObject(positionals[2], "params");
    const run = await callEngine<{
      result: unknown;
      records: { created: number; updated: number; warnings: string[] };
    }>("skills.run", {
      skill,
      tool,
      params,
      remember: !values["no-remember"],
    });
    if (values.json) {
      printJson(run);
      return ExitCode.Ok;
    }
    printJson(run.result);
    const { created, updated, warnings } = run.records;
    if (created + updated + warnings.length > 0) {
      print(`Records: ${created} created, ${updated} updated`);
      for (const warning of warnings) print(`  warning: ${warning}`);
    }
    return ExitCode.Ok;
  },
};

/** `agentos skills test`. */
export const skillsTest: Command = {
  name: "skills test",
  summary: "Run a skill's @test cases and print pass/fail per case",
  usage:
    "skills test <skill> [--tool T] [--record FILE | --replay FILE] [--json]",
  help:
    `Runs each @test case of the skill's tools (or of one tool) in the sandbox,
without writing records. A case passes when the tool returns without error
(and its result has no top-level "_error"). To test against local servers,
map the origins the skill calls: agentos prefs set http.origin_map '{...}'.

Options:
  --record FILE  Save every brokered HTTP response of the run to FILE
                 (credentials never appear in it)
  --replay FILE  Answer every request from FILE, with no network at all; a
                 request that was not recorded fails its case

Exit codes: 0 all passed, 1 a case failed.`,
  options: {
    ...JSON_OPTION,
    tool: { type: "string" },
    record: { type: "string" },
    replay: { type: "string" },
  },
  async run({ values, positionals }) {
    const skill = requireArg(positionals, 0, "skill");
    if (values.record !== undefined && values.replay !== undefined) {
      throw new CliError("Give --record or --replay, not both");
    }
    let replay: unknown;
    if (typeof values.replay === "string") {
      try {
        replay = JSON.parse(await Deno.readTextFile(values.replay));
      } catch (error) {
        throw new CliError(
          `Cannot read the recording "${values.replay}": ${
            (error as Error).message
          }`,
        );
      }
    }
    const report = await callEngine<{
      cases: {
        tool: string;
        case: number;
        status: string;
        ms?: number;
        error?: string;
        reason?: string;
      }[];
      passed: number;
      failed: number;
      skipped: number;
      recording?: { exchanges: unknown[] };
      unrecorded?: { method: string; url: string }[];
    }>("skills.test", {
      skill,
      tool: values.tool,
      ...(values.record !== undefined ? { record: true } : {}),
      ...(replay !== undefined ? { replay } : {}),
    });
    if (typeof values.record === "string" && report.recording) {
      await Deno.writeTextFile(
        values.record,
        JSON.stringify(report.recording, null, 2) + "\n",
        { mode: 0o600 },
      );
    }
    const { recording, ...shown } = report;
    if (values.json) printJson(shown);
    else {
      printTable(
        ["tool", "case", "status", "ms", "detail"],
        report.cases.map((c) => [
          c.tool,
          c.case,
          c.status,
          c.ms,
          c.error ?? c.reason ?? "",
        ]),
      );
      print(
        `\n${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`,
      );
      if (recording && typeof values.record === "string") {
        print(
          `Recorded ${recording.exchanges.length} responses to ${values.record}`,
        );
      }
      for (const miss of report.unrecorded ?? []) {
        print(`Not recorded: ${miss.method} ${miss.url}`);
      }
    }
    return report.failed > 0 ? ExitCode.Error : ExitCode.Ok;
  },
};

/** Every `agentos skills` command. */
export const SKILLS_COMMANDS: Command[] = [
  skillsList,
  skillsAdd,
  skillsRemove,
  skillsEnable,
  skillsDisable,
  skillsRun,
  skillsTest,
  skillsAllow,
  skillsDisallow,
];

function parseJsonObject(
  text: string | undefined,
  what: string,
): Record<string, unknown> {
  if (text === undefined || text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `The ${what} are not valid JSON: ${(error as Error).message}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CliError(`The ${what} must be a JSON object, got ${text}`);
  }
  return value as Record<string, unknown>;
}
