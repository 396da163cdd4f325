import { requireArg } from "./args.ts";
import { callerPath } from "./caller_path.ts";
import { type Command, JSON_OPTION } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { indent, print, printHint, printJson, printTable } from "./output.ts";
import { printProblems, type SkillProblem } from "./skill_problems.ts";

/** `agentos skills run`. */
export const skillsRun: Command = {
  name: "skills run",
  summary: "Run one tool of one skill and print its result",
  usage:
    "skills run <skill> <tool> [params-json | <key=value>...] [--no-remember] [--json]",
  help: `Runs the tool in a fresh sandboxed worker. Records it returns under
@returns("shape") are written to the graph unless --no-remember. Warnings
(values not converted, child records dropped) go to stderr, with or
without --no-remember.

Parameters are one JSON object, or words: key=value gives a string,
key:=value a JSON value (number, true, list, object).

Options:
  --no-remember  Do not write the returned records to the graph
  --json         Print {result, records, callId, ms}

Examples:
  agentos skills run web-reader read_page '{"url": "https://example.com/"}'
  agentos skills run web-reader read_page url=https://example.com/ max_chars:=2000`,
  options: { ...JSON_OPTION, "no-remember": { type: "boolean" } },
  async run({ values, positionals }) {
    const skill = requireArg(positionals, 0, "skill");
    const tool = requireArg(positionals, 1, "tool");
    const params = parseParams(positionals.slice(2));
    // --json: an error is printed as JSON on stdout by runCli.
    const run = await callEngine<{
      result: unknown;
      records: { created: number; updated: number; warnings: string[] };
      output?: string;
      notice?: string;
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
    // Only the result goes to stdout (it may be piped); the rest to stderr.
    const { created, updated, warnings } = run.records;
    if (values["no-remember"] && warnings.length > 0) {
      printHint("Records: not remembered (--no-remember); had they been:");
    } else if (created + updated + warnings.length > 0) {
      printHint(`Records: ${created} created, ${updated} updated`);
    }
    for (const warning of warnings) printHint(`  warning: ${warning}`);
    if (run.output) {
      printHint("The skill printed (last lines):");
      printHint(indent(run.output.trimEnd()));
    }
    if (run.notice) printHint(run.notice);
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
(and its result has no top-level "_error") and its records meet the case's
expect={...} (shape, min_count, values; see docs/skills.md). The warnings
its records would raise (values not converted, child records dropped) are
printed with each case. To test against local servers,
map the origins the skill calls: agentos prefs set http.origin_map '{...}'.

Options:
  --record FILE  Save every brokered HTTP response of the run to FILE
                 (credentials never appear in it)
  --replay FILE  Answer every request from FILE, with no network at all; a
                 request that was not recorded fails its case

Exit codes: 0 all passed, 1 a case failed or the skill has errors (see
agentos skills validate).`,
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
    const recordFile = typeof values.record === "string"
      ? callerPath(values.record)
      : undefined;
    const replayFile = typeof values.replay === "string"
      ? callerPath(values.replay)
      : undefined;
    const replay = replayFile !== undefined
      ? await readRecording(replayFile)
      : undefined;
    const report = await callEngine<TestReport>("skills.test", {
      skill,
      tool: values.tool,
      ...(values.record !== undefined ? { record: true } : {}),
      ...(replay !== undefined ? { replay } : {}),
    });
    if (recordFile !== undefined && report.recording) {
      await Deno.writeTextFile(
        recordFile,
        JSON.stringify(report.recording, null, 2) + "\n",
        { mode: 0o600 },
      );
    }
    const { recording: _, ...shown } = report;
    const problems = report.problems ?? [];
    if (values.json) printJson(shown);
    else printTestReport(report, recordFile);
    return report.failed > 0 || problems.length > 0
      ? ExitCode.Error
      : ExitCode.Ok;
  },
};

/** What `skills.test` answers. */
interface TestReport {
  cases: {
    tool: string;
    case: number;
    status: string;
    ms?: number;
    error?: string;
    reason?: string;
    traceback?: string;
    output?: string;
    warnings?: string[];
  }[];
  problems?: SkillProblem[];
  passed: number;
  failed: number;
  skipped: number;
  recording?: { exchanges: unknown[] };
  unrecorded?: { method: string; url: string }[];
}

/** A recording given with `--replay`, parsed. */
async function readRecording(replayFile: string): Promise<unknown> {
  try {
    return JSON.parse(await Deno.readTextFile(replayFile));
  } catch (error) {
    throw new CliError(
      `Cannot read the recording "${replayFile}": ${(error as Error).message}`,
    );
  }
}

/** The report for a person: problems, the table of cases, each case's reason in full, the totals. */
function printTestReport(
  report: TestReport,
  recordFile: string | undefined,
): void {
  const problems = report.problems ?? [];
  printProblems(problems);
  printTable(
    ["tool", "case", "status", "ms"],
    report.cases.map((c) => [c.tool, c.case, c.status, c.ms]),
  );
  // Reasons in full, below the table: a clipped reason hides the cause.
  for (const c of report.cases) {
    const why = c.error ?? c.reason;
    const warnings = c.warnings ?? [];
    if (!why && !c.traceback && warnings.length === 0) continue;
    print(`\n${c.tool} case ${c.case} ${c.status}: ${why ?? ""}`);
    for (const warning of warnings) print(`  warning: ${warning}`);
    if (c.traceback) print(indent(c.traceback.trimEnd()));
    if (c.output) {
      print("  The skill printed (last lines):");
      print(indent(indent(c.output.trimEnd())));
    }
  }
  print(
    `\n${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped${
      problems.length > 0
        ? `; the skill has ${problems.length} problem${
          problems.length === 1 ? "" : "s"
        } (see agentos skills validate)`
        : ""
    }`,
  );
  if (report.recording && recordFile !== undefined) {
    print(
      `Recorded ${report.recording.exchanges.length} responses to ${recordFile}`,
    );
  }
  for (const miss of report.unrecorded ?? []) {
    print(`Not recorded: ${miss.method} ${miss.url}`);
  }
}

/** One JSON object, or `key=value` / `key:=json` words. */
function parseParams(words: string[]): Record<string, unknown> {
  if (words.length === 1 && /^\s*(\{|$)/.test(words[0]!)) {
    return parseJsonObject(words[0], "params");
  }
  const params: Record<string, unknown> = {};
  for (const word of words) {
    const match = /^([A-Za-z_][\w.-]*)(:?=)(.*)$/s.exec(word);
    if (!match) {
      throw new CliError(
        `"${word}" is not a parameter: give key=value, key:=json, or one JSON object`,
      );
    }
    const [, key, sign, text] = match as unknown as [
      string,
      string,
      string,
      string,
    ];
    if (sign === "=") {
      params[key] = text;
      continue;
    }
    try {
      params[key] = JSON.parse(text);
    } catch (error) {
      throw new CliError(
        `"${word}": ${key}:= takes JSON, and "${text}" is not valid JSON (${
          (error as Error).message
        }); for a string use ${key}=${text}`,
      );
    }
  }
  return params;
}

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
