/**
 * What the audit records of a `shell.run` call, read back literally from a
 * real confined run (a real Sandbox, real bubblewrap, real coreutils):
 * whether the skill named the program, the granted path, the working
 * directory (private `/tmp`, a granted folder read-only, or writable with
 * its byte bound), the network, the config directories, the exit status
 * and the number of arguments; the write area's bounds (its bytes, 65,536
 * files and folders) as the program's own `statfs` sees them — and that a `--net` run without a refused
 * connection carries no `refused` list.
 */
import assert from "node:assert/strict";
import { CallCredentials } from "../credentials/mod.ts";
import type { RunGrant } from "../../grants/mod.ts";
import { ShellBroker, type ShellResult } from "./mod.ts";
import { openTestSandbox } from "../../../tests/_sandbox.ts";

type Run = (
  grant: Partial<RunGrant>,
  params: Record<string, unknown>,
  declared?: string[],
) => Promise<{ value: ShellResult; checks: Record<string, string> }>;

async function withBroker(fn: (run: Run, dir: string) => Promise<void>) {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-shell-checks-" }),
  );
  const sandbox = await openTestSandbox(dir);
  try {
    assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
    const broker = new ShellBroker({
      sandbox,
      socketDir: `${dir}/run`,
      stageDir: `${dir}/stage`,
      resolve: () => Promise.resolve([]),
    });
    const run: Run = (grant, params, declared = ["true"]) => {
      const program = String(params.binary);
      return broker.run({
        skillId: "s",
        declared,
        grants: {
          [program]: {
            path: `/usr/bin/${program}`,
            config: [],
            net: false,
            ...grant,
          },
        },
        credentials: new CallCredentials(false),
      }, params);
    };
    await fn(run, dir);
  } finally {
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("shell.run audit checks: each field, literally, from real runs", () =>
  withBroker(async (run, dir) => {
    const plain = await run({}, { binary: "true", args: ["a", "b"] });
    assert.deepEqual(plain.checks, {
      declared: "named",
      granted: "/usr/bin/true",
      cwd: "private /tmp",
      network: "none",
      exit: "0",
      args: "2",
    });
    assert.equal(plain.value.refused, undefined);

    const undeclared = await run({}, { binary: "false" }, []);
    assert.equal(undeclared.checks.declared, "granted only");
    assert.equal(undeclared.checks.exit, "1");
    assert.equal(undeclared.checks.args, "0");

    const config = `${dir}/config`;
    await Deno.mkdir(config);
    const withConfig = await run({ config: [config] }, { binary: "true" });
    assert.equal(withConfig.checks.config, "1 dir(s)");

    const folder = `${dir}/folder`;
    await Deno.mkdir(folder);
    const readOnly = await run({ cwd: folder }, {
      binary: "true",
      cwd: folder,
    });
    assert.equal(readOnly.checks.cwd, "granted directory, read-only");
    const writable = await run({ cwd: folder, write: true }, {
      binary: "true",
      cwd: folder,
    });
    assert.equal(
      writable.checks.cwd,
      "granted directory, writes up to 67108864 bytes",
    );
    const bounded = await run({ cwd: folder, write: true, writeBytes: 4096 }, {
      binary: "true",
      cwd: folder,
    });
    assert.equal(
      bounded.checks.cwd,
      "granted directory, writes up to 4096 bytes",
    );

    // The write area's bounds, as the program's own statfs sees them.
    const statfs = await run(
      { cwd: folder, write: true, writeBytes: 1 << 20 },
      {
        binary: "stat",
        args: ["-f", "-c", "%S %b %c", "."],
        cwd: folder,
      },
      ["stat"],
    );
    const [blockSize, blocks, inodes] = statfs.value.stdout.trim().split(" ")
      .map(Number);
    assert.equal(blockSize! * blocks!, 1 << 20, statfs.value.stdout);
    assert.equal(inodes, 65_536, statfs.value.stdout);

    // --net with no connection at all: the proxy ran, refused nothing.
    const net = await run({ net: true }, { binary: "true" });
    assert.equal(net.checks.network, "engine proxy");
    assert.equal(net.value.refused, undefined, JSON.stringify(net.value));
    assert.equal(net.value.exit_code, 0);
  }));

Deno.test("shell.run audit checks: a program past its timeout is recorded as timed out", () =>
  withBroker(async (run) => {
    const slow = await run({}, { binary: "sleep", args: ["30"], timeout: 1 }, [
      "sleep",
    ]);
    assert.equal(slow.value.timed_out, true);
    assert.equal(slow.checks.exit, "timed out");
  }));
