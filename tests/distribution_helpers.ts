/**
 * Helpers for the distribution tests: a fresh `git clone` of this
 * repository carrying the working tree's uncommitted state, and running
 * programs with a test home's environment.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { REPO_ROOT, taskCommand, taskEnv } from "./_task_command.ts";

/** What a program printed and how it ended. */
export interface ProgramRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@linkcode runProgram}. */
export interface RunProgramOptions {
  /** Working directory. */
  cwd?: string;
  /** The whole environment (default: none). */
  env?: Record<string, string>;
}

/**
 * Runs a program to completion.
 *
 * @param program the executable
 * @param args its arguments
 * @param options working directory and environment
 * @returns exit code and output
 */
export async function runProgram(
  program: string,
  args: string[],
  options: RunProgramOptions = {},
): Promise<ProgramRun> {
  const { code, stdout, stderr } = await new Deno.Command(program, {
    args,
    cwd: options.cwd,
    clearEnv: true,
    env: options.env ?? {},
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

/**
 * The environment a user's shell would give the launchers for a home: the
 * test interpreter, and Deno on PATH (so the clone's scripts/deno uses it
 * instead of installing its own into .tools/).
 *
 * @param home the AGENTOS_HOME
 * @returns the environment
 */
export function userEnv(home: string): Record<string, string> {
  const env = taskEnv(home);
  const userHome = Deno.env.get("HOME");
  return userHome ? { ...env, HOME: userHome } : env;
}

/**
 * Runs the CLI exactly as the `agentos` task does, with extra environment
 * (e.g. a temporary `HOME` and `XDG_CONFIG_HOME`).
 *
 * @param home the AGENTOS_HOME
 * @param args the CLI arguments
 * @param env variables added to the task's environment
 * @returns exit code and output
 */
export function runAgentosWith(
  home: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ProgramRun> {
  const [program, ...taskArgs] = taskCommand("agentos", home);
  return runProgram(program!, [...taskArgs, ...args], {
    cwd: REPO_ROOT,
    // Deno's cache lives under HOME: keep using the real one.
    env: { ...taskEnv(home), DENO_DIR: denoDir(), ...env },
  });
}

let cacheDir: string | undefined;

/** Deno's cache directory (it follows HOME unless DENO_DIR says otherwise). */
export function denoDir(): string {
  cacheDir ??= JSON.parse(
    new TextDecoder().decode(
      new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
        .outputSync().stdout,
    ),
  ).denoDir;
  return cacheDir!;
}

async function git(args: string[], cwd = REPO_ROOT): Promise<string> {
  const run = await runProgram("git", args, {
    cwd,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
  });
  if (run.code !== 0) {
    throw new Error(`git ${args.join(" ")} failed: ${run.stderr}`);
  }
  return run.stdout;
}

/** A temporary clone, removed on dispose. */
export interface Clone extends AsyncDisposable {
  /** The clone's root. */
  dir: string;
}

/**
 * A fresh clone of this repository in a temporary directory, with the
 * working tree's modified, added and deleted files applied on top (the lead
 * commits often; the tests check what is in the tree now).
 *
 * @returns the clone; dispose of it to remove it
 */
export async function freshClone(): Promise<Clone> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-clone-" });
  const result: Clone = {
    dir,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
  await git(["clone", "--quiet", REPO_ROOT, dir]);
  const listed = await git([
    "ls-files",
    "-z",
    "--modified",
    "--others",
    "--exclude-standard",
  ]);
  for (const file of new Set(listed.split("\0").filter(Boolean))) {
    const from = join(REPO_ROOT, file);
    const to = join(dir, file);
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(from);
    } catch {
      // Deleted in the working tree.
      await Deno.remove(to).catch(() => {});
      continue;
    }
    if (!info.isFile) continue;
    await Deno.mkdir(dirname(to), { recursive: true });
    await Deno.copyFile(from, to);
  }
  return result;
}
