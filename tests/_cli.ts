/**
 * Runs the `agentos` CLI exactly as the deno.json task does.
 *
 * @module
 */
import { REPO_ROOT, taskCommand, taskEnv } from "./_task_command.ts";

/** How long one CLI run may take before it is killed. */
const CLI_MS = 60_000;

/** What a CLI run printed and how it ended. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `agentos <args>` against a home.
 *
 * @param home the AGENTOS_HOME
 * @param args the CLI arguments
 * @param stdin text for standard input
 * @param env variables added to the task's environment (e.g. INIT_CWD)
 */
export async function runAgentos(
  home: string,
  args: string[],
  stdin?: string,
  env: Record<string, string> = {},
): Promise<CliRun> {
  const [program, ...taskArgs] = taskCommand("agentos", home);
  const child = new Deno.Command(program!, {
    args: [...taskArgs, ...args],
    cwd: REPO_ROOT,
    clearEnv: true,
    env: { ...taskEnv(home), ...env },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  // A CLI that never exits (a bug under test) is killed, and the test fails
  // naming the command instead of hanging the suite.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, CLI_MS);
  const { code, stdout, stderr } = await child.output().finally(() =>
    clearTimeout(timer)
  );
  if (timedOut) {
    throw new Error(
      `Timed out after ${CLI_MS} ms waiting for \`agentos ${
        args.join(" ")
      }\` to exit`,
    );
  }
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}
