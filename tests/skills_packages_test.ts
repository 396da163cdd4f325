/**
 * Per-skill Python packages end to end: wheels built here (no index is
 * reachable) installed with `agentos skills deps --find-links` into a
 * hash-named directory with a lock file; a skill importing a pure-Python
 * package and a C extension; the exact command named when packages are
 * missing; another skill that cannot import them; a read-only mount; and a
 * package whose import tries the network, with no network to reach.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { realPython } from "./_task_command.ts";
import { fixture, rejectsWith } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    await Deno.readFile(path),
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

Deno.test("skill packages: wheels installed per skill, hash-pinned, read-only and private", async (t) => {
  // A server the hostile package would phone: it must never hear from it.
  let phoned = 0;
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    for await (const conn of listener) {
      phoned++;
      conn.close();
    }
  })().catch(() => {});
  const work = await Deno.makeTempDir({ prefix: "agentos-wheels-" });
  try {
    const wheels = `${work}/wheels`;
    await Deno.mkdir(wheels);
    const build = await new Deno.Command(realPython(), {
      args: [
        new URL("./fixtures/wheels/build_wheels.py", import.meta.url).pathname,
        wheels,
        String((listener.addr as Deno.NetAddr).port),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(build.success, new TextDecoder().decode(build.stderr));

    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "1" },
    });
    const client = await engine.client();
    const home = engine.paths.home;
    for (const name of ["uses-packages", "package-peek", "phones-home"]) {
      await client.call("skills.add", { path: fixture(name) });
    }

    await t.step(
      "a call before install names the command that installs",
      async () => {
        await rejectsWith(
          client.call("skills.run", {
            skill: "uses-packages",
            tool: "shout",
            params: { text: "hi" },
          }),
          ErrorCode.Forbidden,
          /needs Python packages \(tinytext==1\.0, fastsum==1\.0\) that are not installed; install them with: agentos skills deps uses-packages/,
        );
      },
    );

    await t.step(
      "agentos skills deps installs from a relative --find-links and pins each wheel's hash",
      async () => {
        const run = await runAgentos(
          home,
          ["skills", "deps", "uses-packages", "--find-links", "wheels"],
          undefined,
          { INIT_CWD: work },
        );
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /Installed 2 wheel\(s\) for uses-packages/);
        const lock = JSON.parse(
          await Deno.readTextFile(
            `${home}/skill-packages/uses-packages/lock.json`,
          ),
        );
        assert.deepEqual(lock.requires, ["tinytext==1.0", "fastsum==1.0"]);
        for (const wheel of lock.wheels) {
          assert.equal(wheel.sha256, await sha256(`${wheels}/${wheel.file}`));
        }
        assert.match(lock.dir, /^[0-9a-f]{16}$/);
        await Deno.stat(
          `${home}/skill-packages/uses-packages/${lock.dir}/tinytext/__init__.py`,
        );
      },
    );

    await t.step(
      "the skill imports its pure-Python and compiled packages",
      async () => {
        const { result } = await client.call<{ result: Json }>("skills.run", {
          skill: "uses-packages",
          tool: "shout",
          params: { text: "hi" },
        });
        assert.deepEqual(result, { text: "HI!", sum: 42 });
      },
    );

    await t.step("the packages are mounted read-only", async () => {
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "uses-packages",
        tool: "tamper",
      });
      assert.match(result.error as string, /Read-only file system/);
    });

    await t.step("another skill cannot import them", async () => {
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "package-peek",
        tool: "peek",
      });
      assert.match(result.error as string, /No module named 'tinytext'/);
    });

    await t.step(
      "a package whose import phones home finds no network",
      async () => {
        const run = await runAgentos(home, [
          "skills",
          "deps",
          "phones-home",
          "--find-links",
          wheels,
        ]);
        assert.equal(run.code, 0, run.stderr);
        await rejectsWith(
          client.call("skills.run", { skill: "phones-home", tool: "call" }),
          ErrorCode.SkillFailed,
          /OSError|ConnectionRefusedError|Network is unreachable/,
        );
        assert.equal(phoned, 0);
      },
    );

    await t.step(
      "bad input: a relative find_links over RPC and a skill with no requires",
      async () => {
        await rejectsWith(
          client.call("skills.deps", {
            skill: "uses-packages",
            find_links: "wheels",
          }),
          ErrorCode.InvalidParams,
          /must be an absolute directory/,
        );
        await rejectsWith(
          client.call("skills.deps", {
            skill: "package-peek",
            find_links: wheels,
          }),
          ErrorCode.InvalidParams,
          /declares no packages/,
        );
        await rejectsWith(
          client.call("skills.deps", {
            skill: "uses-packages",
            find_links: `${work}/empty`,
          }),
          ErrorCode.SkillFailed,
          /pip download failed/,
        );
      },
    );
  } finally {
    listener.close();
    await accepting;
    await Deno.remove(work, { recursive: true });
  }
});
