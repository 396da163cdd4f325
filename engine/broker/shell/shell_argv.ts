/** What one `shell.run` runs and what it may see. */
export interface ShellArgvOptions {
  /** The program's absolute host path (resolved when the owner granted it). */
  program: string;
  args: string[];
  /** Working directory inside the sandbox. */
  cwd: string;
  /** The one host directory it may write (bound read-write at the same path). */
  writable?: string;
  /** Host directories of the user's config it may read (bound read-only). */
  config: string[];
  /** `$HOME` inside (default `/tmp`). */
  home?: string;
  /** Keep the host's network (the owner's `--net` grant). */
  net: boolean;
  /** Run as nobody in a new user namespace. */
  userNamespace: boolean;
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
 * network too, unless granted), read-only system directories and no home,
 * no `AGENTOS_HOME`, no `/root`, `/home`, `/run` or `/var` — only the
 * directory the owner granted is writable and only the config directories
 * granted are visible; a private size-capped `/tmp`; a cleared
 * environment; killed with the engine; argv passed as is (no shell).
 *
 * @param options the program, its arguments and what it may see
 * @returns the arguments for `bwrap`
 */
export function shellArgv(options: ShellArgvOptions): string[] {
  const args = ["--unshare-all"];
  if (options.net) args.push("--share-net");
  if (options.userNamespace) {
    args.push(
      "--unshare-user",
      "--uid",
      "65534",
      "--gid",
      "65534",
      "--disable-userns",
    );
  }
  args.push(
    "--cap-drop",
    "ALL",
    "--hostname",
    "agentos-shell",
    "--die-with-parent",
    "--new-session",
    "--clearenv",
  );
  const env = { ...PROGRAM_ENV, HOME: options.home ?? "/tmp" };
  for (const [name, value] of Object.entries(env)) {
    args.push("--setenv", name, value);
  }
  args.push("--size", String(options.tmpBytes), "--tmpfs", "/tmp");
  for (const dir of SYSTEM_DIRS) args.push("--ro-bind-try", dir, dir);
  for (const file of MASKED) args.push("--ro-bind-try", "/dev/null", file);
  args.push("--proc", "/proc", "--dev", "/dev");
  for (const dir of options.config) args.push("--ro-bind", dir, dir);
  if (options.writable) args.push("--bind", options.writable, options.writable);
  args.push("--remount-ro", "/", "--chdir", options.cwd, "--");
  args.push(options.program, ...options.args);
  return args;
}
