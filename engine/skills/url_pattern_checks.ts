/**
 * The check `skills add` runs on `@provides(..., urls=[...])`: each
 * pattern names a host. A host-less pattern (`*`, `*://*`, `*.*`) or one
 * whose host is a wildcard over a single label (`*.com`) claims the whole
 * web, which a URL pattern is not for; a generic provider is one that
 * declares no `urls` at all.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import type { Discovery, ToolInfo } from "./skill_discovery.ts";

/** A problem as the checks report it (see `CheckedProblem`). */
interface Found {
  file: string;
  line: number | null;
  reason: string;
  severity: "error";
}

/** A host of literal labels, optionally after one leading `*.`. */
const HOST = /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/;

/** Longest pattern and most patterns a tool may declare. */
const MAX_PATTERN = 500;
const MAX_PATTERNS = 100;

/**
 * Problems of the URL patterns of every tool that declares some.
 *
 * @param discovery the skill
 * @returns one error per bad pattern (or per malformed `urls`)
 */
export function urlPatternProblems(discovery: Discovery): Found[] {
  const found: Found[] = [];
  for (const tool of discovery.tools) {
    for (const reason of toolProblems(tool)) {
      found.push({
        file: tool.file,
        line: tool.line,
        reason,
        severity: "error",
      });
    }
  }
  return found;
}

function toolProblems(tool: ToolInfo): string[] {
  if (!("urls" in tool.provides_options)) return [];
  const urls = tool.provides_options.urls;
  const list = typeof urls === "string" ? [urls] : urls;
  const where = `Tool "${tool.name}" @provides(urls=...)`;
  if (!Array.isArray(list) || list.length === 0) {
    return [
      `${where} must be a non-empty list of strings such as "example.com/*"`,
    ];
  }
  if (list.length > MAX_PATTERNS) {
    return [
      `${where} declares ${list.length} patterns; at most ${MAX_PATTERNS}`,
    ];
  }
  return list.flatMap((pattern) => {
    const why = patternProblem(pattern);
    return why === undefined ? [] : [`${where}: ${why}`];
  });
}

/**
 * Why one pattern is refused, or undefined.
 *
 * @param pattern what the skill declared
 * @returns the reason
 */
export function patternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== "string") {
    return `a URL pattern must be a string, not ${JSON.stringify(pattern)}`;
  }
  if (pattern.length > MAX_PATTERN) {
    return `a URL pattern is longer than ${MAX_PATTERN} characters`;
  }
  const shown = JSON.stringify(pattern);
  const stripped = pattern.replace(/^[a-z*]*:\/\//i, "");
  const slash = stripped.indexOf("/");
  const host = (slash < 0 ? stripped : stripped.slice(0, slash)).toLowerCase();
  if (!HOST.test(host)) {
    return `URL pattern ${shown} names no host: write the host it serves, such as "example.com/*" or "*.example.com/*" (a provider for any URL declares no urls)`;
  }
  if (host.startsWith("*.") && !host.slice(2).includes(".")) {
    return `URL pattern ${shown} names no host: "${host}" covers a whole top-level domain; write the site's own host`;
  }
  return undefined;
}

/**
 * Refuses a skill whose URL patterns claim no host, strict or not: such a
 * pattern is not a style problem but a claim on every URL.
 *
 * @param id the skill id
 * @param discovery the skill
 * @throws {RpcError} InvalidParams naming each pattern
 */
export function refuseBadUrlPatterns(id: string, discovery: Discovery): void {
  const found = urlPatternProblems(discovery);
  if (found.length === 0) return;
  throw new RpcError(
    ErrorCode.InvalidParams,
    `Skill ${id} cannot be added: ${
      found.map((f) => `${f.file}:${f.line}: ${f.reason}`).join("; ")
    }`,
    { problems: found },
  );
}
