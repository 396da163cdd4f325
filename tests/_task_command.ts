/**
 * Builds the exact command a `deno.json` task runs, so tests start the
 * engine and CLI with the very permission flags users get.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

let pythonPath: string | undefined;

/** The real Python interpreter (pyenv shims cost ~300 ms per start). */
export function realPython(): string {
  pythonPath ??= Deno.env.get("AGENTOS_PYTHON") ??
    new TextDecoder().decode(
      new Deno.Command("python3", {
        args: ["-c", "import sys; print(sys.executable)"],
      }).outputSync().stdout,
    ).trim();
  return pythonPath;
}

/**
 * The argv of a task's last command (after the env guard), with
 * `$AGENTOS_HOME` and `$AGENTOS_PYTHON` substituted.
 *
 * @param task a task name in deno.json
 * @param home the AGENTOS_HOME to use
 * @returns program and arguments
 */
export function taskCommand(task: string, home: string): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${REPO_ROOT}/deno.json`));
  const text: string = config.tasks[task];
  const last = text.split(" && ").at(-1)!;
  const words = last
    .replaceAll("$AGENTOS_HOME", home)
    .replaceAll("$AGENTOS_PYTHON", realPython())
    .split(/\s+/)
    .filter((word) => word !== "");
  if (words[0] !== "deno") {
    throw new TypeError(`Task "${task}" does not run deno`);
  }
  return [Deno.execPath(), ...words.slice(1)];
}

/** Environment for engine and CLI processes of a test home. */
export function taskEnv(home: string): Record<string, string> {
  return {
    AGENTOS_HOME: home,
    AGENTOS_PYTHON: realPython(),
    PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:${
      Deno.env.get("PATH") ?? ""
    }`,
    NO_COLOR: "1",
  };
}
