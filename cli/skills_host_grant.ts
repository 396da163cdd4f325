import { callerPath } from "./caller_path.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printTable } from "./output.ts";
import {
  ProgramRefusedError,
  resolveProgramFile,
} from "../engine/grants/mod.ts";

/** The options of `skills allow … --run` and `--read`. */
export const HOST_GRANT_OPTIONS = {
  run: { type: "string" },
  read: { type: "string" },
  cwd: { type: "string" },
  config: { type: "string", multiple: true },
  net: { type: "boolean" },
  write: { type: "boolean" },
  "write-limit": { type: "string" },
} as const;

/**
 * `agentos skills allow <skill> --run <program> [--cwd DIR [--write]
 * [--write-limit SIZE]] [--config DIR]… [--net]` and `skills disallow <skill> --run <program>`: the program is
 * resolved here, once, to an absolute path (what it links to included),
 * so the engine reads no host directory to find it.
 *
 * @param allow grant or take back
 * @param skill the skill
 * @param values the parsed options
 * @returns the exit code
 */
export async function runGrant(
  allow: boolean,
  skill: string,
  values: Record<string, unknown>,
): Promise<number> {
  const program = values.run as string;
  if (!allow) {
    const out = await callEngine<{ removed: boolean }>("skills.disallow_run", {
      skill,
      program,
    });
    if (values.json) printJson(out);
    else {
      print(
        out.removed
          ? `Skill ${skill} may no longer run ${program}`
          : `Skill ${skill} was not allowed to run ${program}`,
      );
    }
    return ExitCode.Ok;
  }
  const path = await resolveProgram(program);
  const home = Deno.env.get("HOME");
  const config = ((values.config as string[] | undefined) ?? []).map((dir) =>
    callerPath(dir.startsWith("~/") && home ? `${home}${dir.slice(1)}` : dir)
  );
  const cwd = values.cwd ? await realDir(values.cwd as string) : undefined;
  const pin = cwd ? await pinOf(cwd) : undefined;
  const writeBytes = writeLimit(values["write-limit"]);
  const out = await callEngine<{ grant: ShownRunGrant }>(
    "skills.allow_run",
    {
      skill,
      program,
      path,
      ...(cwd ? { cwd } : {}),
      config: await Promise.all(config.map(realDir)),
      ...(home ? { home } : {}),
      net: values.net === true,
      write: values.write === true || writeBytes !== undefined,
      ...(writeBytes !== undefined ? { writeBytes } : {}),
      ...(pin === undefined ? {} : { pin }),
    },
  );
  if (values.json) {
    printJson(out);
    return ExitCode.Ok;
  }
  print(`Skill ${skill} may now run ${program} (${path})`);
  await printRunGrant(skill, program, out.grant);
  return ExitCode.Ok;
}

/** What the owner granted of the folder, in words. */
function folderText(
  grant: { cwd?: string; write?: boolean; writeBytes?: number },
): string {
  if (!grant.cwd) return "(none: a private /tmp)";
  if (!grant.write) {
    return `${grant.cwd} (read-only; add --write to let it write there)`;
  }
  const mib = (grant.writeBytes ?? DEFAULT_WRITE_MIB * 1024 * 1024) /
    (1024 * 1024);
  return `${grant.cwd} (writable: up to ${mib} MiB per call, then "no space left"; --write-limit raises it)`;
}

/** The default write bound, in MiB (engine/broker/shell/grant_stage.ts). */
const DEFAULT_WRITE_MIB = 64;

/**
 * `--write-limit 256M`: bytes, or with a K, M or G suffix.
 *
 * @throws {CliError} for anything else
 */
function writeLimit(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const match = /^([0-9]{1,10})([KMG]?)i?B?$/i.exec(String(value).trim());
  if (!match) {
    throw new CliError(
      `--write-limit takes a size such as 256M or 1G, not "${value}"`,
    );
  }
  const unit = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[
    match[2]!.toUpperCase() as "" | "K" | "M" | "G"
  ];
  return Number(match[1]) * unit;
}

/** The program's real path, checked as the engine's prompt checks it (program_file.ts). */
async function resolveProgram(program: string): Promise<string> {
  try {
    return await resolveProgramFile(program);
  } catch (error) {
    if (error instanceof ProgramRefusedError) {
      throw new CliError(error.message);
    }
    throw error;
  }
}

async function realDir(dir: string): Promise<string> {
  const path = callerPath(dir);
  const stat = await Deno.stat(path).catch(() => undefined);
  if (!stat?.isDirectory) throw new CliError(`"${dir}" is not a directory`);
  return await Deno.realPath(path);
}

/**
 * `agentos skills allow <skill> --read <path>` and `skills disallow <skill>
 * --read <path>`: a local database file (or a directory of them) a skill
 * may open read-only with `sql.query`, resolved here to its real path.
 *
 * @param allow grant or take back
 * @param skill the skill
 * @param values the parsed options
 * @returns the exit code
 */
export async function readGrant(
  allow: boolean,
  skill: string,
  values: Record<string, unknown>,
): Promise<number> {
  const home = Deno.env.get("HOME");
  const typed = values.read as string;
  const expanded = typed.startsWith("~/") && home
    ? `${home}${typed.slice(1)}`
    : typed;
  const path = allow
    ? await Deno.realPath(callerPath(expanded)).catch(() => {
      throw new CliError(`"${typed}" does not exist`);
    })
    : callerPath(expanded);
  const pin = allow ? await pinOf(path) : undefined;
  const out = await callEngine<Record<string, unknown>>(
    allow ? "skills.allow_read" : "skills.disallow_read",
    {
      skill,
      path,
      ...(allow && home ? { home } : {}),
      ...(pin ? { pin } : {}),
    },
  );
  if (values.json) printJson(out);
  else {
    print(
      allow
        ? `Skill ${skill} may now read ${path} with sql.query (read-only)`
        : out.removed
        ? `Skill ${skill} may no longer read ${path}`
        : `Skill ${skill} was not allowed to read ${path}`,
    );
  }
  return ExitCode.Ok;
}

/**
 * A granted path's `device:inode`: the query runner (a `--read` grant) and
 * a program's stage (a `--cwd` folder) refuse the grant if another inode
 * is found there later (the folder replaced by a link).
 */
async function pinOf(path: string): Promise<string | undefined> {
  const info = await Deno.lstat(path).catch(() => undefined);
  return info?.dev !== undefined && typeof info.ino === "number"
    ? `${info.dev}:${info.ino}`
    : undefined;
}

/** What `skills list` shows of a skill's programs and read grants. */
export interface LocalAccessView {
  programs?: {
    name: string;
    granted: {
      path: string;
      cwd?: string;
      write?: boolean;
      writeBytes?: number;
      config: string[];
      net: boolean;
    } | null;
  }[];
  reads?: string[];
  /** Which calling skills it serves as a provider (null: not restricted). */
  serves_skills?: string | null;
}

/**
 * One line of what the owner let a skill use of this machine: each granted
 * program with its folder (read-only or writable), config directories and
 * network, and each `--read` path; `-` when none.
 *
 * @param skill the skill as `skills.list` shows it
 * @returns the text for the `local access` column
 */
export function localAccessText(skill: LocalAccessView): string {
  const parts: string[] = [];
  for (const { name, granted } of skill.programs ?? []) {
    if (!granted) continue;
    const where = granted.cwd
      ? `${granted.cwd} ${granted.write ? "writable" : "read-only"}`
      : "private /tmp";
    const config = granted.config.length > 0
      ? `; config, needs --secrets: ${granted.config.join(", ")}`
      : "";
    parts.push(
      `${name} (${where}${config}${granted.net ? "; network" : ""})`,
    );
  }
  for (const path of skill.reads ?? []) parts.push(`read ${path}`);
  return parts.join(", ") || "-";
}

/**
 * `skills list`'s table of what skills may use of this machine (only the
 * skills that have a program or read grant), then, for providers holding
 * such grants, which calling skills they serve.
 *
 * @param skills the skills as `skills.list` shows them
 */
export function printLocalAccess(
  skills: (LocalAccessView & { id: string })[],
): void {
  const local = skills.filter((s) => localAccessText(s) !== "-");
  if (local.length > 0) {
    print();
    printTable(
      ["skill", "local access"],
      local.map((s) => [s.id, localAccessText(s)]),
    );
  }
  const serving = skills.filter((s) => (s.serves_skills ?? null) !== null);
  if (serving.length === 0) return;
  print();
  printTable(
    ["provider", "serves skills' capability.call"],
    serving.map((s) => [s.id, s.serves_skills!]),
  );
}

/** Whether the owner granted the skill real values (`--secrets`). */
async function secretsGranted(skill: string): Promise<boolean> {
  const { skills } = await callEngine<
    { skills: { id: string; secrets?: string }[] }
  >("skills.list", {});
  return skills.find((s) => s.id === skill)?.secrets ===
    "real values (granted)";
}

/** A program's grant as `skills.allow_run` answers it. */
interface ShownRunGrant {
  cwd?: string;
  config: string[];
  net: boolean;
  write?: boolean;
  writeBytes?: number;
}

/** What a program's grant hands over: folder, config and network. */
async function printRunGrant(
  skill: string,
  program: string,
  grant: ShownRunGrant,
): Promise<void> {
  print(`  folder:   ${folderText(grant)}`);
  for (const dir of grant.config) {
    print(
      `  config:   ${dir} (read-only: ${program} reads every file in it and can print its tokens in any shape, so it runs only while the skill has --secrets)`,
    );
  }
  if (grant.config.length > 0 && !(await secretsGranted(skill))) {
    print(
      `  note:     ${skill} has no --secrets grant: its ${program} calls are refused until: agentos skills allow ${skill} --secrets`,
    );
  }
  print(
    `  network:  ${
      grant.net
        ? "through the engine's proxy, to the hosts the skill may reach"
        : "none"
    }`,
  );
}
