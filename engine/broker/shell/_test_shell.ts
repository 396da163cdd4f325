/**
 * For tests: a real Sandbox (real bubblewrap) and a ShellBroker on it,
 * and a caller granted one program at a path.
 *
 * @module
 */
import assert from "node:assert/strict";
import { CallCredentials } from "../credentials/mod.ts";
import { type ShellBrokerOptions, type ShellCaller } from "./serve_shell.ts";
import { ShellBroker } from "./mod.ts";
import { openTestSandbox } from "../../../tests/_sandbox.ts";

/**
 * Runs `body` with a broker on a real sandbox, closed after.
 *
 * @param body the test
 */
export async function withShellBroker(
  body: (broker: ShellBroker) => Promise<void>,
  options: Omit<ShellBrokerOptions, "sandbox"> = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-shell-test-" });
  const sandbox = await openTestSandbox(dir);
  try {
    assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
    await body(new ShellBroker({ sandbox, ...options }));
  } finally {
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * A skill that declares one program, granted at a path, no directory.
 *
 * @param program the name the skill runs
 * @param path the file the grant resolved it to
 * @returns the caller
 */
export function grantedCaller(program: string, path: string): ShellCaller {
  return {
    skillId: "s",
    declared: [program],
    grants: { [program]: { path, config: [], net: false } },
    credentials: new CallCredentials(true),
  };
}
