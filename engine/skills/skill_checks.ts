import type { Discovery, Problem, ToolInfo } from "./skill_discovery.ts";
import { closest, didYouMean } from "../closest_word.ts";
import { declaredNeeds } from "../grants/mod.ts";
import { importProblems, needsProblems } from "./runtime_checks.ts";
import { templateProblems, type TemplateRule } from "./template_check.ts";
import { urlPatternProblems } from "./url_pattern_checks.ts";
import { expectProblems } from "./test_expect.ts";

/** How bad a problem is: an error stops `skills add`; a warning does not. */
export type Severity = "error" | "warning";

/** A problem found by the checks, with its severity. */
export interface CheckedProblem extends Problem {
  severity: Severity;
}

/** What the checks need to know of a shape. */
export interface ShapeFacts {
  /** Its field keys (own, inherited and standard). */
  fields: string[];
  /** Its relation keys (edge labels). */
  relations: string[];
}

/** Options for {@linkcode checkSkill}. */
export interface CheckOptions {
  /** A shape by name, or undefined when there is none. */
  shape: (name: string) => ShapeFacts | undefined;
  /** Every shape's name, for "did you mean". */
  shapeNames?: () => string[];
  /** Why the engine refuses a connection's auth template (its grammar). */
  authTemplate: TemplateRule;
}

/** Front matter keys a readme must have. */
const REQUIRED_FRONT_MATTER = ["id", "name"];

/** Front matter keys the engine or the published catalog knows. */
const KNOWN_FRONT_MATTER = [
  "id",
  "name",
  "description",
  "color",
  "website",
  "privacy_url",
  "terms_url",
  "product",
  "capabilities",
  "accounts",
  "sources",
  "test",
  "tools",
  "services",
  "privileges",
  // Programs the skill runs (also found at its shell.run call sites).
  "shell",
  // Python packages it needs (else inferred from its imports).
  "requires",
];

/** Capabilities whose use the engine checks against the readme. */
const CHECKED_SERVICES = ["http", "sql", "crypto"];

/**
 * The static checks `agentos skills validate` and `skills add` run on a
 * skill read from its source: discovery's own problems (syntax errors,
 * sync tools, duplicate names, unreadable front matter), then the readme's
 * front matter, each tool (`**params`, docstring, `@returns` and the keys it
 * returns, `@test` parameters), the source findings (banned imports, missing
 * `await`, blocking sleeps) and the declared capabilities against the
 * services the code uses. Sorted by file and line.
 *
 * @param discovery the skill as discovery describes it
 * @param options how to look up shapes
 * @returns every problem, errors and warnings
 */
export function checkSkill(
  discovery: Discovery,
  options: CheckOptions,
): CheckedProblem[] {
  const out: CheckedProblem[] = discovery.problems.map((p) => ({
    ...p,
    severity: p.severity ?? "error",
  }));
  const add = (
    severity: Severity,
    file: string,
    line: number | null,
    reason: string,
  ) => out.push({ file, line, reason, severity });
  checkFrontMatter(discovery, add);
  if (
    discovery.tools.length === 0 && !out.some((p) => p.severity === "error")
  ) {
    add(
      "error",
      "readme.md",
      null,
      "The skill defines no tools: a tool is a top-level async def with an SDK decorator such as @returns",
    );
  }
  for (const tool of discovery.tools) checkTool(tool, options, add);
  for (const finding of discovery.findings ?? []) {
    out.push({ ...finding, severity: finding.severity ?? "error" });
  }
  checkServices(discovery, add);
  out.push(...importProblems(discovery), ...needsProblems(discovery));
  out.push(...templateProblems(discovery, options.authTemplate));
  out.push(...urlPatternProblems(discovery));
  return out.sort((a, b) =>
    a.file === b.file
      ? (a.line ?? 0) - (b.line ?? 0)
      : a.file === "readme.md"
      ? -1
      : b.file === "readme.md"
      ? 1
      : a.file.localeCompare(b.file)
  );
}

type Add = (
  severity: Severity,
  file: string,
  line: number | null,
  reason: string,
) => void;

function checkFrontMatter(discovery: Discovery, add: Add): void {
  const fm = discovery.front_matter;
  if (Object.keys(fm).length === 0) return; // discovery said why
  for (const key of REQUIRED_FRONT_MATTER) {
    if (typeof fm[key] !== "string" || fm[key] === "") {
      add(
        "error",
        "readme.md",
        1,
        `Front matter has no "${key}": add ${key}: ... between the --- lines`,
      );
    }
  }
  for (const key of Object.keys(fm)) {
    if (!KNOWN_FRONT_MATTER.includes(key)) {
      const near = closest(key, KNOWN_FRONT_MATTER);
      add(
        "warning",
        "readme.md",
        1,
        `Unknown front matter key "${key}"${
          near ? ` (did you mean "${near}"?)` : ""
        }`,
      );
    }
  }
  const tests = fm.test;
  if (tests && typeof tests === "object" && !Array.isArray(tests)) {
    const names = new Set(discovery.tools.map((t) => t.name));
    for (const name of Object.keys(tests)) {
      if (!names.has(name)) {
        const near = closest(name, [...names]);
        add(
          "error",
          "readme.md",
          1,
          `The test: block names "${name}", which is not a tool${
            near ? ` (did you mean "${near}"?)` : ""
          }`,
        );
      }
    }
  }
}

function checkTool(tool: ToolInfo, options: CheckOptions, add: Add): void {
  const at = (severity: Severity, reason: string) =>
    add(severity, tool.file, tool.line, reason);
  if (tool.kwargs === false) {
    at(
      "warning",
      `Tool ${tool.name} takes no **params: add it, the engine passes connection auth through it`,
    );
  }
  if (tool.doc.trim() === "") {
    at(
      "warning",
      `Tool ${tool.name} has no docstring: its first line is the description agents see`,
    );
  }
  if (tool.returns === null) {
    at(
      "warning",
      `Tool ${tool.name} has no @returns: say what it returns (a shape name, or an inline schema dict)`,
    );
  } else if (typeof tool.returns === "string") {
    const name = tool.returns.replace(/\[\]$/, "");
    const shape = options.shape(name);
    if (!shape) {
      at(
        "error",
        `@returns("${tool.returns}"): there is no shape "${name}"${
          didYouMean(name, options.shapeNames?.() ?? [])
        } (see agentos shapes list)`,
      );
    } else if (tool.return_keys) {
      const known = new Set([...shape.fields, ...shape.relations]);
      const extra = tool.return_keys.filter((key) =>
        !known.has(key) && !key.startsWith("_")
      );
      if (extra.length > 0) {
        at(
          "warning",
          `Tool ${tool.name} returns ${
            extra.map((k) => `"${k}"`).join(", ")
          }, not a field of shape "${name}" (see agentos shapes get ${name})`,
        );
      }
    }
  }
  const params = new Set(tool.params.map((p) => p.name));
  for (const test of tool.tests) {
    for (const key of Object.keys(test.params ?? {})) {
      if (!params.has(key) && tool.kwargs === false) {
        at("error", `@test passes "${key}", which ${tool.name} does not take`);
      }
    }
    if (test.expect !== undefined) {
      for (const problem of expectProblems(test.expect)) {
        at("error", `@test ${problem}`);
      }
      const wanted = (test.expect as { shape?: unknown }).shape;
      const names = options.shapeNames?.();
      if (typeof wanted === "string" && names && !names.includes(wanted)) {
        at(
          "error",
          `@test expects shape "${wanted}", which does not exist${
            didYouMean(wanted, names)
          }`,
        );
      }
    }
    const missing = testLeavesOut(tool, test);
    if (missing !== undefined) {
      // The tool still works: `skills test` skips this case, naming why.
      at("warning", missing);
    }
  }
}

/**
 * Why a `@test` case cannot run as written (it leaves out a parameter the
 * tool requires), or undefined when it can.
 *
 * @param tool the tool
 * @param test one of its cases
 * @returns the reason, or undefined
 */
export function testLeavesOut(
  tool: ToolInfo,
  test: ToolInfo["tests"][number],
): string | undefined {
  const given = test.params ?? {};
  const missing = tool.params.filter((p) => p.required && !(p.name in given));
  if (missing.length === 0) return undefined;
  return `@test leaves out ${
    missing.map((p) => `"${p.name}"`).join(", ")
  }, which ${tool.name} requires: skills test skips this case`;
}

function checkServices(discovery: Discovery, add: Add): void {
  const declared = declaredNeeds(discovery);
  const used = discovery.services ?? {};
  const hasBase = discovery.connections.some((c) => c.base_url);
  for (const service of CHECKED_SERVICES) {
    const where = used[service];
    if (where && !declared.includes(service)) {
      if (service === "http" && hasBase) continue;
      add(
        "error",
        where.file,
        where.line,
        `Uses ${service} but the readme does not declare it: add capabilities: [${service}] to the front matter`,
      );
    }
    if (!where && declared.includes(service)) {
      add(
        "warning",
        "readme.md",
        1,
        `Declares the ${service} capability but no code uses it`,
      );
    }
  }
}
