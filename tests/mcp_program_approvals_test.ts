/**
 * Approvals by form elicitation for a program (`--run`) and a `--read`
 * path (#27 item 2): the SDK's real `Client` declaring `elicitation.form`
 * and answering, a real engine, real agentos-mcp and real sandboxed
 * skills. The engine resolves the program or path itself, in a sandboxed
 * probe that makes the CLI's own checks, and the prompt shows the real
 * path: an interpreter (by name, through a link, a script) is never
 * offered, nor a name with a slash, `..`, control or bidi characters, nor
 * a path that is, holds or leads into the engine's home. Programs are
 * planted in /usr/local/bin under unique names and removed after, so the
 * program test runs only as root.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { McpSession } from "./mcp_session.ts";
import { choose, formSession, writeSkill } from "./_elicitation.ts";

/** Runs the program it is given; reads the database it is given. */
const RUNNER_SKILL = `from agentos import returns, shell, sql


@returns({"exit_code": "integer"})
async def run(binary: str, **params):
    """Runs a program by name."""
    out = await shell.run(binary, args=[])
    return {"exit_code": out["exit_code"]}


@returns({"rows": "json"})
async def titles(db: str, **params):
    """Reads a local database."""
    return {"rows": await sql.query("SELECT 1 AS one", db)}
`;

const DIR = "/usr/local/bin";

/** The audit's approval lines. */
async function approvalLines(ioLog: string) {
  return (await Deno.readTextFile(ioLog)).trimEnd().split("\n")
    .map((line) => JSON.parse(line))
    .filter((line) => line.op === "approval.prompt");
}

/** Plants programs in /usr/local/bin under names unique to this run. */
async function plantPrograms(tag: string) {
  const python = await Deno.realPath("/usr/bin/python3");
  const dash = await Deno.realPath("/bin/sh");
  const at = (name: string) => `${DIR}/${tag}-${name}`;
  await Deno.copyFile("/usr/bin/true", at("ok"));
  await Deno.symlink(python, at("pylink"));
  await Deno.symlink(dash, at("shlink"));
  await Deno.writeTextFile(at("script"), '#!/bin/sh\nexec sh "$@"\n');
  await Deno.chmod(at("script"), 0o755);
  // Ordinary programs whose names hide a bidi override and a control.
  await Deno.copyFile("/usr/bin/true", at("b\u202eidi"));
  await Deno.copyFile("/usr/bin/true", at("c\u0007trl"));
  return ["ok", "pylink", "shlink", "script", "b\u202eidi", "c\u0007trl"]
    .map(at);
}

Deno.test({
  name:
    "form elicitation for a program: the resolved path asked once, always, deny; interpreters and odd names never offered; rate-limited; audited",
  ignore: Deno.uid() !== 0,
}, async (t) => {
  const tag = `agentos-ask-${Deno.pid}`;
  const ok = `${tag}-ok`;
  const skills = await Deno.makeTempDir({ prefix: "agentos-runapprove-" });
  const planted = await plantPrograms(tag);
  try {
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "1" },
    });
    const rpc = await engine.client();
    await rpc.call("skills.add", {
      path: await writeSkill(
        skills,
        "runner",
        RUNNER_SKILL,
        `capabilities: [shell, sql]\nshell: [${ok}]\n`,
      ),
    });
    const run = (session: McpSession, binary = ok) =>
      session.call("skills_run", {
        skill: "runner",
        tool: "run",
        params: { binary },
      });
    const granted = async () =>
      ((await rpc.call<
        {
          skills: {
            id: string;
            programs: { name: string; granted: unknown }[];
          }[];
        }
      >("skills.list", {})).skills.find((s) => s.id === "runner")!).programs
        .filter((p) => p.granted !== null);

    await t.step("a client without forms gets the CLI command", async () => {
      await using session = await McpSession.open(engine.paths.home);
      const result = await run(session);
      assert.equal(result.isError, true);
      assert.match(result.text, new RegExp(`skills allow runner --run ${ok}`));
      assert.ok(!session.traffic.join("").includes("elicitation/create"));
    });

    await t.step(
      "allow once: the real path shown, this call runs, nothing stored",
      async () => {
        const { session, asked } = await formSession(
          engine.paths.home,
          choose("allow_once"),
        );
        await using _session = session;
        const result = await run(session);
        assert.equal(result.isError, false, result.text);
        assert.equal(JSON.parse(result.text).result.exit_code, 0);
        assert.equal(asked.length, 1);
        assert.match(
          asked[0]!.message,
          new RegExp(
            `skill "runner" was refused to run the program "${ok}" \\("${DIR}/${ok}"\\) with no folder of yours \\(a private empty /tmp\\), no config and no network`,
          ),
        );
        assert.match(
          asked[0]!.message,
          new RegExp(
            `same as running: agentos skills allow runner --run ${ok}$`,
          ),
        );
        assert.deepEqual(await granted(), [], "once is never stored");
        assert.equal((await run(session)).isError, false, "asked again");
        assert.equal(asked.length, 2);
      },
    );

    await t.step("deny: refused, not asked again this session", async () => {
      const { session, asked } = await formSession(
        engine.paths.home,
        choose("deny"),
      );
      await using _session = session;
      assert.equal((await run(session)).isError, true);
      const again = await run(session);
      assert.match(again.text, /denied it earlier in this session/);
      assert.equal(asked.length, 1);
      assert.deepEqual(await granted(), []);
    });

    await t.step(
      "always: the CLI's minimal grant, pinned to the real path",
      async () => {
        const { session, asked } = await formSession(
          engine.paths.home,
          choose("allow_always"),
        );
        await using _session = session;
        assert.equal((await run(session)).isError, false);
        assert.equal((await run(session)).isError, false);
        assert.equal(asked.length, 1);
        assert.deepEqual(await granted(), [{
          name: ok,
          granted: { path: `${DIR}/${ok}`, config: [], net: false },
        }]);
        await rpc.call("skills.disallow_run", { skill: "runner", program: ok });
      },
    );

    await t.step("interpreters and odd names are never offered", async () => {
      const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
      const hostile = [
        "python3",
        "sh",
        ...planted.slice(1).map(base),
        "..",
      ];
      for (const name of hostile) {
        // A fresh session each: the rate limit never hides a prompt.
        const { session, asked } = await formSession(
          engine.paths.home,
          choose("allow_once"),
        );
        await using _session = session;
        const result = await run(session, name);
        assert.equal(result.isError, true, name);
        assert.equal(asked.length, 0, JSON.stringify(name));
        assert.match(result.text, /It was not offered to the user/, name);
        if (name.includes("\u202e")) {
          // The command named last shows the override as an escape.
          assert.ok(
            result.text.endsWith(
              `agentos skills allow runner --run ${tag}-b\\u{202e}idi`,
            ),
            result.text,
          );
        }
      }
      const { session, asked } = await formSession(
        engine.paths.home,
        choose("allow_once"),
      );
      await using _session = session;
      const path = await run(session, `${DIR}/../bin/true`);
      assert.equal(path.isError, true);
      assert.equal(asked.length, 0);
      assert.deepEqual(await granted(), []);
    });

    await t.step(
      "a skill looping on a refused program: 3 prompts for 5 calls",
      async () => {
        const { session, asked } = await formSession(
          engine.paths.home,
          () => ({ action: "cancel" }),
        );
        await using _session = session;
        for (let i = 0; i < 5; i++) {
          assert.equal((await run(session)).isError, true);
        }
        assert.equal(asked.length, 3);
      },
    );

    await t.step("every answer is audited with the resolved path", async () => {
      const lines = (await approvalLines(engine.paths.ioLog)).filter((l) =>
        l.checks.kind === "program"
      );
      assert.deepEqual(
        lines.map((l) => l.checks.answer),
        [
          "allow_once",
          "allow_once",
          "deny",
          "allow_always",
          "no_answer",
          "no_answer",
          "no_answer",
        ],
      );
      for (const line of lines) {
        assert.equal(line.target, `--run ${ok} (${DIR}/${ok})`);
      }
    });
  } finally {
    for (const path of planted) await Deno.remove(path).catch(() => {});
    await Deno.remove(skills, { recursive: true });
  }
});

Deno.test(
  "form elicitation for a --read path: its real path asked; a link, the engine's home, a folder holding it and a link into it never offered",
  async (t) => {
    const outer = await Deno.realPath(
      await Deno.makeTempDir({ prefix: "agentos-readapprove-" }),
    );
    const home = `${outer}/home`;
    await Deno.mkdir(home);
    const owner = `${outer}/owner`;
    await Deno.mkdir(owner);
    const skills = `${outer}/skills`;
    try {
      await using engine = await EngineProcess.start({
        home,
        env: { AGENTOS_SPARE_WORKERS: "1" },
      });
      const rpc = await engine.client();
      await rpc.call("skills.add", {
        path: await writeSkill(
          skills,
          "runner",
          RUNNER_SKILL,
          "capabilities: [shell, sql]\n",
        ),
      });
      const read = (session: McpSession, db: string) =>
        session.call("skills_run", {
          skill: "runner",
          tool: "titles",
          params: { db },
        });
      await Deno.writeTextFile(`${owner}/app.db`, "");
      await Deno.symlink(engine.paths.database, `${owner}/link.db`);
      await Deno.symlink(`${owner}/app.db`, `${owner}/other.db`);

      await t.step("allow once: the real path, this call only", async () => {
        const { session, asked } = await formSession(
          engine.paths.home,
          choose("allow_once"),
        );
        await using _session = session;
        const result = await read(session, `${owner}/app.db`);
        assert.equal(result.isError, false, result.text);
        assert.equal(asked.length, 1);
        assert.ok(
          asked[0]!.message.includes(
            `to read "${owner}/app.db" (the real path, links resolved) read-only with sql.query`,
          ),
          asked[0]!.message,
        );
        const { skills: list } = await rpc.call<
          { skills: { id: string; reads?: string[] }[] }
        >("skills.list", {});
        assert.deepEqual(list.find((s) => s.id === "runner")!.reads, []);
      });

      await t.step(
        "a link and the engine's own files are never offered",
        async () => {
          for (
            const db of [
              `${owner}/link.db`,
              `${owner}/other.db`,
              engine.paths.database,
              outer,
              `${owner}/../home/data/agentos.db`,
            ]
          ) {
            const { session, asked } = await formSession(
              engine.paths.home,
              choose("allow_once"),
            );
            await using _session = session;
            const result = await read(session, db);
            assert.equal(result.isError, true, db);
            assert.equal(asked.length, 0, db);
            assert.match(result.text, /It was not offered to the user/, db);
          }
          const lines = (await approvalLines(engine.paths.ioLog)).filter((l) =>
            l.checks.kind === "read"
          );
          assert.deepEqual(lines.map((l) => l.checks.answer), ["allow_once"]);
        },
      );
    } finally {
      await Deno.remove(outer, { recursive: true }).catch(() => {});
    }
  },
);
