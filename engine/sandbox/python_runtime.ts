/** What the sandbox needs to know about the Python interpreter and the host. */
export interface PythonRuntime {
  /** The interpreter's real path (symbolic links resolved). */
  executable: string;
  /** `sys.prefix`, `sys.base_prefix` and the exec prefixes, deduplicated. */
  prefixes: string[];
  /** e.g. `3.11.7`. */
  version: string;
  /** `os.uname().machine`, e.g. `x86_64`. */
  machine: string;
  /**
   * The fixed library paths the C library lives in, and what each is on
   * this host: a directory, a symbolic link (with its target) or missing.
   */
  layout: Record<string, HostPath>;
}

/** One host path as the sandbox should reproduce it. */
export type HostPath =
  | { kind: "dir" }
  | { kind: "symlink"; target: string }
  | { kind: "missing" };

/**
 * Fixed host paths bound read-only into the sandbox when they exist: the C
 * library and the loader. Fixed, never globbed or walked, so set-up costs
 * the same whatever the host holds.
 */
export const LIBRARY_PATHS = ["/usr/lib", "/usr/lib64", "/lib", "/lib64"];

// Runs once at engine start, outside any sandbox (the interpreter is trusted).
// It describes the interpreter and byte-compiles the SDK into __pycache__,
// because inside the sandbox /sdk is read-only and every worker would
// otherwise compile the SDK from source on each start. It stays light (no
// json, re or compileall unless a .pyc is missing or older than its source):
// it is on the path of every engine start.
const INSPECT = `
import os, sys
sdk = sys.argv[1]
sys.path.insert(0, sdk)
from agentos import _codec
tag = sys.implementation.cache_tag
sources = [os.path.join(sdk, "worker_main.py")] + [
    os.path.join(top, name)
    for top, dirs, names in os.walk(os.path.join(sdk, "agentos"))
    if "__pycache__" not in top
    for name in names if name.endswith(".py")
]
def stale(path):
    top, name = os.path.split(path)
    try:
        cached = os.stat(os.path.join(top, "__pycache__", f"{name[:-3]}.{tag}.pyc"))
        return cached.st_mtime < os.stat(path).st_mtime
    except OSError:
        return True
compiled = True
if any(stale(path) for path in sources):
    import compileall
    compiled = compileall.compile_dir(os.path.join(sdk, "agentos"), quiet=1) and \\
        compileall.compile_file(os.path.join(sdk, "worker_main.py"), quiet=1)
layout = {}
for path in ${JSON.stringify(LIBRARY_PATHS)}:
    if os.path.islink(path):
        layout[path] = {"kind": "symlink", "target": os.readlink(path)}
    elif os.path.isdir(path):
        layout[path] = {"kind": "dir"}
    else:
        layout[path] = {"kind": "missing"}
prefixes = []
for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
    p = os.path.realpath(p)
    if p not in prefixes:
        prefixes.append(p)
print(_codec.dumps({
    "executable": os.path.realpath(sys.executable),
    "prefixes": prefixes,
    "version": sys.version.split()[0],
    "machine": os.uname().machine,
    "layout": layout,
    "compiled": bool(compiled),
}))
`;

/**
 * Describes the interpreter (prefixes, version, host library layout) and
 * byte-compiles the SDK, in one short run of the interpreter.
 *
 * @param python the interpreter (`AGENTOS_PYTHON`)
 * @param sdkDir the `python/` directory holding `agentos/` and `worker_main.py`
 * @returns the runtime description
 * @throws {Error} when the interpreter cannot run or says something unexpected
 */
export async function inspectPython(
  python: string,
  sdkDir: string,
): Promise<PythonRuntime & { compiled: boolean }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(python, {
      args: ["-I", "-S", "-c", INSPECT, sdkDir],
      clearEnv: true,
      env: { LANG: "C.UTF-8" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(
      `Cannot run the Python interpreter "${python}": ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (!output.success) {
    throw new Error(
      `The Python interpreter "${python}" failed (exit ${output.code}): ${
        stderr.slice(-500)
      }`,
    );
  }
  return JSON.parse(new TextDecoder().decode(output.stdout));
}
