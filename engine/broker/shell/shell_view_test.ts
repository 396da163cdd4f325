/**
 * What a program `shell.run` starts sees, read back from inside its real
 * sandbox with the host's own coreutils (the bubblewrap arguments of
 * shell_argv.ts): exactly the programs' environment, git's ways to run
 * code closed in it; its own hostname, namespaces and session as pid 1;
 * every system directory the host has, read-only; the shadow files covered;
 * a sticky private /tmp; no capability and the seccomp filter on.
 */
import assert from "node:assert/strict";
import { dirname } from "../../paths.ts";
import type { ShellBroker } from "./mod.ts";
import { grantedCaller, withShellBroker } from "./_test_shell.ts";

async function run(
  broker: ShellBroker,
  program: string,
  args: string[],
): Promise<string> {
  const { value } = await broker.run(
    grantedCaller(program, `/usr/bin/${program}`),
    { binary: program, args },
  );
  assert.equal(value.exit_code, 0, `${program} ${args}: ${value.stderr}`);
  return value.stdout;
}

Deno.test("shell.run: a program's environment is exactly the programs' own", () =>
  withShellBroker(async (broker) => {
    const lines = (await run(broker, "printenv", [])).trim().split("\n");
    const env = Object.fromEntries(
      lines.map((
        line,
      ) => [
        line.slice(0, line.indexOf("=")),
        line.slice(line.indexOf("=") + 1),
      ]),
    );
    assert.deepEqual(env, {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      TERM: "dumb",
      HOME: "/tmp",
      PWD: "/tmp",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_SYSTEM: "/dev/null",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_COUNT: "3",
      GIT_CONFIG_KEY_0: "core.hooksPath",
      GIT_CONFIG_VALUE_0: "/dev/null",
      GIT_CONFIG_KEY_1: "core.fsmonitor",
      GIT_CONFIG_VALUE_1: "false",
      GIT_CONFIG_KEY_2: "safe.bareRepository",
      GIT_CONFIG_VALUE_2: "explicit",
      GIT_ALLOW_PROTOCOL: "file:git:http:https:ssh",
      GIT_EDITOR: ":",
      GIT_SEQUENCE_EDITOR: ":",
      GIT_PAGER: "cat",
      GIT_TERMINAL_PROMPT: "0",
    });
  }));

Deno.test("shell.run: its own hostname, namespaces and session, as pid 1, without capabilities", () =>
  withShellBroker(async (broker) => {
    assert.equal(
      await run(broker, "cat", ["/proc/sys/kernel/hostname"]),
      "agentos-shell\n",
    );
    // /proc/self/stat: pid (comm) state ppid pgrp session …
    const stat = (await run(broker, "cat", ["/proc/self/stat"])).split(" ");
    assert.equal(stat[0], "1");
    assert.equal(stat[5], "1", "not the leader of its own session");
    for (const ns of ["ipc", "pid", "net", "uts", "cgroup"]) {
      const inside = (await run(broker, "readlink", [`/proc/self/ns/${ns}`]))
        .trim();
      assert.notEqual(inside, await Deno.readLink(`/proc/self/ns/${ns}`), ns);
    }
    const status = await run(broker, "cat", ["/proc/self/status"]);
    assert.match(status, /^NoNewPrivs:\s+1$/m);
    assert.match(status, /^Seccomp:\s+2$/m);
    assert.match(status, /^CapEff:\s+0000000000000000$/m);
  }));

Deno.test("shell.run: the host's system directories read-only, the shadow files covered, /tmp sticky", () =>
  withShellBroker(async (broker) => {
    const mountinfo = await run(broker, "cat", ["/proc/self/mountinfo"]);
    const mounts = new Map(
      mountinfo.trim().split("\n").map((line) => {
        const fields = line.split(" ");
        return [fields[4]!, fields[5]!.split(",")];
      }),
    );
    for (
      const dir of ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/opt"]
    ) {
      const host = await Deno.lstat(dir).catch(() => undefined);
      // A symlink on the host (`/bin` → `usr/bin`) is bound as its target.
      if (host === undefined || host.isSymlink) continue;
      assert.ok(mounts.get(dir)?.includes("ro"), `${dir}: ${mounts.get(dir)}`);
    }
    for (const dir of ["/bin", "/sbin", "/lib", "/lib64"]) {
      if (!(await Deno.lstat(dir).catch(() => undefined))) continue;
      // Whatever it is on the host, it is there inside.
      await run(broker, "stat", ["-L", dir]);
    }
    // Each shadow file the host has is covered by a bind of /dev/null.
    for (
      const file of [
        "/etc/shadow",
        "/etc/gshadow",
        "/etc/shadow-",
        "/etc/gshadow-",
      ]
    ) {
      if (!(await Deno.lstat(file).catch(() => undefined))) continue;
      assert.ok(mounts.has(file), `${file} is not covered`);
    }
    assert.equal(await run(broker, "stat", ["-c", "%a", "/tmp"]), "1777\n");
    assert.ok(mounts.get("/tmp"), "/tmp is not its own mount");
  }));

Deno.test("shell.run: an engine home under a system directory is hidden (its files never readable)", async () => {
  // A user engine's programs run as its own user, so a home under /opt
  // would be readable through the /opt bind: here it is made so for nobody.
  const home = await Deno.makeTempDir({ dir: "/opt", prefix: "agentos-home-" });
  try {
    await Deno.chmod(home, 0o755);
    await Deno.writeTextFile(`${home}/vault.key`, "the-vault-key-77", {
      mode: 0o644,
    });
    await Deno.chmod(`${home}/vault.key`, 0o644);
    const cat = (broker: ShellBroker) =>
      broker.run(grantedCaller("cat", "/usr/bin/cat"), {
        binary: "cat",
        args: [`${home}/vault.key`],
      });
    await withShellBroker(async (broker) => {
      const { value } = await cat(broker);
      assert.notEqual(value.exit_code, 0);
      assert.doesNotMatch(value.stdout, /the-vault-key-77/);
      assert.match(value.stderr, /No such file/);
    }, { engineHome: home });
    // Named through a link outside the system directories, it is hidden
    // where it really lies.
    const link = `${await Deno.makeTempDir({ prefix: "agentos-link-" })}/home`;
    await Deno.symlink(home, link);
    try {
      await withShellBroker(async (broker) => {
        const { value } = await cat(broker);
        assert.doesNotMatch(value.stdout, /the-vault-key-77/);
        assert.match(value.stderr, /No such file/);
      }, { engineHome: link });
    } finally {
      await Deno.remove(dirname(link), { recursive: true });
    }
    // The control: without the engine's home named, the bind shows it.
    await withShellBroker(async (broker) => {
      const { value } = await cat(broker);
      assert.equal(value.stdout, "the-vault-key-77");
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
