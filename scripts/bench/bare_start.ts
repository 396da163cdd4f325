/**
 * Baseline of the call figures: a bare interpreter start.
 *
 * @module
 */
import {
  bwrapArgv,
  DEFAULT_LIMITS,
  inspectPython,
} from "../../engine/sandbox/mod.ts";
import { realPython, REPO_ROOT } from "../../tests/_task_command.ts";

/** argv of a bare interpreter start, sandboxed exactly like a worker, or not. */
export async function bareStart(sandboxed: boolean): Promise<string[]> {
  const python = realPython();
  const pythonArgs = ["-I", "-S", "-c", "pass"];
  if (!sandboxed) return [python, ...pythonArgs];
  const runtime = await inspectPython(python, `${REPO_ROOT}/python`);
  return [
    "bwrap",
    ...bwrapArgv({
      runtime,
      sdkDir: `${REPO_ROOT}/python`,
      // bubblewrap alone, as workers were started before the launcher,
      // the seccomp filter and cgroups: their cost shows in the ratios.
      identity: "userns",
      tmpBytes: DEFAULT_LIMITS.tmpBytes,
      shmBytes: DEFAULT_LIMITS.shmBytes,
      seccomp: false,
      pythonArgs,
    }),
  ];
}
