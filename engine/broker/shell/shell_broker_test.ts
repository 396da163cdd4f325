/**
 * `shell.run`'s own guards, each seen from inside a real confined program
 * (a real Sandbox, real bubblewrap, real coreutils): no network without a
 * grant, config directories read-only, `/` read-only, the seccomp filter
 * on, the timeout capped and enforced, output capped at 4 MiB and
 * credential values redacted from what the program prints.
 */
import assert from "node:assert/strict";
import { CallCredentials } from "../credentials/mod.ts";
import type { RunGrant } from "../../grants/mod.ts";
import { type ProgramResult, shellArgv, ShellBroker } from "./mod.ts";
import { waitFor } from "../../../tests/_wait.ts";
import { openTestSandbox } from "../../../tests/_sandbox.ts";

const SECRET = "tok-Very-Secret-4711-xyz";

async function withShell(
  fn: (
    run: (
      program: string,
      grant: Partial<RunGrant>,
      params?: Record<string, unknown>,
    ) => Promise<ProgramResult>,
    dir: string,
  ) => Promise<void>,
  { masked = true }: { masked?: boolean } = {},
): Promise<void> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-shell-unit-" }),
  );
  const sandbox = await openTestSandbox(dir);
  try {
    assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
    const broker = new ShellBroker({ sandbox });
    const credentials = new CallCredentials(masked);
    credentials.add({
      domain: "example.com",
      value: SECRET,
      scope: { domain: "example.com" },
    });
    const run = async (
      program: string,
      grant: Partial<RunGrant>,
      params: Record<string, unknown> = {},
    ) =>
      (await broker.run({
        skillId: "s",
        declared: [program],
        grants: {
          [program]: {
            path: `/usr/bin/${program}`,
            config: [],
            net: false,
            ...grant,
          },
        },
        credentials,
      }, { binary: program, ...params })).value;
    await fn(run, dir);
  } finally {
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs bubblewrap with {@linkcode shellArgv}'s arguments alone, without the
 * seccomp floor: the network namespace is then the only thing between the
 * program and the host's network (the filter also refuses AF_INET without
 * `--net`).
 */
async function bwrapAlone(net: false, args: string[]): Promise<number> {
  const argv = shellArgv({
    program: "/usr/bin/curl",
    args,
    cwd: "/tmp",
    config: [],
    net,
    confinement: {
      identity: Deno.uid() === 0 ? "setpriv" : "userns",
      seccomp: false,
    },
    tmpBytes: 16 * 1024 * 1024,
  });
  const out = await new Deno.Command("bwrap", {
    args: argv,
    stdout: "null",
    stderr: "null",
    signal: AbortSignal.timeout(30_000),
  }).output();
  return out.code;
}

Deno.test("shellArgv(): without a --net grant the program cannot reach the host's 127.0.0.1", async () => {
  let connections = 0;
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    for await (const conn of listener) {
      connections++;
      conn.close();
    }
  })().catch(() => {});
  const args = [
    "-s",
    "-o",
    "/dev/null",
    "--max-time",
    "5",
    `http://127.0.0.1:${listener.addr.port}/`,
  ];
  assert.notEqual(await bwrapAlone(false, args), 0);
  assert.equal(connections, 0);
  // The control: the same curl outside the sandbox reaches the listener.
  // (With --net the namespace is private too: shell_net_test.ts.)
  await new Deno.Command("curl", { args, stdout: "null", stderr: "null" })
    .output();
  await waitFor("the host's connection", () => connections === 1, {
    timeoutMs: 10_000,
  });
  listener.close();
  await accepting;
});

Deno.test("shell.run: a program granted --config does not run for a masked skill, and names --secrets", () =>
  withShell(async (run, dir) => {
    const config = `${dir}/config`;
    await Deno.mkdir(config);
    await assert.rejects(
      run("cat", { config: [config] }, { args: [`${config}/settings`] }),
      /with the owner's config \(--config\).*agentos skills allow s --secrets/,
    );
  }));

Deno.test("shell.run: a granted config directory is read-only even when its mode lets anyone write", () =>
  withShell(async (run, dir) => {
    const config = `${dir}/config`;
    await Deno.mkdir(config);
    await Deno.chmod(config, 0o777);
    await Deno.writeTextFile(`${config}/settings`, "kept");
    const read = await run("cat", { config: [config] }, {
      args: [`${config}/settings`],
    });
    assert.equal(read.stdout, "kept");
    const write = await run("touch", { config: [config] }, {
      args: [`${config}/written`],
    });
    assert.notEqual(write.exit_code, 0);
    assert.match(write.stderr, /Read-only file system/);
    await assert.rejects(Deno.stat(`${config}/written`), Deno.errors.NotFound);
  }, { masked: false }));

Deno.test("shell.run: the program's / is mounted read-only and it runs under the seccomp filter", () =>
  withShell(async (run) => {
    const mounts = await run("cat", {}, { args: ["/proc/self/mountinfo"] });
    const root = mounts.stdout.split("\n").map((line) => line.split(" "))
      .find((fields) => fields[4] === "/");
    assert.ok(root, mounts.stdout);
    assert.ok(root[5]!.split(",").includes("ro"), root.join(" "));
    const status = await run("cat", {}, { args: ["/proc/self/status"] });
    assert.match(status.stdout, /^Seccomp:\s+2$/m);
  }));

Deno.test("shell.run: a credential value the program prints, on stdout or stderr, comes back redacted", () =>
  withShell(async (run) => {
    const out = await run("echo", {}, { args: [`value=${SECRET}`] });
    assert.equal(out.exit_code, 0);
    assert.ok(!out.stdout.includes(SECRET), out.stdout);
    assert.match(out.stdout, /^value=agentos-secret-/);
    const err = await run("cat", {}, { args: [`/missing/${SECRET}`] });
    assert.ok(err.stderr.includes("/missing/"), err.stderr);
    assert.ok(!err.stderr.includes(SECRET), err.stderr);
  }));

Deno.test("shell.run: a timeout longer than 300 s is cut to 300 s", () =>
  withShell(async (run) => {
    const delays: number[] = [];
    const original = globalThis.setTimeout;
    // Records the delay of each timer armed during the call (the program's
    // timeout among them); the timers themselves run as usual.
    globalThis.setTimeout = ((
      ...args: Parameters<typeof setTimeout>
    ) => {
      delays.push(args[1] ?? 0);
      return original(...args);
    }) as typeof setTimeout;
    let result: ProgramResult;
    try {
      result = await run("true", {}, { timeout: 1_000_000 });
    } finally {
      globalThis.setTimeout = original;
    }
    assert.equal(result.exit_code, 0);
    assert.equal(result.timed_out, false);
    assert.ok(delays.includes(300_000), delays.join(", "));
    assert.ok(!delays.some((d) => d > 300_000), delays.join(", "));
  }));

Deno.test("shell.run: of a 6 MiB output only 4 MiB are kept, marked truncated", () =>
  withShell(async (run) => {
    // head ends by itself: the cap is seen whether or not the kill lands.
    const result = await run("head", {}, {
      args: ["-c", String(6 * 1024 * 1024), "/dev/zero"],
      timeout: 60,
    });
    assert.equal(result.truncated, true);
    assert.equal(result.stdout.length, 4 * 1024 * 1024);
  }));

Deno.test("shell.run: an output of exactly 4 MiB is whole, not marked truncated", () =>
  withShell(async (run) => {
    const result = await run("head", {}, {
      args: ["-c", String(4 * 1024 * 1024), "/dev/zero"],
      timeout: 60,
    });
    assert.equal(result.exit_code, 0);
    assert.equal(result.truncated, false);
    assert.equal(result.stdout.length, 4 * 1024 * 1024);
  }));
