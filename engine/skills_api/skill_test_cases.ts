/**
 * Runs a skill's declared test cases (`skills.test`): each case is a call
 * of its tool with the case's parameters, through the tape when the run
 * records or replays HTTP. A case fails when the call fails, returns an
 * `_error`, misses the replay, or its records miss the case's `expect`;
 * the warnings its records would raise (values not converted, children
 * dropped) are reported with it.
 *
 * @module
 */
import { RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type { HttpTape } from "../broker/mod.ts";
import {
  expectProblems,
  returnedRecords,
  type SkillEntry,
  testLeavesOut,
  type ToolInfo,
  unmetExpectations,
} from "../skills/mod.ts";
import type { RunRequest, SkillRunner } from "../workers/mod.ts";

/** One case's outcome, as `skills.test` reports it. */
export type TestCase = Record<string, unknown>;

/** What {@linkcode runTestCases} runs. */
export interface TestRun {
  skill: SkillEntry;
  /** The tools whose cases run, in order. */
  tools: ToolInfo[];
  tape: HttpTape | undefined;
  /** The request's cancellation and progress. */
  callOptions: Pick<RunRequest, "signal" | "onProgress">;
}

type ToolCase = ToolInfo["tests"][number];

/**
 * Runs every case of every tool, one at a time; a tool marked to skip
 * reports one skipped case, and so does a case that leaves out a
 * parameter its tool requires.
 *
 * @param runner the skill runner
 * @param run the skill, its tools, the tape and the request's options
 * @returns the cases' outcomes, in order
 * @throws what a call throws that is not an RpcError
 */
export async function runTestCases(
  runner: SkillRunner,
  run: TestRun,
): Promise<TestCase[]> {
  const cases: TestCase[] = [];
  for (const tool of run.tools) {
    if (tool.test_skip) {
      cases.push({
        tool: tool.name,
        case: 0,
        status: "skipped",
        reason: tool.test_skip.reason,
      });
      continue;
    }
    for (const [index, testCase] of tool.tests.entries()) {
      // A case that cannot run as written is skipped, saying why.
      const cannot = testLeavesOut(tool, testCase);
      cases.push(
        cannot !== undefined
          ? { tool: tool.name, case: index, status: "skipped", reason: cannot }
          : await runTestCase(runner, run, tool, index, testCase),
      );
    }
  }
  return cases;
}

async function runTestCase(
  runner: SkillRunner,
  { skill, tape, callOptions }: TestRun,
  tool: ToolInfo,
  index: number,
  testCase: ToolCase,
): Promise<TestCase> {
  const started = performance.now();
  const missesBefore = tape?.misses.length ?? 0;
  try {
    const run = await runner.run({
      skill: skill.id,
      tool: tool.name,
      params: isObject(testCase.params) ? testCase.params : {},
      remember: false,
      tape,
      ...callOptions,
    });
    // A skill that swallowed a replay miss still fails its case.
    return caseOutcome(tool, index, testCase, run, tape?.misses[missesBefore]);
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    return {
      tool: tool.name,
      case: index,
      params: testCase.params,
      status: "failed",
      ms: Math.round(performance.now() - started),
      error: error.message,
      ...failureDetail(error.data),
    };
  }
}

/**
 * A case whose call returned: passed, or failed by `_error`, a replay miss
 * or an unmet `expect`; the warnings its records would raise go with it.
 */
function caseOutcome(
  tool: ToolInfo,
  index: number,
  testCase: ToolCase,
  run: { result: unknown; ms: number; records?: { warnings: string[] } },
  miss: HttpTape["misses"][number] | undefined,
): TestCase {
  const result = run.result;
  const warnings = run.records?.warnings ?? [];
  const error = miss
    ? `Replay has no recorded response for ${miss.method} ${miss.url}`
    : isObject(result) && "_error" in result
    ? String(result._error)
    : expectationError(tool, testCase, result);
  return {
    tool: tool.name,
    case: index,
    params: testCase.params,
    status: error === undefined ? "passed" : "failed",
    ms: run.ms,
    ...(error === undefined ? {} : { error }),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** Why the case's records miss its `expect`, or undefined when they meet it (or it has none). */
function expectationError(
  tool: ToolInfo,
  testCase: ToolCase,
  result: unknown,
): string | undefined {
  if (testCase.expect === undefined) return undefined;
  const problems = expectProblems(testCase.expect);
  const unmet = problems.length > 0 ? problems : unmetExpectations(
    testCase.expect as Record<string, unknown>,
    returnedRecords(result, tool.returns),
  );
  return unmet.length > 0 ? unmet.join("; ") : undefined;
}

/** The traceback and printed output a failed call's error carries. */
function failureDetail(data: unknown): Record<string, string> {
  if (!isObject(data)) return {};
  const out: Record<string, string> = {};
  for (const key of ["traceback", "output"]) {
    if (typeof data[key] === "string") out[key] = data[key] as string;
  }
  return out;
}
