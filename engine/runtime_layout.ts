import { dirname, join, pathOf, relative } from "./paths.ts";
/**
 * Where this build of AgentOS finds its parts. From a checkout, everything
 * sits in the repository and the engine is started with `deno task engine`.
 * Compiled with `deno task compile`, the engine is the `agentos-engine`
 * executable beside `agentos` and `agentos-mcp`, and the Python SDK and the
 * bundled skills live inside the executable: the engine copies them once per
 * version into `$AGENTOS_HOME/runtime/`, read-only, because bubblewrap binds
 * host directories and cannot see a compiled executable's embedded files.
 *
 * @module
 */
import type { HomePaths } from "./home.ts";
import { VERSION } from "./version.ts";

/** `python/` as this build sees it: the checkout's, or the embedded copy. */
export const PYTHON_SOURCE_DIR = pathOf(
  new URL("../python", import.meta.url),
);

/** The repository's `deno.json` (inside a compiled executable: embedded). */
const DENO_CONFIG = pathOf(new URL("../deno.json", import.meta.url));

/** The compiled engine's file name, beside `agentos` and `agentos-mcp`. */
export const ENGINE_EXECUTABLE = "agentos-engine";

/** Whether this process runs from a `deno compile`d executable. */
export function isCompiled(): boolean {
  return Deno.build.standalone === true;
}

/** A command that runs the engine in the foreground. */
export interface EngineLaunch {
  /** The program. */
  program: string;
  /** Its arguments. */
  args: string[];
}

/**
 * How to start the engine from this build: the `engine` task of this
 * checkout's `deno.json` (its narrow permission flags), or, compiled, the
 * `agentos-engine` beside the running executable (flags embedded).
 *
 * @param compiled whether this is a compiled build (a seam for tests)
 * @returns the command
 */
export function engineLaunch(compiled: boolean = isCompiled()): EngineLaunch {
  if (compiled) {
    return {
      program: join(dirname(Deno.execPath()), ENGINE_EXECUTABLE),
      args: [],
    };
  }
  return {
    program: Deno.execPath(),
    args: ["task", "-q", "--config", DENO_CONFIG, "engine"],
  };
}

/** Options for {@linkcode pythonDir}. */
export interface PythonDirOptions {
  /** Treat this as a compiled build (default: {@linkcode isCompiled}). */
  compiled?: boolean;
  /** The directory to copy (default: {@linkcode PYTHON_SOURCE_DIR}). */
  source?: string;
  /** An interpreter that byte-compiles the copy before it is sealed. */
  python?: string;
}

/**
 * The host directory holding the Python SDK, `worker_main.py` and the
 * bundled skills (`skills/`), ready to bind into the sandbox.
 *
 * From a checkout that is the repository's `python/`. Compiled, it is
 * `$AGENTOS_HOME/runtime/python-<version>-<content hash>/`, extracted on the
 * first run of a new build: copied into a temporary directory beside it,
 * byte-compiled, made read-only (files 0444, directories 0555) and renamed
 * into place, so a reader sees a complete copy or none, and two processes
 * extracting at once both end up with the same directory.
 *
 * @param paths the home
 * @param options compiled flag, source directory and interpreter
 * @returns an absolute directory path
 */
export async function pythonDir(
  paths: HomePaths,
  options: PythonDirOptions = {},
): Promise<string> {
  const source = options.source ?? PYTHON_SOURCE_DIR;
  if (!(options.compiled ?? isCompiled())) return source;
  const files = await listPayload(source);
  const hash = await payloadHash(source, files);
  const runtime = join(paths.home, "runtime");
  const target = join(runtime, `python-${VERSION}-${hash}`);
  if (await isDirectory(target)) return target;
  await Deno.mkdir(runtime, { recursive: true, mode: 0o700 });
  const staging = await Deno.makeTempDir({
    dir: runtime,
    prefix: ".python-",
  });
  try {
    for (const file of files) {
      const to = join(staging, file);
      await Deno.mkdir(dirname(to), { recursive: true });
      await Deno.writeFile(to, await Deno.readFile(join(source, file)));
    }
    if (options.python !== undefined) {
      // Byte-compile now: the sandbox binds the copy read-only, and every
      // worker would otherwise compile the SDK from source on each start.
      await new Deno.Command(options.python, {
        args: ["-I", "-S", "-m", "compileall", "-q", staging],
        clearEnv: true,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).output();
    }
    await seal(staging);
    try {
      await Deno.rename(staging, target);
    } catch (error) {
      // Another process finished first: its copy has the same content.
      if (!(await isDirectory(target))) throw error;
      await removeSealed(staging);
    }
  } catch (error) {
    await removeSealed(staging).catch(() => {});
    throw error;
  }
  return target;
}

/** Files to ship, relative to `source`, sorted; tests and caches left out. */
async function listPayload(source: string, dir = source): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name === "__pycache__" || entry.name.endsWith(".pyc")) continue;
    const path = join(dir, entry.name);
    if (dir === source && entry.name === "tests") continue;
    if (entry.isDirectory) files.push(...await listPayload(source, path));
    else if (entry.isFile) files.push(relative(source, path));
  }
  return files.sort();
}

async function payloadHash(source: string, files: string[]): Promise<string> {
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for (const file of files) {
    const content = await Deno.readFile(join(source, file));
    parts.push(encoder.encode(`${file}\0${content.length}\0`), content);
  }
  const all = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest.slice(0, 6), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

async function seal(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) await seal(path);
    else await Deno.chmod(path, 0o444);
  }
  await Deno.chmod(dir, 0o555);
}

async function removeSealed(dir: string): Promise<void> {
  const unseal = async (path: string): Promise<void> => {
    await Deno.chmod(path, 0o700);
    for await (const entry of Deno.readDir(path)) {
      if (entry.isDirectory) await unseal(join(path, entry.name));
    }
  };
  await unseal(dir);
  await Deno.remove(dir, { recursive: true });
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
