/**
 * Skill checks about what this engine can run, beside the authoring checks
 * of `skill_checks.ts`: imports outside the standard library and the SDK
 * (required or optional),
 * readme capabilities the engine does not know, and which tools a skill's
 * errors leave unable to work.
 *
 * @module
 */
import type { Discovery, ToolInfo } from "./skill_discovery.ts";
import { declaredNeeds } from "../grants/mod.ts";
import { closest } from "../closest_word.ts";
import { distributionOf } from "./package_inference.ts";

/** A problem as the checks report it (see `CheckedProblem`). */
interface Found {
  file: string;
  line: number | null;
  reason: string;
  severity: "error" | "warning";
}

/** The readme `capabilities:` this engine acts on. */
export const KNOWN_NEEDS = [
  "http",
  "open_web",
  "secrets",
  "sql",
  "shell",
  "crypto",
  "keychain",
  "plist",
  "llm",
];

/**
 * Imports of modules that are neither the standard library, the SDK nor
 * the skill's own files. A required one is a warning naming its
 * distribution and the one command that installs it (`agentos skills deps
 * <id>`, which infers it when the readme declares no `requires:`); a call
 * before that install fails naming the same command. Imports guarded by
 * `except ImportError` are optional: one warning names them all.
 *
 * @param discovery the skill
 * @returns one warning per required module, and one for the optional ones
 */
export function importProblems(discovery: Discovery): Found[] {
  const requires = discovery.front_matter.requires;
  const declared = Array.isArray(requires) && requires.length > 0;
  const id = typeof discovery.front_matter.id === "string"
    ? discovery.front_matter.id
    : "<skill>";
  const imports = discovery.foreign_imports ?? [];
  const out: Found[] = imports.filter((i) => i.optional !== true).map((
    { module, file, line },
  ) => ({
    file,
    line,
    severity: "warning",
    reason: declared
      ? `Import of "${module}" is neither the standard library nor the AgentOS SDK: make sure requires: installs it (agentos skills deps ${id})`
      : `Import of "${module}" is neither the standard library nor the AgentOS SDK: the skill needs the package ${
        distributionOf(module)
      }; install it with: agentos skills deps ${id}`,
  }));
  const optional = imports.filter((i) => i.optional === true);
  if (optional.length > 0) {
    const first = optional[0]!;
    out.push({
      file: first.file,
      line: first.line,
      severity: "warning",
      reason:
        `Optional imports (guarded by except ImportError; the skill runs without them): ${
          optional.map((i) => i.module).join(", ")
        }`,
    });
  }
  return out;
}

/**
 * Readme capabilities the engine does not know: nothing is granted for
 * them, so what the skill expected of them will not happen.
 *
 * @param discovery the skill
 * @returns one warning per unknown name
 */
export function needsProblems(discovery: Discovery): Found[] {
  return declaredNeeds(discovery).filter((n) => !KNOWN_NEEDS.includes(n)).map(
    (name) => {
      const near = closest(name, KNOWN_NEEDS);
      return {
        file: "readme.md",
        line: 1,
        severity: "warning" as const,
        reason: `Unknown capability "${name}" in capabilities:${
          near ? ` (did you mean "${near}"?)` : ""
        }; this engine knows ${KNOWN_NEEDS.join(", ")}`,
      };
    },
  );
}

/**
 * Why each tool cannot work, from a skill's errors: an error at or after a
 * tool's line in its file (and before the next tool's) is that tool's; an
 * error in a file before its first tool (an import) is every tool's of
 * that file; a readme error is every tool's.
 *
 * @param discovery the skill
 * @param check the skill checks, run on it
 * @returns the first error's reason by tool name, for the tools it stops
 */
export function unavailableTools(
  discovery: Discovery,
  check: (discovery: Discovery) => Found[],
): Map<string, string> {
  const { tools } = discovery;
  const problems = check(discovery);
  const out = new Map<string, string>();
  const byFile = new Map<string, ToolInfo[]>();
  for (const tool of tools) {
    byFile.set(tool.file, [...(byFile.get(tool.file) ?? []), tool]);
  }
  for (const list of byFile.values()) list.sort((a, b) => a.line - b.line);
  const mark = (tool: ToolInfo, problem: Found) => {
    if (!out.has(tool.name)) {
      out.set(
        tool.name,
        `${problem.file}${
          problem.line === null ? "" : `:${problem.line}`
        }: ${problem.reason}`,
      );
    }
  };
  for (const problem of problems.filter((p) => p.severity === "error")) {
    if (problem.file === "readme.md") {
      for (const tool of tools) mark(tool, problem);
      continue;
    }
    const inFile = byFile.get(problem.file) ?? [];
    const line = problem.line ?? 0;
    const owner = inFile.filter((t) => t.line <= line).at(-1);
    if (owner) mark(owner, problem);
    else for (const tool of inFile) mark(tool, problem);
  }
  return out;
}
