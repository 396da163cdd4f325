/**
 * What `shell.run` reads from a skill's dispatch, each check named: the
 * program's name (or its full path in the program directories), the argv
 * list, the input, the timeout and the working directory inside the
 * grant; and the refusals that come before any program runs (a credential
 * in an argument, an argument the program's rules refuse).
 *
 * @module
 */
import { ErrorCode, invalidParams, RpcError } from "../../errors.ts";
import {
  expandHome,
  isCleanAbsolute,
  PROGRAM_DIRS,
  programInDirs,
  refusedArgument,
  type RunGrant,
} from "../../grants/mod.ts";
import { PLACEHOLDER } from "../credentials/mod.ts";

/** Default and longest `timeout=` of one program, in seconds. */
export const DEFAULT_PROGRAM_TIMEOUT_S = 30;
const MAX_PROGRAM_TIMEOUT_S = 300;
const MAX_ARGS = 256;
const MAX_ARGV_CHARS = 1024 * 1024;
export const MAX_INPUT_CHARS = 4 * 1024 * 1024;

/** Programs get no credentials: a placeholder in an argument or the input is refused. */
export function refuseCredentials(
  skillId: string,
  program: string,
  parts: string[],
): void {
  const placeholder = new RegExp(PLACEHOLDER.source, "i");
  for (const part of parts) {
    if (placeholder.test(part)) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skillId}" passed a credential to "${program}": programs get no credentials (they read their own config)`,
        { check: "credentials", program },
      );
    }
  }
}

/**
 * Refuses the arguments the program's rules refuse (engine/grants
 * program_rules), looked up by its granted name and by the name of the
 * file it resolved to.
 */
export function refuseByRule(
  skillId: string,
  program: string,
  grant: RunGrant,
  args: string[],
): void {
  const file = grant.path.slice(grant.path.lastIndexOf("/") + 1);
  const refusal = refusedArgument([program, file], args);
  if (refusal) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skillId}" may not run ${refusal.program} with "${refusal.argument}": ${refusal.why}`,
      { check: "program rule", program, argument: refusal.argument },
    );
  }
}

/**
 * The program's name: as given, or the name of a full path directly inside
 * the program directories (`/usr/bin/security` → `security`; the granted
 * path is what runs).
 */
export function programName(value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw invalidParams(`shell.run needs a "binary" (a program's name)`);
  }
  if (!value.includes("/")) return value.slice(0, 100);
  const name = programInDirs(value);
  if (name === undefined) {
    throw invalidParams(
      `shell.run takes a program's name, or its full path in the program directories (${
        PROGRAM_DIRS.join(", ")
      }), not "${value.slice(0, 100)}"`,
    );
  }
  return name;
}

export function argList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw invalidParams(
      `shell.run "args" must be a list of strings (an argv array; no shell parses it)`,
    );
  }
  if (value.length > MAX_ARGS) {
    throw invalidParams(`shell.run takes at most ${MAX_ARGS} arguments`);
  }
  let total = 0;
  return value.map((arg, i) => {
    const s = text(arg, `args[${i}]`, MAX_ARGV_CHARS);
    total += s.length;
    if (total > MAX_ARGV_CHARS) {
      throw invalidParams(
        `shell.run arguments exceed ${MAX_ARGV_CHARS} characters`,
      );
    }
    return s;
  });
}

export function text(value: unknown, name: string, max: number): string {
  if (typeof value !== "string") {
    throw invalidParams(`shell.run "${name}" must be a string`);
  }
  if (value.length > max) {
    throw invalidParams(`shell.run "${name}" is longer than ${max} characters`);
  }
  if (value.includes("\0")) {
    throw invalidParams(`shell.run "${name}" contains a NUL character`);
  }
  return value;
}

export function seconds(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_PROGRAM_TIMEOUT_S;
  if (typeof value !== "number" || !(value > 0)) {
    throw invalidParams(
      `shell.run "timeout" must be a positive number of seconds`,
    );
  }
  return Math.min(value, MAX_PROGRAM_TIMEOUT_S);
}

/** The working directory: the granted one, or a directory inside it. */
export function workingDirectory(
  skillId: string,
  program: string,
  grant: RunGrant,
  requested: unknown,
): string {
  if (requested === undefined || requested === null || requested === "") {
    return grant.cwd ?? "/tmp";
  }
  const raw = text(requested, "cwd", 4096);
  const base = grant.cwd;
  // `~` is the owner's home, as the skill's author would mean it.
  const expanded = expandHome(raw, grant.home);
  const path = expanded.startsWith("/")
    ? expanded.replace(/\/+$/, "") || "/"
    : `${base ?? "/tmp"}/${expanded}`;
  const inside = base !== undefined && isCleanAbsolute(path) &&
    (path === base || path.startsWith(`${base}/`));
  if (!inside) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skillId}" may run "${program}" only in ${
        base ?? "its private /tmp"
      }, not in "${raw.slice(0, 200)}"${
        base
          ? ""
          : `; the owner can grant a directory: agentos skills allow ${skillId} --run ${program} --cwd DIR`
      }`,
      { check: "cwd", program },
    );
  }
  return path;
}
