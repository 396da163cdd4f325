/**
 * Who a sandboxed process is: a user namespace where it is nobody, or
 * (root engine) `setpriv` becoming nobody before the interpreter, or the
 * engine's own unprivileged uid; bubblewrap's user and capability flags
 * and `setpriv`'s command line for each. Shared by the workers' and the
 * programs' argv.
 *
 * @module
 */

/**
 * The uid and gid a worker runs as: inside its user namespace when the
 * engine is an ordinary user, and outside too (nobody) when the engine is
 * root.
 */
export const SANDBOX_ID = 65534;

/** Where `setpriv` appears inside the sandbox (root engine only). */
export const SETPRIV_MOUNT = "/.agentos/setpriv";

/**
 * Who a sandboxed process is, outside and inside:
 * - `userns`: a new user namespace mapping the engine's own (non-root) uid
 *   to nobody inside; bubblewrap needs no privilege;
 * - `setpriv`: the engine is root: bubblewrap (as root, so it can read
 *   every path it binds) sets up the namespaces without a user namespace,
 *   keeping only `CAP_SETUID`/`CAP_SETGID`, and its first program is
 *   `setpriv`, which becomes nobody (uid and gid 65534, no groups, no
 *   capabilities) before it executes the interpreter, so nothing of the
 *   call is ever root outside;
 * - `plain`: neither (a setuid bubblewrap on a host without user
 *   namespaces): the engine's own uid, which is not root.
 */
export type SandboxIdentity = "userns" | "setpriv" | "plain";

/**
 * bubblewrap's user and capability flags for an identity: a user
 * namespace where the sandbox is nobody, or (root engine) only the two
 * capabilities `setpriv` needs to become nobody, or none at all.
 *
 * @param identity how the sandbox's processes get their uid
 * @param readCapability keep `CAP_DAC_READ_SEARCH` too (a root
 *   engine's script that opens files only root may read)
 * @returns the flags
 */
export function identityFlags(
  identity: SandboxIdentity,
  readCapability = false,
): string[] {
  if (identity === "userns") {
    return [
      "--unshare-user",
      "--uid",
      String(SANDBOX_ID),
      "--gid",
      String(SANDBOX_ID),
      "--disable-userns",
      "--cap-drop",
      "ALL",
    ];
  }
  if (identity === "setpriv") {
    // setpriv needs these two to become nobody; it loses them with root.
    return [
      "--cap-drop",
      "ALL",
      "--cap-add",
      "CAP_SETUID",
      "--cap-add",
      "CAP_SETGID",
      ...(readCapability ? ["--cap-add", "CAP_DAC_READ_SEARCH"] : []),
    ];
  }
  return ["--cap-drop", "ALL"];
}

/** What runs first inside a root engine's sandbox: `setpriv` becoming nobody. */
export const SETPRIV_COMMAND: readonly string[] = Object.freeze([
  SETPRIV_MOUNT,
  `--reuid=${SANDBOX_ID}`,
  `--regid=${SANDBOX_ID}`,
  "--clear-groups",
  "--inh-caps=-all",
  // A change of uid clears the parent-death signal: set it again.
  "--pdeathsig=SIGKILL",
  "--",
]);

/**
 * {@linkcode SETPRIV_COMMAND} for a script that opens files only root may
 * read: `CAP_DAC_READ_SEARCH` stays inheritable and ambient through the
 * change of uid, and the script drops it before it reads untrusted input.
 */
export const SETPRIV_READ_COMMAND: readonly string[] = Object.freeze(
  SETPRIV_COMMAND.flatMap((arg) =>
    arg === "--inh-caps=-all"
      ? ["--inh-caps=-all,+dac_read_search", "--ambient-caps=+dac_read_search"]
      : [arg]
  ),
);
