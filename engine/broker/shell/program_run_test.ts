/**
 * runProgram() on real processes (a plain /bin/sh stands in for the
 * launcher and bubblewrap, which only change what runs, not how its
 * outputs are read): what a skill gets back of a program's output is
 * byte for byte what the program wrote, up to the cap and no further;
 * output of exactly the cap is not cut; the exit code, a kill and a
 * timeout are told apart; the command is released however it ended.
 * (Killing the command kills its process; the cgroup release that kills
 * the rest is the command's own, so each program here `exec`s its last
 * process.)
 */
import assert from "node:assert/strict";
import type { SandboxCommand } from "../../sandbox/mod.ts";
import { within } from "../../../tests/_wait.ts";
import { type ProgramResult, runProgram } from "./program_run.ts";

/** shell.run keeps at most 4 MiB of each output (issue #32: not 64). */
const CAP = 4 * 1024 * 1024;

/** Runs `script` under /bin/sh; counts the command's releases. */
async function run(
  script: string,
  timeoutMs = 30_000,
): Promise<{ result: ProgramResult; releases: number }> {
  let releases = 0;
  const command: SandboxCommand = {
    program: "/bin/sh",
    args: ["-c", script],
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
    cwd: "/",
    release: () => {
      releases++;
      return Promise.resolve(0);
    },
  };
  const result = await within(
    `a program running "${script}"`,
    runProgram({ command, timeoutMs }),
    { timeoutMs: timeoutMs + 30_000 },
  );
  return { result, releases };
}

/** What `seq 1 n` prints. */
function seq(n: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) lines.push(`${i}\n`);
  return lines.join("");
}

Deno.test("runProgram(): output past the cap is its first 4 MiB exactly, and the program is killed", async () => {
  // About 8 MiB of text where every byte's place shows: a chunk kept
  // from the wrong offset, or a byte lost or added, changes the text.
  const { result, releases } = await run("seq 1 1200000; exec sleep 30");
  const all = seq(1_200_000);
  assert.ok(all.length > 2 * CAP);
  assert.equal(result.truncated, true);
  assert.equal(result.stdout.length, CAP);
  assert.ok(
    result.stdout === all.slice(0, CAP),
    "the kept output differs from the first 4 MiB the program wrote",
  );
  assert.equal(result.exit_code, null, "killed past the cap");
  assert.equal(result.timed_out, false);
  assert.ok(releases >= 1);
});

Deno.test("runProgram(): output of exactly 4 MiB is kept whole, not counted as past the cap", async () => {
  const { result } = await run(
    `head -c ${CAP} /dev/zero | tr '\\000' a; printf e >&2; exit 0`,
  );
  assert.equal(result.truncated, false);
  assert.equal(result.exit_code, 0);
  assert.equal(result.stdout.length, CAP);
  assert.ok(result.stdout === "a".repeat(CAP));
  assert.equal(result.stderr, "e");
});

Deno.test("runProgram(): the exit code, input and stderr come back as the program gave them", async () => {
  let releases = 0;
  const command: SandboxCommand = {
    program: "/bin/sh",
    args: ["-c", 'read line; echo "got $line"; echo oops >&2; exit 3'],
    env: { PATH: "/usr/bin:/bin" },
    cwd: "/",
    release: () => {
      releases++;
      return Promise.resolve(0);
    },
  };
  const result = await within(
    "a program that exits 3",
    runProgram({ command, input: "hello\n", timeoutMs: 30_000 }),
  );
  assert.deepEqual(result, {
    exit_code: 3,
    stdout: "got hello\n",
    stderr: "oops\n",
    timed_out: false,
    truncated: false,
  });
  assert.ok(releases >= 1);
});

Deno.test("runProgram(): a program past its timeout is killed and says so", async () => {
  const started = Date.now();
  const { result, releases } = await run("echo started; exec sleep 60", 300);
  assert.ok(Date.now() - started < 20_000, "killed at its timeout");
  assert.equal(result.timed_out, true);
  assert.equal(result.exit_code, null);
  assert.equal(result.stdout, "started\n");
  assert.equal(result.truncated, false);
  assert.ok(releases >= 1);
});

Deno.test("runProgram(): a call that ends kills its program", async () => {
  const controller = new AbortController();
  const command: SandboxCommand = {
    program: "/bin/sh",
    args: ["-c", "echo up; exec sleep 60"],
    env: { PATH: "/usr/bin:/bin" },
    cwd: "/",
    release: () => Promise.resolve(0),
  };
  const running = runProgram({
    command,
    timeoutMs: 60_000,
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 300);
  const result = await within("an aborted program", running, {
    timeoutMs: 20_000,
  });
  assert.equal(result.exit_code, null);
  assert.equal(result.timed_out, false);
});

Deno.test("runProgram(): once a program is done, ending its call touches its command no more", async () => {
  // The call's signal outlives the program (a skill runs several): a
  // listener left on it would release the command again when the call
  // ends, by then maybe another program's cgroup of the same name.
  const controller = new AbortController();
  let releases = 0;
  const command: SandboxCommand = {
    program: "/bin/sh",
    args: ["-c", "echo done"],
    env: { PATH: "/usr/bin:/bin" },
    cwd: "/",
    release: () => {
      releases++;
      return Promise.resolve(0);
    },
  };
  const result = await within(
    "a program that ends",
    runProgram({ command, timeoutMs: 30_000, signal: controller.signal }),
  );
  assert.equal(result.exit_code, 0);
  const after = releases;
  assert.ok(after >= 1);
  controller.abort();
  assert.equal(releases, after, "released again when the call ended");
});
