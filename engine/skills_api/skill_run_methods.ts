/**
 * The `skills.*` verbs that run skill code: `skills.run` (one tool call)
 * and `skills.test` (a skill's declared test cases, optionally recording
 * or replaying its HTTP). Both need a sandbox.
 *
 * @module
 */
import { didYouMean } from "../closest_word.ts";
import { ErrorCode, invalidParams, RpcError } from "../errors.ts";
import { type MethodTable, param, type RequestContext } from "../rpc/mod.ts";
import { type ClientModel, HttpTape } from "../broker/mod.ts";
import type { SkillEntry, ToolInfo } from "../skills/mod.ts";
import type { RunRequest } from "../workers/mod.ts";
import type { SkillsHandlerContext } from "./skills_context.ts";
import { booleanParam, skillParam } from "./skill_params.ts";
import { runTestCases, type TestCase } from "./skill_test_cases.ts";
import { placeholderNotice } from "./placeholder_notice.ts";
import type { OnceGrants } from "./once_grants.ts";

/**
 * `skills.run {remember?, skill, tool, params?}` and `skills.test {skill,
 * tool?, record?, replay?}`.
 *
 * @param ctx the skill runtime and what the handlers share
 */
export function skillRunMethods(ctx: SkillsHandlerContext): MethodTable {
  return {
    "skills.run": ctx.needsSandbox({
      remember: booleanParam(true),
      skill: param.string(),
      tool: param.string(),
      params: param.optionalObject(),
      // The proxy's client declared sampling: `llm` may ask its model.
      clientModel: booleanParam(false),
      // An owner's one-call grant, from approvals.answer (allow_once).
      once: param.optionalString(100),
    }, (params, request) => runSkill(ctx, params, request)),
    "skills.test": ctx.needsSandbox({
      skill: skillParam(ctx.registry),
      tool: param.optionalString(),
      record: param.raw(),
      replay: param.raw(),
    }, (params, request) => testSkill(ctx, params, request)),
  };
}

/**
 * The cancellation and progress of one request, for the skill calls it makes.
 *
 * @param request the request
 * @param clientModel the model of the MCP client that made it, if it offers one
 * @returns its signal, progress sent as `skills.progress` notifications,
 *   and the client's model
 */
export function callOptions(
  request: RequestContext,
  clientModel?: ClientModel,
): Pick<RunRequest, "signal" | "onProgress" | "clientModel"> {
  return {
    signal: request.signal,
    onProgress: (report) => request.notify("skills.progress", report),
    ...(clientModel ? { clientModel } : {}),
  };
}

/**
 * The one-call grant a retry sends, taken (used up) as its call starts.
 *
 * @param grants the waiting once-grants
 * @param token the token `approvals.answer` gave, if any
 * @returns `{once}` for the run request, or nothing
 * @throws {RpcError} Forbidden for an unknown, used or expired token
 */
export function onceGrant(
  grants: OnceGrants | undefined,
  token: string | undefined,
): Pick<RunRequest, "once"> {
  if (token === undefined) return {};
  if (!grants) {
    throw new RpcError(ErrorCode.Forbidden, "One-call grants are not offered");
  }
  return { once: grants.take(token) };
}

async function runSkill(
  ctx: SkillsHandlerContext,
  params: {
    remember: boolean;
    skill: string;
    tool: string;
    params: Record<string, unknown>;
    clientModel: boolean;
    once: string | undefined;
  },
  request: RequestContext,
) {
  const model = params.clientModel
    ? ctx.clientModels?.channel(request)
    : undefined;
  const run = await ctx.runner.run({
    skill: params.skill,
    tool: params.tool,
    params: params.params,
    remember: params.remember,
    ...callOptions(request, model),
    ...onceGrant(ctx.onceGrants, params.once),
  });
  const notice = placeholderNotice(params.skill, run.result);
  return {
    result: run.result,
    records: run.records,
    callId: run.callId,
    ms: run.ms,
    ...(notice === undefined ? {} : { notice }),
    ...(run.secrets.length > 0 ? { secrets: run.secrets } : {}),
    ...(run.output === undefined ? {} : { output: run.output }),
  };
}

/** What `skills.test` is asked. */
interface TestParams {
  skill: SkillEntry;
  tool: string | undefined;
  record: unknown;
  replay: unknown;
}

async function testSkill(
  ctx: SkillsHandlerContext,
  params: TestParams,
  request: RequestContext,
) {
  const { skill } = params;
  const tools = toolsToTest(skill, params.tool);
  const tape = testTape(params);
  const cases = await runTestCases(ctx.runner, {
    skill,
    tools,
    tape,
    callOptions: callOptions(request),
  });
  return testReport(ctx, skill, cases, tape);
}

/** Every tool of the skill, or the one asked for. */
function toolsToTest(skill: SkillEntry, only: string | undefined): ToolInfo[] {
  const tools = skill.discovery.tools.filter((t) =>
    only === undefined || t.name === only
  );
  if (only !== undefined && tools.length === 0) {
    throw new RpcError(
      ErrorCode.NotFound,
      `Skill "${skill.id}" has no tool "${only}"${
        didYouMean(only, skill.discovery.tools.map((t) => t.name))
      }`,
    );
  }
  return tools;
}

/** The tape the cases' HTTP goes through: recording, replaying, or none. */
function testTape({ record, replay }: TestParams): HttpTape | undefined {
  if (record === true && replay !== undefined) {
    throw invalidParams(`skills.test takes "record" or "replay", not both`);
  }
  return record === true
    ? HttpTape.record()
    : replay !== undefined && replay !== null
    ? HttpTape.replay(replay)
    : undefined;
}

function testReport(
  ctx: SkillsHandlerContext,
  skill: SkillEntry,
  cases: TestCase[],
  tape: HttpTape | undefined,
) {
  const count = (status: string) =>
    cases.filter((c) => c.status === status).length;
  return {
    skill: skill.id,
    // A skill with errors fails its test run even when no case could run.
    problems: ctx.check(skill.discovery).filter((p) => p.severity === "error"),
    cases,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    ...(tape?.mode === "record" ? { recording: tape.recording(skill.id) } : {}),
    ...(tape?.mode === "replay" ? { unrecorded: tape.misses } : {}),
  };
}
