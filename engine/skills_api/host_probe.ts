/**
 * What a grant the person is asked for in an MCP client (#27) resolves to
 * on the host, found the way `agentos skills allow` finds it, without
 * widening the engine's own read permission: a short-lived Python process
 * in the skill sandbox, with only the folders it must see bound read-only,
 * gathers the facts (`_host_probe_py.ts`), and the engine judges them with
 * the CLI's own code. A program (`--run`) is resolved in the program
 * directories and checked by `resolveProgramFile`; a `--read` path is
 * resolved (links followed) inside its top-level folder and refused when
 * it is, holds or lies in the engine's home.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import {
  interpreterPaths,
  isCleanAbsolute,
  PROGRAM_DIRS,
  type ProgramFiles,
  ProgramRefusedError,
  resolveProgramFile,
} from "../grants/mod.ts";
import { type Sandbox, spawnCommand } from "../sandbox/mod.ts";
import { HOST_PROBE_PY } from "./_host_probe_py.ts";

/** Longest a probe may take. */
const PROBE_TIMEOUT_MS = 10_000;

/** The largest program file a probe reads to check it (the CLI reads any). */
export const MAX_PROBED_PROGRAM_BYTES = 64 * 1024 * 1024;

/**
 * Folders a program's links commonly lead into (Debian's alternatives),
 * bound when they exist; a link leading anywhere else is not resolved and
 * the program is not offered.
 */
const LINK_DIRS = ["/etc/alternatives"];

/** Top-level folders whose files are the system's, not an application's. */
const NOT_LOCAL = new Set(["proc", "sys", "dev", "run", "etc"]);

/** What a probe needs of the sandbox. */
export type ProbeSandbox = Pick<Sandbox, "command" | "limits" | "kind">;

/**
 * Resolves a program name as `agentos skills allow --run` does and checks
 * it the same way (an ELF, not an interpreter, not a script, not a copy of
 * one).
 *
 * @param sandbox the skill sandbox
 * @param program the name the skill ran
 * @returns the real path to grant
 * @throws {RpcError} Forbidden with the reason it may not be granted
 */
export async function probeProgram(
  sandbox: ProbeSandbox,
  program: string,
): Promise<string> {
  const refuse = (why: string) =>
    new RpcError(ErrorCode.Forbidden, why, { check: "probe" });
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(program)) {
    throw refuse(
      `"${program.slice(0, 100)}" is not a program name that can be granted`,
    );
  }
  // Refused names never reach the sandbox (the CLI refuses them first too).
  try {
    await resolveProgramFile(program, NO_FILES);
  } catch (error) {
    if (!(error instanceof ProbeNeeded)) throw refuse(messageOf(error));
  }
  const facts = await runProbe(sandbox, {
    mode: "program",
    program,
    dirs: PROGRAM_DIRS,
    interpreters: interpreterPaths(),
    max_bytes: MAX_PROBED_PROGRAM_BYTES,
  }, { tryViews: [...PROGRAM_DIRS, ...LINK_DIRS] });
  try {
    return await resolveProgramFile(program, probedFiles(facts));
  } catch (error) {
    throw refuse(messageOf(error));
  }
}

/** A `--read` path as the probe found it. */
export interface ProbedPath {
  /** The real path (links followed). */
  path: string;
  /** Its `device:inode`, as the CLI pins it. */
  pin: string;
}

/**
 * Resolves a path a skill asked to read, inside a view of its top-level
 * folder only: a link leading out of it is not followed, so not offered.
 *
 * @param sandbox the skill sandbox
 * @param path the absolute path, `~` already expanded
 * @param engine the engine home and the identities of its own files
 * @returns the real path and its pin
 * @throws {RpcError} Forbidden when it cannot be offered, saying why
 */
export async function probeReadPath(
  sandbox: ProbeSandbox,
  path: string,
  engine: { home: string; ids: string[] },
): Promise<ProbedPath> {
  const refuse = (why: string) =>
    new RpcError(ErrorCode.Forbidden, `"${path.slice(0, 200)}" ${why}`, {
      check: "probe",
    });
  const top = path.split("/")[1] ?? "";
  if (!isCleanAbsolute(path) || !path.slice(1).includes("/")) {
    throw refuse("is not an absolute path inside a folder");
  }
  if (NOT_LOCAL.has(top)) throw refuse("is a file of the system");
  const found = await runProbe(sandbox, {
    mode: "read",
    path,
    home: engine.home,
    engine_ids: engine.ids,
  }, { views: [`/${top}`] });
  if (found.missing === true || typeof found.pin !== "string") {
    throw refuse(`does not exist, or its links lead out of /${top}`);
  }
  const real = String(found.real);
  const homes = [engine.home, found.home_real].filter((h) =>
    typeof h === "string"
  ) as string[];
  if (
    found.engine === true || found.kind === "other" ||
    homes.some((home) => touches(real, home))
  ) {
    throw refuse(
      found.kind === "other"
        ? "is neither a file nor a folder"
        : `leads to ${
          real.slice(0, 200)
        }, which is, holds or lies in the engine's home`,
    );
  }
  return { path: real, pin: found.pin };
}

/** Whether `path` is the home, lies in it, or holds it. */
function touches(path: string, home: string): boolean {
  const h = home.replace(/\/+$/, "");
  return path === h || path.startsWith(`${h}/`) || h.startsWith(`${path}/`);
}

/** Thrown by {@linkcode NO_FILES}: the name passed every check made before reading. */
class ProbeNeeded extends Error {}

/** A reader of no files: runs the checks of a name alone. */
const NO_FILES: ProgramFiles = {
  stat: () => Promise.reject(new ProbeNeeded()),
  realPath: () => Promise.reject(new ProbeNeeded()),
  read: () => Promise.reject(new ProbeNeeded()),
};

function messageOf(error: unknown): string {
  return error instanceof ProgramRefusedError
    ? error.message
    : `it cannot be checked from here: ${(error as Error).message}`;
}

/** The probe's facts of the program directories. */
interface ProgramFacts {
  stats: Record<string, ProbedFacts>;
  real: Record<string, string>;
  reads: Record<string, string | null>;
}

type ProbedFacts =
  | { file: boolean; mode: number; size: number }
  | null
  | "unknown";

/** The probe's facts as the files `resolveProgramFile` reads. */
function probedFiles(facts: Record<string, unknown>): ProgramFiles {
  const { stats, real, reads } = facts as unknown as ProgramFacts;
  const outside = (path: string) =>
    new Error(`${path} leads out of what the probe sees`);
  return {
    stat: (path) => {
      const found = stats?.[path];
      if (found === "unknown") return Promise.reject(outside(path));
      if (!found) return Promise.resolve(undefined);
      return Promise.resolve({
        isFile: found.file,
        mode: found.mode,
        size: found.size,
      });
    },
    realPath: (path) =>
      real?.[path] === undefined
        ? Promise.reject(outside(path))
        : Promise.resolve(real[path]!),
    read: (path) => {
      const data = reads?.[path];
      if (data === null) {
        return Promise.reject(
          new Error(
            `${path} is larger than ${
              MAX_PROBED_PROGRAM_BYTES / 1024 / 1024
            } MiB`,
          ),
        );
      }
      if (data === undefined) return Promise.reject(outside(path));
      return Promise.resolve(decodeBase64(data));
    },
  };
}

/**
 * Base64 to bytes in one pass (`Uint8Array.from` with a map function takes
 * over a second for a 4 MB program, on the engine's thread).
 */
function decodeBase64(data: string): Uint8Array {
  const text = atob(data);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Runs the probe with these binds, its request on stdin; its answer. */
async function runProbe(
  sandbox: ProbeSandbox,
  request: Record<string, unknown>,
  binds: { views?: string[]; tryViews?: string[] },
): Promise<Record<string, unknown>> {
  // Unconfined (AGENTOS_SANDBOX=none), the probe would see the whole host.
  if (sandbox.kind !== "bubblewrap") {
    throw new RpcError(
      ErrorCode.Forbidden,
      "Nothing is resolved for a prompt without the bubblewrap sandbox",
      { check: "probe" },
    );
  }
  const command = sandbox.command({
    kind: "script",
    source: HOST_PROBE_PY,
    files: [],
    ...binds,
    readAny: true,
  }, { ...sandbox.limits, cpuSeconds: PROBE_TIMEOUT_MS / 1000 });
  try {
    const child = spawnCommand(command);
    const timer = setTimeout(() => child.kill("SIGKILL"), PROBE_TIMEOUT_MS);
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(request)));
    await writer.close();
    const out = await child.output().finally(() => clearTimeout(timer));
    if (!out.success) {
      throw new Error(
        new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ??
          "no output",
      );
    }
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } catch (error) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `The host probe failed, so nothing is offered: ${
        (error as Error).message.slice(0, 200)
      }`,
      { check: "probe" },
    );
  } finally {
    await command.release();
  }
}
