/**
 * The HTTP broker's policy end to end: owner grants (`agentos skills
 * allow/disallow`, persisted), open web only when declared AND granted,
 * private addresses refused unless the owner named the host, refusals
 * that name the host and the command to allow it, and `skills list`
 * showing each skill's egress set and grants.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture, localServer, rejectsWith } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

Deno.test("egress: grants, open web and private addresses", async (t) => {
  await using server = localServer((_request, url) =>
    url.pathname === "/to-metadata"
      ? new Response(null, {
        status: 302,
        headers: { location: "http://169.254.169.254/latest/meta-data/" },
      })
      : new Response(`page ${url.pathname}`)
  );
  const port = new URL(server.origin).port;
  const home = await Deno.makeTempDir({ prefix: "agentos-test-" });
  const env = {
    AGENTOS_SPARE_WORKERS: "1",
    AGENTOS_ORIGIN_MAP: JSON.stringify({
      "https://news.example": server.origin,
    }),
  };
  let engine = await EngineProcess.start({ home, env });
  try {
    let client = await engine.client();
    const cli = (...args: string[]) => runAgentos(home, args);
    const run = (skill: string, url: string) =>
      client.call<{ result: Json }>("skills.run", {
        skill,
        tool: "fetch",
        params: { url },
      });
    for (const name of ["lan-client", "page-reader"]) {
      await client.call("skills.add", { path: fixture(name) });
    }

    await t.step(
      "a declared loopback host is refused until the owner grants it by name",
      async () => {
        await rejectsWith(
          run("lan-client", `http://127.0.0.1:${port}/x`),
          ErrorCode.SkillFailed,
          new RegExp(
            `may not reach host "127\\.0\\.0\\.1": it resolves to loopback address 127\\.0\\.0\\.1.*agentos skills allow lan-client 127\\.0\\.0\\.1:${port}\\b`,
          ),
        );
        await rejectsWith(
          run("lan-client", `http://localhost:${port}/x`),
          ErrorCode.SkillFailed,
          new RegExp(
            `may not reach host "localhost": it is not in the skill's egress set.*To allow it run: agentos skills allow lan-client localhost:${port}\\b`,
          ),
        );
        const allowed = await cli(
          "skills",
          "allow",
          "lan-client",
          `127.0.0.1:${port}`,
        );
        assert.equal(allowed.code, 0, allowed.stderr);
        assert.match(
          allowed.stdout,
          new RegExp(
            `Skill lan-client may now reach host 127\\.0\\.0\\.1:${port}`,
          ),
        );
        const { result } = await run(
          "lan-client",
          `http://127.0.0.1:${port}/x`,
        );
        assert.equal(result.body, "page /x");
      },
    );

    await t.step(
      "open web needs the declaration and the grant, and never covers private addresses",
      async () => {
        await rejectsWith(
          run("page-reader", "https://news.example/a"),
          ErrorCode.SkillFailed,
          /declares open_web, but the owner has not granted it.*agentos skills allow page-reader --open-web/,
        );
        await rejectsWith(
          client.call("skills.allow", { skill: "lan-client", open_web: true }),
          ErrorCode.Forbidden,
          /does not declare open_web/,
        );
        const allowed = await cli(
          "skills",
          "allow",
          "page-reader",
          "--open-web",
        );
        assert.equal(allowed.code, 0, allowed.stderr);
        const { result } = await run("page-reader", "https://news.example/a");
        assert.equal(result.body, "page /a");
        await rejectsWith(
          run("page-reader", `http://127.0.0.1:${port}/`),
          ErrorCode.SkillFailed,
          /resolves to loopback address/,
        );
        await rejectsWith(
          run("page-reader", "https://news.example/to-metadata"),
          ErrorCode.SkillFailed,
          /may not reach host "169\.254\.169\.254": it resolves to link-local address/,
        );
      },
    );

    await t.step(
      "skills list shows each skill's egress set and grants",
      async () => {
        const { skills } = await client.call<{ skills: Json[] }>("skills.list");
        const lan = skills.find((s) => s.id === "lan-client")!;
        assert.deepEqual(lan.egress, {
          hosts: ["127.0.0.1"],
          domains: [],
          openWeb: false,
        });
        assert.deepEqual(lan.grants, {
          hosts: [`127.0.0.1:${port}`],
          openWeb: false,
          byDefault: false,
        });
        const reader = skills.find((s) => s.id === "web-reader")!;
        assert.deepEqual(reader.grants, {
          hosts: [],
          openWeb: true,
          byDefault: true,
        });
        const listed = await cli("skills", "list");
        assert.match(
          listed.stdout,
          new RegExp(
            `^lan-client\\s+127\\.0\\.0\\.1\\s+127\\.0\\.0\\.1:${port}\\s`,
            "m",
          ),
        );
        assert.match(
          listed.stdout,
          /^page-reader\s+open web \(declared\)\s+open web\s/m,
        );
        assert.match(
          listed.stdout,
          /^web-reader\s.*open web \(bundled default\)/m,
        );
      },
    );

    await t.step(
      "grants survive a restart; disallow takes them back",
      async () => {
        await engine[Symbol.asyncDispose]();
        engine = await EngineProcess.start({ home, env });
        client = await engine.client();
        const { result } = await run(
          "lan-client",
          `http://127.0.0.1:${port}/y`,
        );
        assert.equal(result.body, "page /y");
        const taken = await cli(
          "skills",
          "disallow",
          "lan-client",
          `127.0.0.1:${port}`,
        );
        assert.equal(taken.code, 0, taken.stderr);
        await rejectsWith(
          run("lan-client", `http://127.0.0.1:${port}/y`),
          ErrorCode.SkillFailed,
          /resolves to loopback address/,
        );
        const bad = await cli(
          "skills",
          "allow",
          "lan-client",
          "https://x.test/",
        );
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /"host" must be a host name/);
        await client.call("skills.disallow", {
          skill: "web-reader",
          open_web: true,
        });
        const { skills } = await client.call<{ skills: Json[] }>("skills.list");
        assert.deepEqual(skills.find((s) => s.id === "web-reader")!.grants, {
          hosts: [],
          openWeb: false,
          byDefault: false,
        });
      },
    );
  } finally {
    await engine[Symbol.asyncDispose]();
    await Deno.remove(home, { recursive: true });
  }
});
