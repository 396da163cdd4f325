/**
 * A program past its timeout is killed at once, not waited for: seen from
 * the time the call takes (a real Sandbox, real bubblewrap, real sleep).
 *
 * On a root engine the program becomes nobody through setpriv, whose uid
 * change clears the parent-death signal: killing bubblewrap alone leaves
 * it running with the output pipes open. runProgram kills the call's
 * cgroup, every process in it, at the timeout.
 */
import assert from "node:assert/strict";
import { Sandbox } from "../../sandbox/mod.ts";
import { PYTHON_SOURCE_DIR } from "../../runtime_layout.ts";
import { realPython } from "../../../tests/_task_command.ts";
import { CallCredentials } from "../credentials/mod.ts";
import { MAX_PROGRAM_OUTPUT, ShellBroker } from "./mod.ts";

async function withSandbox(
  body: (broker: ShellBroker) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-shell-kill-" });
  const sandbox = await Sandbox.open({
    python: realPython(),
    sdkDir: PYTHON_SOURCE_DIR,
    env: () => undefined,
    filterPath: `${dir}/seccomp.bpf`,
  });
  try {
    assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
    await body(new ShellBroker({ sandbox }));
  } finally {
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function caller(program: string, path: string) {
  return {
    skillId: "s",
    declared: [program],
    grants: { [program]: { path, config: [], net: false } },
    credentials: new CallCredentials(true),
  };
}

Deno.test("shell.run: a program past its timeout is killed at once, not waited for", async () => {
  await withSandbox(async (broker) => {
    const started = performance.now();
    const { value } = await broker.run(caller("sleep", "/usr/bin/sleep"), {
      binary: "sleep",
      args: ["20"],
      timeout: 0.5,
    });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(value.timed_out, true);
    assert.equal(value.exit_code, null);
    assert.ok(seconds < 5, `took ${seconds} s`);
  });
});

Deno.test("shell.run: a program past the output cap is killed at once, not drained forever", async () => {
  await withSandbox(async (broker) => {
    const started = performance.now();
    const { value } = await broker.run(caller("yes", "/usr/bin/yes"), {
      binary: "yes",
      timeout: 20,
    });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(value.truncated, true);
    assert.equal(value.timed_out, false);
    assert.equal(value.stdout.length, MAX_PROGRAM_OUTPUT);
    assert.ok(seconds < 10, `took ${seconds} s`);
  });
});
