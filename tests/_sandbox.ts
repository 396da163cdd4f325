/**
 * For tests: a real Sandbox (real bubblewrap when the host has it) on the
 * repository's interpreter and SDK, its seccomp filters written in `dir`.
 *
 * @module
 */
import { Sandbox } from "../engine/sandbox/mod.ts";
import { PYTHON_SOURCE_DIR } from "../engine/runtime_layout.ts";
import { realPython } from "./_task_command.ts";

/**
 * Opens the sandbox the engine would open, with no environment passed in.
 *
 * @param dir a directory of the test's own (the filter files go there)
 * @returns the sandbox; close it after
 */
export function openTestSandbox(dir: string): Promise<Sandbox> {
  return Sandbox.open({
    python: realPython(),
    sdkDir: PYTHON_SOURCE_DIR,
    env: () => undefined,
    filterPath: `${dir}/seccomp.bpf`,
  });
}
