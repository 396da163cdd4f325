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
import { MAX_PROGRAM_OUTPUT } from "./mod.ts";
import {
  grantedCaller as caller,
  withShellBroker as withSandbox,
} from "./_test_shell.ts";

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
