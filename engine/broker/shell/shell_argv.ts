import {
  ancestors,
  identityFlags,
  type ProgramConfinement,
  SECCOMP_FD,
  SETPRIV_COMMAND,
  SETPRIV_MOUNT,
} from "../../sandbox/mod.ts";

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
  /** Keep the host's network (the owner's `--net` grant). */
  net: boolean;
  /** How the engine confines: the sandbox's identity, setpriv, seccomp. */
  confinement: ProgramConfinement;
  /** Size of the private `/tmp`, in bytes. */
  tmpBytes: number;
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
});

/**
 * The bubblewrap arguments of one `shell.run`: every namespace new (the
 * network too, unless granted), the engine's identity (nobody: in a user
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
  ];
  if (!options.net) args.push("--unshare-net");
  args.push(
    ...identityFlags(confinement.identity),
    "--hostname",
    "agentos-shell",
    "--die-with-parent",
    "--new-session",
    "--as-pid-1",
    "--clearenv",
  );
  const env = { ...PROGRAM_ENV, HOME: options.home ?? "/tmp" };
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
  args.push("--remount-ro", "/", "--chdir", options.cwd);
  if (confinement.seccomp) args.push("--seccomp", String(SECCOMP_FD));
  args.push("--");
  if (confinement.identity === "setpriv") args.push(...SETPRIV_COMMAND);
  args.push(options.program, ...options.args);
  return args;
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
