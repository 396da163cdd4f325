/**
 * The one rule `skills.add` applies, whoever calls it (the CLI's `agentos
 * skills add` and any JSON-RPC client alike): a skill is refused only when
 * it cannot run at all — discovery finds no tool, or a problem that stops
 * loading (a syntax error, unreadable front matter) stops every tool. The
 * checks' other errors (an unknown shape, a banned import, an undeclared
 * capability) are reported and mark tools unavailable, but the skill is
 * added: its code loads and runs. `force` adds even a skill that cannot
 * run. One refusal is about trust, not about running: a connection whose
 * auth template the engine's grammar refuses (a template that could
 * isolate a piece of a key) keeps the skill out unless `force` (the
 * engine refuses such a template at run time anyway).
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import {
  type CheckedProblem,
  type Discovery,
  templateProblems,
  type TemplateRule,
  unavailableTools,
} from "../skills/mod.ts";

/**
 * Throws when a connection's auth template is refused by the grammar,
 * naming each at its file and line.
 *
 * @param id the skill's id
 * @param discovery the skill as read
 * @param rule the engine's template grammar
 * @throws {RpcError} InvalidParams, carrying `{id, problems}`
 */
export function refuseBadTemplates(
  id: string,
  discovery: Discovery,
  rule: TemplateRule,
): void {
  const problems = templateProblems(discovery, rule);
  if (problems.length === 0) return;
  const first = problems[0]!;
  throw new RpcError(
    ErrorCode.InvalidParams,
    `Skill ${id} has ${problems.length} auth template problem${
      problems.length === 1 ? "" : "s"
    } (first at ${first.file}:${first.line ?? "?"}: ${
      first.reason.slice(0, 300)
    }); not added: an auth template may only send whole values (see docs/skills.md)`,
    { id, problems },
  );
}

/**
 * Throws when no tool of the skill can run.
 *
 * @param id the skill's id
 * @param discovery the skill as read
 * @param problems the checks' findings on it
 * @throws {RpcError} InvalidParams, carrying `{id, problems}`
 */
export function refuseUnrunnable(
  id: string,
  discovery: Discovery,
  problems: CheckedProblem[],
): void {
  const tools = discovery.tools.length;
  // Only discovery's own problems keep code from loading.
  const loading = discovery.problems
    .filter((p) => (p.severity ?? "error") === "error")
    .map((p) => ({ ...p, severity: "error" as const }));
  const stopped = unavailableTools(discovery, () => loading).size;
  if (tools > 0 && stopped < tools) return;
  const errors = problems.filter((p) => p.severity === "error").length;
  throw new RpcError(
    ErrorCode.InvalidParams,
    `Skill ${id} cannot run at all: ${
      tools === 0
        ? "no tool could be read"
        : "a problem keeps the code of every tool from loading"
    } (${errors} error${
      errors === 1 ? "" : "s"
    }); not added (fix them, or add it anyway with --force)`,
    { id, problems },
  );
}
