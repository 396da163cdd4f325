import {
  ancestors,
  identityFlags,
  type ProgramConfinement,
  SECCOMP_FD,
  SETPRIV_COMMAND,
  SETPRIV_MOUNT,
} from "../../sandbox/mod.ts";
import {
  forwarderCommand,
  NET_SOCKET_MOUNT,
  proxyEnv,
} from "./program_forwarder.ts";
import { PROGRAM_RULE_ENV } from "../../grants/mod.ts";

/** What one `shell.run` runs and what it may see. */
export interface ShellArgvOptions {
  /** The program's absolute host path (resolved when the owner granted it). */
  program: string;
  args: string[];
  /** Working directory inside the sandbox. */
  cwd: string;
  /** The granted folder, shown at its own path (read-write unless `folderReadOnly`). */
  writable?: string;
  /** Where bubblewrap takes the granted folder from: its stage (see grant_stage.ts). */
  folderFrom?: string;
  /** The granted folder is bound read-only (the owner did not add `--write`). */
  folderReadOnly?: boolean;
  /** Further host paths shown inside (the copy-back's folder, upper layer and view). */
  mounts?: { source: string; dest: string; write: boolean }[];
  /** Host directories of the user's config it may read (bound read-only). */
  config: string[];
  /** `$HOME` inside (default `/tmp`). */
  home?: string;
  /**
   * The owner's `--net` grant: the program's private network namespace
   * reaches out through the engine's proxy (never the host's namespace).
   */
  net: boolean;
  /** Host path of the call's proxy socket (needed with `net`). */
  netSocket?: string;
  /** How the engine confines: the sandbox's identity, setpriv, seccomp. */
  confinement: ProgramConfinement;
  /** Size of the private `/tmp`, in bytes. */
  tmpBytes: number;
  /**
   * `$AGENTOS_HOME`: covered by an empty tmpfs where a system directory
   * would show it (a home under `/opt` or `/etc` held the vault key).
   */
  engineHome?: string;
}

/** System directories a program sees, read-only (each only where it exists). */
const SYSTEM_DIRS = [
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/etc",
  "/opt",
];

/** Files under those that hold other users' secrets: replaced by an empty file. */
const MASKED = ["/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-"];

/** The environment of every program: nothing of the engine's. */
export const PROGRAM_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: "/usr/local/bin:/usr/bin:/bin",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  TERM: "dumb",
  // Git's own ways to run code closed, for git and whatever starts it.
  ...PROGRAM_RULE_ENV,
});

/**
 * The bubblewrap arguments of one `shell.run`: every namespace new (the
 * network always: see {@linkcode networkArgs}), the engine's identity (nobody: in a user
 * namespace, or through `setpriv` for a root engine), the seccomp floor
 * that allows new processes on fd 3, read-only system directories and no home,
 * no `AGENTOS_HOME`, no `/root`, `/home`, `/run` or `/var` — only the
 * directory the owner granted is writable and only the config directories
 * granted are visible; a private size-capped `/tmp`; a cleared
 * environment; killed with the engine; argv passed as is (no shell).
 *
 * @param options the program, its arguments and what it may see
 * @returns the arguments for `bwrap`
 */
export function shellArgv(options: ShellArgvOptions): string[] {
  const { confinement } = options;
  // Each namespace by name: --unshare-all would add a user namespace, in
  // which a root engine's setpriv could not become nobody.
  const args = [
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-uts",
    "--unshare-cgroup",
    "--unshare-net",
  ];
  const network = networkArgs(options);
  args.push(
    ...identityFlags(confinement.identity),
    "--hostname",
    "agentos-shell",
    "--die-with-parent",
    "--new-session",
    "--as-pid-1",
    "--clearenv",
  );
  const env = { ...PROGRAM_ENV, HOME: options.home ?? "/tmp", ...network.env };
  for (const [name, value] of Object.entries(env)) {
    args.push("--setenv", name, value);
  }
  // 1777: writable by the sandbox's user whoever created the mount.
  args.push(
    "--perms",
    "1777",
    "--size",
    String(options.tmpBytes),
    "--tmpfs",
    "/tmp",
  );
  for (const dir of SYSTEM_DIRS) args.push("--ro-bind-try", dir, dir);
  for (const file of MASKED) args.push("--ro-bind-try", "/dev/null", file);
  const home = options.engineHome;
  if (home && SYSTEM_DIRS.some((d) => home === d || home.startsWith(`${d}/`))) {
    args.push("--tmpfs", home);
  }
  args.push("--proc", "/proc", "--dev", "/dev");
  const binds: (readonly [string, string, "--ro-bind" | "--bind"])[] = [
    ...options.config.map((dir) => [dir, dir, "--ro-bind"] as const),
    ...folderBinds(options),
    ...(confinement.identity === "setpriv"
      ? [
        [
          confinement.setpriv ?? "/usr/bin/setpriv",
          SETPRIV_MOUNT,
          "--ro-bind",
        ] as const,
      ]
      : []),
    ...network.binds,
  ];
  // Directories bubblewrap makes on the way to a bind are 0700 by default:
  // 0755, so nobody can reach what was granted.
  const made = new Set(["/tmp", ...SYSTEM_DIRS]);
  for (const [source, dest, how] of binds) {
    for (const parent of ancestors(dest)) {
      if (
        made.has(parent) || SYSTEM_DIRS.some((d) => parent.startsWith(`${d}/`))
      ) continue;
      made.add(parent);
      args.push("--perms", "0755", "--dir", parent);
    }
    args.push(how, source, dest);
  }
  args.push(...gitMetadataReadOnly(options.writable, options.folderFrom));
  args.push("--remount-ro", "/", "--chdir", options.cwd);
  if (confinement.seccomp) args.push("--seccomp", String(SECCOMP_FD));
  args.push("--");
  if (confinement.identity === "setpriv") args.push(...SETPRIV_COMMAND);
  args.push(...network.command, options.program, ...options.args);
  return args;
}

/**
 * What `--net` adds to a program's sandbox, whose network namespace is
 * private either way: the call's proxy socket (the engine listens on it
 * and checks every connection), the interpreter of the forwarder that
 * relays the private loopback to it, the forwarder put before the program,
 * and the proxy variables. Nothing without `--net`: no socket, no way out.
 *
 * @param options the program's options (`net`, `netSocket`, confinement)
 * @returns binds, environment and the command before the program
 * @throws {TypeError} for `net` without a socket or an interpreter
 */
function networkArgs(options: ShellArgvOptions): {
  binds: (readonly [string, string, "--ro-bind"])[];
  env: Record<string, string>;
  command: string[];
} {
  if (!options.net) return { binds: [], env: {}, command: [] };
  const { python } = options.confinement;
  if (options.netSocket === undefined || python === undefined) {
    throw new TypeError("a --net program needs the proxy socket and Python");
  }
  const binds = python.dirs
    .filter((dir) =>
      !SYSTEM_DIRS.some((d) => dir === d || dir.startsWith(`${d}/`))
    )
    .map((dir) => [dir, dir, "--ro-bind"] as const);
  return {
    binds: [...binds, [options.netSocket, NET_SOCKET_MOUNT, "--ro-bind"]],
    env: proxyEnv(),
    command: forwarderCommand(python.executable),
  };
}

/** What git reads as code or config in a repository's `.git`: never writable. */
export const GIT_METADATA = [
  "config",
  "config.worktree",
  "commondir",
  "hooks",
  "info",
  "modules",
  "worktrees",
];

/**
 * Read-only binds over a writable grant's `.git/config`, hooks and the
 * rest of {@linkcode GIT_METADATA} (each only where it exists: a bind
 * would create a missing one on the host): whatever the program does,
 * it leaves no hook, fsmonitor or alias for the owner's own git, which
 * runs outside the sandbox.
 *
 * @param writable the granted writable directory, if any
 * @param from where its bind comes from (its stage), when not the host path:
 *   the binds' sources come from there too, never through a link on the host
 * @returns bubblewrap arguments, to follow the writable bind
 */
export function gitMetadataReadOnly(
  writable: string | undefined,
  from: string = writable ?? "",
): string[] {
  if (!writable) return [];
  return GIT_METADATA.flatMap((name) => [
    "--ro-bind-try",
    `${from}/.git/${name}`,
    `${writable}/.git/${name}`,
  ]);
}

/**
 * The granted folder, from its stage when there is one and read-only
 * unless the owner added `--write`, then any further mounts.
 *
 * @param options the program's options
 * @returns `[source, dest, how]` for each
 */
function folderBinds(
  options: ShellArgvOptions,
): (readonly [string, string, "--ro-bind" | "--bind"])[] {
  const binds: (readonly [string, string, "--ro-bind" | "--bind"])[] = [];
  if (options.writable) {
    binds.push([
      options.folderFrom ?? options.writable,
      options.writable,
      options.folderReadOnly ? "--ro-bind" : "--bind",
    ]);
  }
  for (const mount of options.mounts ?? []) {
    binds.push([
      mount.source,
      mount.dest,
      mount.write ? "--bind" : "--ro-bind",
    ]);
  }
  return binds;
}
