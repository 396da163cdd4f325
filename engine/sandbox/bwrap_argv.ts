import type { PythonRuntime } from "./python_runtime.ts";

/** Where the SDK (`python/`) appears inside the sandbox. */
export const SDK_MOUNT = "/sdk";

/** Where a skill directory being read at `skills.add` appears. */
export const SKILL_MOUNT = "/skill";

/** Where a skill's installed Python packages appear (read-only). */
export const PACKAGES_MOUNT = "/packages";

/** The uid and gid a worker runs as inside its user namespace (nobody). */
export const SANDBOX_ID = 65534;

/** The whole environment of a worker. */
export const WORKER_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: "/usr/bin:/bin",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
});

/** Options for {@linkcode bwrapArgv}. */
export interface BwrapArgvOptions {
  /** The interpreter and host layout, from `inspectPython`. */
  runtime: PythonRuntime;
  /** Host path of `python/` (SDK and worker), bound read-only at `/sdk`. */
  sdkDir: string;
  /**
   * Run as nobody in a new user namespace with every capability dropped.
   * Needs user namespaces (unprivileged, or bwrap run by root).
   */
  userNamespace: boolean;
  /** Size of the private `/tmp`, in bytes. */
  tmpBytes: number;
  /** A host directory bound read-only at `/skill` (reading a skill at add time). */
  skillDir?: string;
  /** A skill's installed packages, bound read-only at `/packages`. */
  packagesDir?: string;
  /** Arguments after the interpreter, e.g. `["-I", "-S", "/sdk/worker_main.py"]`. */
  pythonArgs: string[];
}

/**
 * The bubblewrap arguments that run the interpreter confined: new user,
 * pid, network, ipc, uts and cgroup namespaces (so no network at all: the
 * network namespace holds only a downed loopback), a new session, killed
 * with its parent, a cleared environment, read-only binds of only the
 * interpreter's prefixes, the C library paths and the SDK, a private size
 * capped `/tmp` (the only writable place: the root is remounted
 * read-only), and a minimal `/proc` and `/dev`. No home directory, no
 * `AGENTOS_HOME`, no skill directory (sources travel as text in the call).
 *
 * Every path is fixed or comes from the runtime description: nothing is
 * globbed or walked, so the cost does not grow with what the host holds.
 *
 * @param options what to bind and run
 * @returns the arguments for `bwrap`
 */
export function bwrapArgv(options: BwrapArgvOptions): string[] {
  const { runtime } = options;
  const args = ["--unshare-all"];
  if (options.userNamespace) {
    args.push(
      "--unshare-user",
      "--uid",
      String(SANDBOX_ID),
      "--gid",
      String(SANDBOX_ID),
      "--disable-userns",
    );
  }
  args.push(
    "--cap-drop",
    "ALL",
    "--hostname",
    "agentos-skill",
    "--die-with-parent",
    "--new-session",
    "--clearenv",
  );
  for (const [name, value] of Object.entries(WORKER_ENV)) {
    args.push("--setenv", name, value);
  }
  // /tmp first, so a prefix that happens to live under /tmp stays visible.
  args.push("--size", String(options.tmpBytes), "--tmpfs", "/tmp");
  const prefixes = runtime.prefixes.filter((prefix, _, all) =>
    !all.some((other) => other !== prefix && isInside(prefix, other))
  );
  for (const [path, host] of Object.entries(runtime.layout)) {
    if (prefixes.some((prefix) => isInside(path, prefix))) continue;
    if (host.kind === "dir") args.push("--ro-bind", path, path);
    else if (host.kind === "symlink") {
      args.push("--symlink", host.target, path);
    }
  }
  for (const prefix of prefixes) args.push("--ro-bind", prefix, prefix);
  const bin = runtime.executable.slice(0, runtime.executable.lastIndexOf("/"));
  if (!prefixes.some((prefix) => isInside(runtime.executable, prefix))) {
    args.push("--ro-bind", bin, bin);
  }
  args.push("--ro-bind", options.sdkDir, SDK_MOUNT);
  if (options.packagesDir !== undefined) {
    args.push("--ro-bind", options.packagesDir, PACKAGES_MOUNT);
  }
  if (options.skillDir !== undefined) {
    args.push("--ro-bind", options.skillDir, SKILL_MOUNT);
  }
  args.push(
    "--proc",
    "/proc",
    // Sysctl writes are allowed by uid alone, and a worker of an engine run
    // by root IS uid 0 outside its namespace (without capabilities): a
    // writable /proc/sys would let it set kernel.core_pattern and run code
    // as root. bwrap covers /proc/sys only when it looks writable to the
    // sandbox user, which a 0555 directory does not.
    "--ro-bind",
    "/proc/sys",
    "/proc/sys",
    "--ro-bind-try",
    "/proc/sysrq-trigger",
    "/proc/sysrq-trigger",
    "--dev",
    "/dev",
    // bwrap's root is a writable tmpfs with no size cap: without this a
    // skill could fill memory through files in "/". /tmp stays writable
    // (its own size-capped mount).
    "--remount-ro",
    "/",
    "--chdir",
    "/tmp",
    "--",
    runtime.executable,
    ...options.pythonArgs,
  );
  return args;
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === "/" ? "/" : `${dir}/`);
}
