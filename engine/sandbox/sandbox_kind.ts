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
