/**
 * A program past its timeout is killed at once, not waited for: seen from
 * the time the call takes (a real Sandbox, real bubblewrap, real sleep).
 *
 * On a root engine (programs become nobody through setpriv) this fails
 * today: runProgram kills bubblewrap only, and the program (pid 1 of its
 * namespace, whose parent-death signal setpriv's uid change cleared) keeps
 * the output pipes open until it ends by itself; its cgroup is released
 * only after that. Reported in issue #32's test work; not fixed here.
 */
import assert from "node:assert/strict";
import { Sandbox } from "../../sandbox/mod.ts";
import { PYTHON_SOURCE_DIR } from "../../runtime_layout.ts";
import { realPython } from "../../../tests/_task_command.ts";
import { CallCredentials } from "../credentials/mod.ts";
import { ShellBroker } from "./mod.ts";

/** Why the test cannot pass on this host until the bug above is fixed. */
const KNOWN_BUG = Deno.uid() === 0
  ? "root engine: programs become nobody through setpriv, and runProgram's kill reaches bubblewrap only"
  : undefined;

Deno.test({
  name:
    `shell.run: a program past its timeout is killed at once, not waited for${
      KNOWN_BUG ? ` (ignored here: ${KNOWN_BUG})` : ""
    }`,
  ignore: KNOWN_BUG !== undefined,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "agentos-shell-kill-" });
  const sandbox = await Sandbox.open({
    python: realPython(),
    sdkDir: PYTHON_SOURCE_DIR,
    env: () => undefined,
    filterPath: `${dir}/seccomp.bpf`,
  });
  try {
    assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
    const started = performance.now();
    const { value } = await new ShellBroker({ sandbox }).run({
      skillId: "s",
      declared: ["sleep"],
      grants: { sleep: { path: "/usr/bin/sleep", config: [], net: false } },
      credentials: new CallCredentials(true),
    }, { binary: "sleep", args: ["20"], timeout: 0.5 });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(value.timed_out, true);
    assert.equal(value.exit_code, null);
    assert.ok(seconds < 10, `took ${seconds} s`);
  } finally {
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
});
