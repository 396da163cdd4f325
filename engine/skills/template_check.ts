/**
 * The check `skills add` and `skills validate` run on each connection's
 * auth templates: every `header`, `query` and `body` entry must be a
 * template the engine's grammar accepts (whole-value forms only), so a
 * skill that writes one isolating a character of its key is refused at
 * the connection's file and line before it ever runs. The grammar itself
 * lives with the credentials (`engine/broker/credentials`); the caller
 * hands it in, which keeps this folder from importing the broker.
 *
 * @module
 */
import type { Discovery } from "./skill_discovery.ts";
import { isObject } from "../is_object.ts";

/**
 * Why the engine refuses a template, or null when it accepts it.
 *
 * @param source the template
 */
export type TemplateRule = (source: string) => string | null;

/** A problem as the checks report it (see `CheckedProblem`). */
interface Found {
  file: string;
  line: number | null;
  reason: string;
  severity: "error";
}

const PARTS = ["header", "query", "body"] as const;

/**
 * The refused auth templates of a skill's connections.
 *
 * @param discovery the skill
 * @param rule the engine's grammar
 * @returns one error per refused entry, at its connection's file and line
 */
export function templateProblems(
  discovery: Discovery,
  rule: TemplateRule,
): Found[] {
  const out: Found[] = [];
  for (const connection of discovery.connections) {
    const auth = connection.auth;
    if (!isObject(auth)) continue;
    for (const part of PARTS) {
      const entries = auth[part];
      if (!isObject(entries)) continue;
      for (const [name, source] of Object.entries(entries)) {
        const reason = typeof source === "string"
          ? rule(source)
          : "it must be a template string such as '.auth.key'";
        if (reason === null) continue;
        out.push({
          file: connection.file,
          line: connection.line,
          severity: "error",
          reason:
            `Connection "${connection.name}" auth ${part} "${name}" is refused: ${reason}`,
        });
      }
    }
  }
  return out;
}
