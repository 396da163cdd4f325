/** How skill workers are confined on this machine. */
export interface SandboxInfo {
  /** `bubblewrap`, `none` (the user opted out) or `unavailable`. */
  kind: "bubblewrap" | "none" | "unavailable";
  /** Version or reason, for `engine.status` and error messages. */
  detail: string;
}

/** Options for {@linkcode detectSandbox}. */
export interface DetectSandboxOptions {
  /** Reads an environment variable (a seam for tests). */
  env?: (name: string) => string | undefined;
  /** The bubblewrap program to try. */
  bwrap?: string;
}

/**
 * Finds out which sandbox skill workers get. `AGENTOS_SANDBOX=none` is the
 * explicit opt-out; otherwise bubblewrap must run, or skills are refused.
 *
 * @param options environment seam and program name
 * @returns the sandbox kind and a detail line
 */
export async function detectSandbox(
  options: DetectSandboxOptions = {},
): Promise<SandboxInfo> {
  const env = options.env ?? ((name) => Deno.env.get(name));
  if (env("AGENTOS_SANDBOX") === "none") {
    return {
      kind: "none",
      detail: "AGENTOS_SANDBOX=none: skills run without a sandbox",
    };
  }
  try {
    const { success, stdout } = await new Deno.Command(
      options.bwrap ?? "bwrap",
      {
        args: ["--version"],
        stdin: "null",
        stdout: "piped",
        stderr: "null",
        clearEnv: true,
      },
    ).output();
    if (success) {
      return {
        kind: "bubblewrap",
        detail: new TextDecoder().decode(stdout).trim(),
      };
    }
    return { kind: "unavailable", detail: "bubblewrap failed to run" };
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
      : `bubblewrap cannot be started: ${(error as Error).message}`;
    return { kind: "unavailable", detail: reason };
  }
}

/** What the sandbox needs to know of the engine's own process. */
export interface HostFacts {
  /** The engine's effective uid: a root engine's workers become nobody. */
  uid: number;
  /** Text of `/proc/self/cgroup`. */
  selfCgroup: string;
  /** Text of `/proc/self/mounts`. */
  mounts: string;
}

// Deno refuses every /proc path short of --allow-all; the launcher shell,
// a child in the same cgroups and mount namespace, reads them instead.
const FACTS =
  `for f in /proc/self/status /proc/self/cgroup /proc/self/mounts; do
  while IFS= read -r line; do printf '%s\\n' "$line"; done <"$f"; echo @@@
done`;

/**
 * Reads the engine's uid, cgroups and mounts through `sh`.
 *
 * @param shell the POSIX shell
 * @returns the facts
 * @throws {Error} when the shell cannot run
 */
export async function readHostFacts(shell: string): Promise<HostFacts> {
  const { stdout, success } = await new Deno.Command(shell, {
    args: ["-c", FACTS],
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!success) throw new Error(`${shell} could not read /proc/self`);
  const [status = "", selfCgroup = "", mounts = ""] = new TextDecoder()
    .decode(stdout).split("@@@\n");
  const line = status.split("\n").find((l) => l.startsWith("Uid:"));
  // Real, effective, saved, filesystem: the effective one decides.
  return { uid: Number(line?.split(/\s+/)[2] ?? NaN), selfCgroup, mounts };
}
