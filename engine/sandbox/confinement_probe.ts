/**
 * The proof at engine start that confinement works here: a confined
 * interpreter started with `--check` for each way of confining, strongest
 * first, until one reports what it finds inside.
 *
 * @module
 */
import type { SandboxIdentity } from "./sandbox_identity.ts";
import type { Confinement } from "./containment_report.ts";
import type { SandboxCommand } from "./sandbox_types.ts";

/** One way of confining: who the worker is, and whether it may fork. */
export interface ProbeAttempt {
  identity: SandboxIdentity;
  noFork: boolean;
}

/**
 * The identities to try, in order. Never root outside: a root engine's
 * workers become nobody (setpriv) or do not run. An ordinary user's run as
 * nobody in a user namespace where the host allows one, else as that user
 * (a setuid bubblewrap).
 *
 * @param sandboxed whether workers run in bubblewrap
 * @param uid the engine's effective uid
 * @returns the identities, strongest first
 */
export function probeIdentities(
  sandboxed: boolean,
  uid: number,
): SandboxIdentity[] {
  return !sandboxed ? ["plain"] : uid === 0 ? ["setpriv"] : ["userns", "plain"];
}

/**
 * Starts `--check` under each identity, first without process creation and
 * then (only where the worker's own filter cannot be installed) with it.
 *
 * @param identities from {@linkcode probeIdentities}
 * @param commandFor the worker command for an attempt (the sandbox adopts
 *   the attempt as it builds it, so the last one tried is the one kept)
 * @returns what the first confined interpreter that ran found, or why the
 *   last one failed
 */
export async function probeConfinement(
  identities: SandboxIdentity[],
  commandFor: (attempt: ProbeAttempt) => SandboxCommand,
): Promise<{ confinement: Confinement } | { failure: string }> {
  let reason = "";
  for (const identity of identities) {
    for (const noFork of [true, false]) {
      const result = await runCheck(commandFor({ identity, noFork }));
      if (result instanceof Error) return { failure: result.message };
      if (result.success) {
        return {
          confinement: JSON.parse(new TextDecoder().decode(result.stdout)),
        };
      }
      reason = new TextDecoder().decode(result.stderr).trim().slice(-400) ||
        `exit code ${result.code}`;
    }
  }
  return { failure: reason };
}

/** Runs one command with `--check` and releases its cgroup. */
async function runCheck(
  { program, args, env, cwd, release }: SandboxCommand,
): Promise<Deno.CommandOutput | Error> {
  const result = await new Deno.Command(program, {
    args: [...args, "--check"],
    env,
    cwd,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output().catch((error: Error) => error);
  await release();
  return result;
}
