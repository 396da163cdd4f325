/**
 * bubblewrap's argument list for a confined interpreter: the namespaces,
 * the identity, the mounts in the order they must be made, and the command.
 *
 * @module
 */
import type { PythonRuntime } from "./python_runtime.ts";
import {
  identityFlags,
  type SandboxIdentity,
  SETPRIV_COMMAND,
  SETPRIV_MOUNT,
  SETPRIV_READ_COMMAND,
} from "./sandbox_identity.ts";

/** Where the SDK (`python/`) appears inside the sandbox. */
export const SDK_MOUNT = "/sdk";

/** Where a skill directory being read at `skills.add` appears. */
export const SKILL_MOUNT = "/skill";

/** Where a skill's installed Python packages appear (read-only). */
export const PACKAGES_MOUNT = "/packages";

/** Where the files of a script run (an SQL runner's databases) appear: `/db/0.sqlite`, … */
export const FILES_MOUNT = "/db";

/** `$HOME` inside: the call's own `/tmp`, private and empty when the call starts. */
export const SANDBOX_HOME = "/tmp";

/** The host's zone database and local time, bound read-only when they exist (for `zoneinfo`). */
export const ZONE_PATHS = ["/usr/share/zoneinfo", "/etc/localtime"];

/** The descriptor the launcher opens the seccomp filter on. */
export const SECCOMP_FD = 3;

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
  /** How the sandbox's user is made (see {@linkcode SandboxIdentity}). */
  identity: SandboxIdentity;
  /** Host path of `setpriv` (identity `setpriv`). */
  setpriv?: string;
  /** Size of the private `/tmp`, in bytes. */
  tmpBytes: number;
  /** Size of `/dev/shm`, in bytes. */
  shmBytes: number;
  /** Read the seccomp filter from {@linkcode SECCOMP_FD}. */
  seccomp: boolean;
  /** A host directory bound read-only at `/skill` (reading a skill at add time). */
  skillDir?: string;
  /** A skill's installed packages, bound read-only at `/packages`. */
  packagesDir?: string;
  /**
   * Files bound read-only at `/db/<i>.sqlite`, each with its `-wal`, `-shm`
   * and `-journal` beside it when they exist (an SQL runner's databases).
   */
  files?: string[];
  /**
   * Host files or folders bound read-only at their own paths (an SQL
   * runner's `--read` grants): inside, a link in them resolves only to
   * what the sandbox holds, never to the engine's home or the rest of
   * the host.
   */
  views?: string[];
  /** Like `views`, each bound only when it exists on the host. */
  tryViews?: string[];
  /**
   * Identity `setpriv` only: keep `CAP_DAC_READ_SEARCH` (inheritable and
   * ambient) through `setpriv`, for a script that opens files only root may
   * read and drops every capability before it reads untrusted input.
   */
  readCapability?: boolean;
  /** Arguments after the interpreter, e.g. `["-I", "-S", "/sdk/worker_main.py"]`. */
  pythonArgs: string[];
  /** The host's `TZ`, already checked (see `hostTimeZone`). */
  timeZone?: string;
}

/**
 * The bubblewrap arguments that run the interpreter confined: new pid,
 * network, ipc, uts and cgroup namespaces (so no network at all: the
 * network namespace holds only a downed loopback), a user namespace or an
 * unprivileged uid outside (see {@linkcode SandboxIdentity}), no
 * capabilities, a new session, killed with its parent, the seccomp filter
 * and no reaper (`--as-pid-1`: the interpreter is the namespace's pid 1, so
 * the filter covers every process of the sandbox), a cleared environment,
 * read-only binds of only the interpreter's prefixes, the C library paths
 * and the SDK, and exactly two writable places, both size-capped tmpfs:
 * `/tmp` and `/dev/shm`. The root and `/dev` are remounted read-only. No
 * host home directory (`HOME` is the private `/tmp`), no `AGENTOS_HOME`, no skill directory (sources travel as text in
 * the call); the host's zone database and `TZ`, read-only.
 *
 * Every path is fixed or comes from the runtime description: nothing is
 * globbed or walked, so the cost does not grow with what the host holds.
 *
 * @param options what to bind and run
 * @returns the arguments for `bwrap`
 */
export function bwrapArgv(options: BwrapArgvOptions): string[] {
  return [
    ...namespaceFlags(),
    ...identityFlags(options.identity, options.readCapability === true),
    ...processFlags(),
    ...tmpMount(options),
    ...homeAndZone(options),
    ...hostMounts(planHostMounts(options)),
    ...kernelMounts(options),
    ...(options.seccomp ? ["--seccomp", String(SECCOMP_FD)] : []),
    "--",
    ...commandLine(options),
  ];
}

/** New pid, network, ipc, uts and cgroup namespaces (the user one is the identity's). */
function namespaceFlags(): string[] {
  return [
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-net",
    "--unshare-uts",
    "--unshare-cgroup",
  ];
}

/** A fixed hostname, killed with its parent, a new session, no reaper, a cleared environment. */
function processFlags(): string[] {
  const args = [
    "--hostname",
    "agentos-skill",
    "--die-with-parent",
    "--new-session",
    "--as-pid-1",
    "--clearenv",
  ];
  for (const [name, value] of Object.entries(WORKER_ENV)) {
    args.push("--setenv", name, value);
  }
  return args;
}

/** The size-capped private `/tmp`, mounted before any bind. */
function tmpMount(options: BwrapArgvOptions): string[] {
  // /tmp first, so a prefix that happens to live under /tmp stays visible.
  // 1777: writable by the sandbox's user whoever created the mount.
  return [
    "--perms",
    "1777",
    "--size",
    String(options.tmpBytes),
    "--tmpfs",
    "/tmp",
  ];
}

/**
 * `HOME`, the private `/tmp` (empty when the call starts, so `Path.home()`
 * works and nothing of the host's home is seen), and the host's `TZ`.
 */
function homeAndZone(options: BwrapArgvOptions): string[] {
  const args = ["--setenv", "HOME", SANDBOX_HOME];
  if (options.timeZone !== undefined) {
    args.push("--setenv", "TZ", options.timeZone);
  }
  return args;
}

/** What of the host appears inside: symlinks, read-only binds, and binds made only if their source exists. */
interface HostMounts {
  /** `--symlink` arguments for the layout's symlinks outside the prefixes. */
  symlinks: string[];
  /** `[source, dest]`, bound read-only in this order. */
  binds: [string, string][];
  /** `[source, dest]`, bound read-only when the source exists. */
  tryBinds: [string, string][];
}

/**
 * The host paths the sandbox sees: the interpreter's outermost prefixes
 * and the layout outside them, the interpreter's directory, the SDK, the
 * skill's packages or directory, the script's databases, and `setpriv`.
 */
function planHostMounts(options: BwrapArgvOptions): HostMounts {
  const { runtime } = options;
  const prefixes = runtime.prefixes.filter((prefix, _, all) =>
    !all.some((other) => other !== prefix && isInside(prefix, other))
  );
  const symlinks: string[] = [];
  const binds: [string, string][] = [];
  for (const [path, host] of Object.entries(runtime.layout)) {
    if (prefixes.some((prefix) => isInside(path, prefix))) continue;
    if (host.kind === "dir") binds.push([path, path]);
    else if (host.kind === "symlink") {
      symlinks.push("--symlink", host.target, path);
    }
  }
  for (const prefix of prefixes) binds.push([prefix, prefix]);
  const bin = runtime.executable.slice(0, runtime.executable.lastIndexOf("/"));
  if (!prefixes.some((prefix) => isInside(runtime.executable, prefix))) {
    binds.push([bin, bin]);
  }
  binds.push([options.sdkDir, SDK_MOUNT]);
  if (options.packagesDir !== undefined) {
    binds.push([options.packagesDir, PACKAGES_MOUNT]);
  }
  if (options.skillDir !== undefined) {
    binds.push([options.skillDir, SKILL_MOUNT]);
  }
  const tryBinds = fileBinds(options.files ?? [], binds);
  for (const path of ZONE_PATHS) tryBinds.push([path, path]);
  for (const view of options.views ?? []) binds.push([view, view]);
  for (const view of options.tryViews ?? []) tryBinds.push([view, view]);
  if (options.identity === "setpriv") {
    binds.push([options.setpriv ?? "/usr/bin/setpriv", SETPRIV_MOUNT]);
  }
  return { symlinks, binds, tryBinds };
}

/**
 * Adds each file's bind at `/db/<i>.sqlite` to `binds`.
 *
 * @returns the `-wal`, `-shm` and `-journal` beside each, to bind if present
 */
function fileBinds(
  files: string[],
  binds: [string, string][],
): [string, string][] {
  const tryBinds: [string, string][] = [];
  files.forEach((file, i) => {
    const dest = `${FILES_MOUNT}/${i}.sqlite`;
    binds.push([file, dest]);
    for (const suffix of ["-wal", "-shm", "-journal"]) {
      tryBinds.push([`${file}${suffix}`, `${dest}${suffix}`]);
    }
  });
  return tryBinds;
}

/** The planned host mounts as arguments, each bind after the parents it needs. */
function hostMounts({ symlinks, binds, tryBinds }: HostMounts): string[] {
  const args = [...symlinks];
  // bubblewrap makes the missing parents of a mount point 0700 and owned
  // by whoever runs it: made explicitly, they are 0755 for nobody.
  const made = new Set<string>();
  const parents = (dest: string) => {
    for (const parent of ancestors(dest)) {
      if (made.has(parent) || binds.some(([, d]) => isInside(parent, d))) {
        continue;
      }
      made.add(parent);
      args.push("--perms", "0755", "--dir", parent);
    }
  };
  for (const [source, dest] of binds) {
    parents(dest);
    args.push("--ro-bind", source, dest);
  }
  for (const [source, dest] of tryBinds) {
    parents(dest);
    args.push("--ro-bind-try", source, dest);
  }
  return args;
}

/** `/proc` with its writable knobs covered, `/dev` with a capped `/dev/shm`, then `/dev` and the root read-only. */
function kernelMounts(options: BwrapArgvOptions): string[] {
  return [
    "--proc",
    "/proc",
    // Sysctl writes are allowed by uid alone: a writable /proc/sys would let
    // a process that is root outside set kernel.core_pattern. bwrap covers
    // /proc/sys only when it looks writable to the sandbox user.
    "--ro-bind",
    "/proc/sys",
    "/proc/sys",
    "--ro-bind-try",
    "/proc/sysrq-trigger",
    "/proc/sysrq-trigger",
    // --dev mounts a tmpfs with no size cap at /dev: shared memory gets its
    // own capped mount, and /dev itself is remounted read-only below (the
    // device nodes are their own bind mounts and keep working).
    "--dev",
    "/dev",
    "--perms",
    "1777",
    "--size",
    String(options.shmBytes),
    "--tmpfs",
    "/dev/shm",
    "--remount-ro",
    "/dev",
    // bwrap's root is a writable tmpfs with no size cap: without this a
    // skill could fill memory through files in "/".
    "--remount-ro",
    "/",
    "--chdir",
    "/tmp",
  ];
}

/** What runs after `--`: `setpriv` first for a root engine, then the interpreter. */
function commandLine(options: BwrapArgvOptions): string[] {
  const setpriv = options.identity !== "setpriv"
    ? []
    : options.readCapability
    ? SETPRIV_READ_COMMAND
    : SETPRIV_COMMAND;
  return [...setpriv, options.runtime.executable, ...options.pythonArgs];
}

/**
 * The directories bubblewrap makes on the way to a mount point.
 *
 * @param path an absolute path, `/a/b/c`
 * @returns its ancestors below `/`, `["/a", "/a/b"]`
 */
export function ancestors(path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  return parts.slice(0, -1).map((_, i) =>
    `/${parts.slice(0, i + 1).join("/")}`
  );
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === "/" ? "/" : `${dir}/`);
}
