import type { SandboxCommand } from "./sandbox_types.ts";

/**
 * Starts a confined command as the sandbox built it: its own environment
 * only (the engine's is cleared), every stream piped to the caller. The
 * caller still owes `command.release()` once the process has exited.
 *
 * @param command what `Sandbox.command` or `programCommand` returned
 * @returns the running process
 */
export function spawnCommand(command: SandboxCommand): Deno.ChildProcess {
  return new Deno.Command(command.program, {
    args: command.args,
    env: command.env,
    cwd: command.cwd,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}
