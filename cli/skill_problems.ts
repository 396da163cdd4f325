import { RpcError } from "../engine/mod.ts";
import { CliError } from "./exit_codes.ts";
import { escapeControls, print } from "./output.ts";

/** A problem in a skill's source, as the engine's checks report it. */
export interface SkillProblem {
  file: string;
  line: number | null;
  reason: string;
  severity?: "error" | "warning";
}

/**
 * Prints problems one per line, `file:line: error: reason`, the form
 * editors and terminals turn into links.
 *
 * @param problems the problems
 * @param dir the skill directory, to prefix each file with
 */
export function printProblems(problems: SkillProblem[], dir?: string): void {
  for (const p of problems) {
    const file = dir ? `${dir.replace(/\/$/, "")}/${p.file}` : p.file;
    print(escapeControls(
      `${file}${p.line ? `:${p.line}` : ""}: ${
        p.severity ?? "error"
      }: ${p.reason}`,
    ));
  }
}

/**
 * Counts problems by severity, as `2 errors, 1 warning`.
 *
 * @param problems the problems
 * @returns the summary
 */
export function problemSummary(problems: SkillProblem[]): string {
  const errors = problems.filter((p) => (p.severity ?? "error") === "error")
    .length;
  const warnings = problems.length - errors;
  const plural = (n: number, word: string) =>
    `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}

/**
 * The problems an engine refusal carries (`skills add` of a broken skill).
 *
 * @param error what the command caught
 * @returns the problems, or undefined when the error carries none
 */
export function refusedProblems(error: unknown): SkillProblem[] | undefined {
  const cause = error instanceof CliError ? error.cause : error;
  if (!(cause instanceof RpcError)) return undefined;
  const data = cause.data as { problems?: SkillProblem[] } | undefined;
  return Array.isArray(data?.problems) ? data.problems : undefined;
}
