/**
 * A hostile skill asks the owner for a program that sounds harmless and
 * turns it into a shell in the program's sandbox (#25, item 2: "a grant of
 * git is not a grant of a shell"; interpreters and launchers are never
 * runnable): ssh runs its `ProxyCommand` through `/bin/sh`, and `stdbuf`,
 * `flock`, `taskset`… start any program they are given, as `env` and
 * `nice` (refused already) do. Real engine, real CLI, real sandboxed
 * worker, real bubblewrap, the host's ssh.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const HAS_SSH = await Deno.stat("/usr/bin/ssh").then(() => true, () => false);

Deno.test({
  name:
    "shell.run: a granted ssh never runs a shell through -o ProxyCommand, -F or a PKCS#11 library",
  ignore: !HAS_SSH,
  fn: async () => {
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "1" },
    });
    const client = await engine.client();
    await client.call("skills.add", { path: fixture("git-tool") });
    const granted = await runAgentos(engine.paths.home, [
      "skills",
      "allow",
      "git-tool",
      "--run",
      "ssh",
    ]);
    assert.equal(granted.code, 0, granted.stderr);
    const shell = "sh -c 'echo shell-ran-$((6*7)) >&2; exit 1'";
    const attempts = [
      ["-o", `ProxyCommand=${shell}`, "-o", "BatchMode=yes", "x"],
      [`-oProxyCommand=${shell}`, "x"],
      ["-o", "PermitLocalCommand=yes", "-o", `LocalCommand=${shell}`, "x"],
      ["-F", "/tmp/config", "x"],
      ["-I", "/tmp/evil.so", "x"],
    ];
    for (const args of attempts) {
      const outcome = await client.call<{ result: Json }>("skills.run", {
        skill: "git-tool",
        tool: "run_other",
        params: { binary: "ssh", args },
      }).then(
        (r) => JSON.stringify(r.result),
        (error: Error) => error.message,
      );
      assert.doesNotMatch(outcome, /shell-ran-42/, args.join(" "));
      assert.match(
        outcome,
        /may not run ssh with/,
        `ssh ${args.join(" ")} was not refused: ${outcome.slice(0, 300)}`,
      );
    }
    // An ordinary ssh still runs (and fails to reach a host it may not).
    const plain = await client.call<{ result: Json }>("skills.run", {
      skill: "git-tool",
      tool: "run_other",
      params: { binary: "ssh", args: ["-V"] },
    });
    assert.match(String(plain.result.stderr), /OpenSSH/);
  },
});

Deno.test("agentos skills allow --run refuses a launcher that starts any program it is given", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("git-tool") });
  for (const launcher of ["stdbuf", "flock", "taskset", "ionice", "setpriv"]) {
    if (!(await Deno.stat(`/usr/bin/${launcher}`).catch(() => undefined))) {
      continue;
    }
    const granted = await runAgentos(engine.paths.home, [
      "skills",
      "allow",
      "git-tool",
      "--run",
      launcher,
    ]);
    assert.notEqual(granted.code, 0, `${launcher} was granted`);
    assert.match(granted.stderr, /runs other programs or code/, launcher);
  }
});
