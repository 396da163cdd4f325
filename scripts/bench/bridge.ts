/**
 * The bridge's own bench (HTTP pages on 1M values, SSE fan-out to 100
 * subscribers at 1,000 changes/s), run in its own process
 * (`--only bridge`).
 *
 * @module
 */
import { REPO_ROOT } from "../../tests/_task_command.ts";

/** Runs `tests/bridge_bench.ts`; its printed lines, to show after the table. */
export async function bridgeLines(quick: boolean): Promise<string[]> {
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${REPO_ROOT}/tests/bridge_bench.ts`,
      ...(quick ? ["--quick"] : []),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const lines = new TextDecoder().decode(stdout).trimEnd().split("\n");
  if (!success) lines.push("(bridge bench failed)");
  return lines;
}
