/**
 * Asking the owner, from an MCP client, to share a stored credential with
 * a skill it was not stored for (the key-borrower route, #25): the SDK's
 * real `Client` declaring `elicitation.form` and answering, a real engine,
 * real agentos-mcp, real sandboxed skills and a real 127.0.0.1 server for
 * the API. A call refused for a credential stored for other skills asks
 * the person through the approval form (allow once / always / deny),
 * built by the proxy from the engine's own answer (`credentials.link`'s
 * `NOT_SHARED`); "always" is `agentos skills allow <skill> --credential
 * <domain>`, "once" covers the retry alone. A client without forms gets
 * the command in the error; a forged answer for a domain the skill does
 * not declare is refused.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { McpSession } from "./mcp_session.ts";
import { choose, formSession } from "./_elicitation.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { fixture, localServer } from "./skills_helpers.ts";

const KEY = "keyed-owner-key-41d7c09e2b8a6f53";

Deno.test(
  "form elicitation for a stored credential: no forms, once, deny, always; an undeclared domain never granted",
  async (t) => {
    const published: string[] = [];
    await using server = localServer(async (request, url) => {
      const authorized = request.headers.get("x-api-key") === KEY;
      if (url.pathname === "/v1/private") {
        return new Response(authorized ? "private notes" : "", {
          status: authorized ? 200 : 401,
        });
      }
      if (url.pathname === "/v1/public" && authorized) {
        published.push(await request.text());
        return new Response("", { status: 201 });
      }
      return new Response("", { status: 404 });
    });
    await using engine = await EngineProcess.start({
      env: {
        AGENTOS_SPARE_WORKERS: "1",
        AGENTOS_ORIGIN_MAP: JSON.stringify({
          "https://api.keyed.test": server.origin,
        }),
      },
    });
    const rpc = await engine.client();
    await rpc.call("skills.add", { path: fixture("keyed-api") });
    await rpc.call("secrets.set", {
      domain: "keyed.test",
      value: { key: KEY },
    });
    await rpc.call("skills.add", {
      path: `${REPO_ROOT}tests/fixtures/hostile/key-borrower`,
    });
    const borrow = (session: McpSession) =>
      session.call("skills_run", {
        skill: "key-borrower",
        tool: "borrow",
        params: {},
      });
    const users = async () =>
      (await rpc.call<
        { secrets: { domain?: string; users?: string[] | null }[] }
      >("secrets.list", {})).secrets.find((r) => r.domain === "keyed.test")
        ?.users;

    await t.step("a client without forms gets the command", async () => {
      await using session = await McpSession.open(engine.paths.home);
      const result = await borrow(session);
      assert.equal(result.isError, true);
      assert.match(
        result.text,
        /agentos skills allow key-borrower --credential keyed\.test/,
      );
      assert.ok(!session.traffic.join("").includes("elicitation/create"));
      assert.deepEqual(published, []);
    });

    await t.step(
      "allow once: the retry alone uses the key, nothing is stored",
      async () => {
        const { session, asked } = await formSession(
          engine.paths.home,
          choose("allow_once"),
        );
        await using _session = session;
        const result = await borrow(session);
        assert.equal(result.isError, false, result.text);
        assert.equal(JSON.parse(result.text).result.published, 201);
        assert.deepEqual(published, ["private notes"]);
        assert.equal(asked.length, 1);
        assert.match(
          asked[0]!.message,
          /skill "key-borrower" was refused to use the credential stored for "keyed\.test"/,
        );
        assert.match(
          asked[0]!.message,
          /agentos skills allow key-borrower --credential keyed\.test/,
        );
        assert.deepEqual(await users(), ["keyed-api"], "once is never stored");
        assert.ok(!session.traffic.join("").includes(KEY));
      },
    );

    await t.step("deny: refused, not asked again this session", async () => {
      const { session, asked } = await formSession(
        engine.paths.home,
        choose("deny"),
      );
      await using _session = session;
      assert.equal((await borrow(session)).isError, true);
      const again = await borrow(session);
      assert.match(again.text, /denied it earlier in this session/);
      assert.equal(asked.length, 1);
      assert.deepEqual(await users(), ["keyed-api"]);
      assert.equal(published.length, 1);
    });

    await t.step(
      "a forged answer for a domain the skill does not declare is refused",
      async () => {
        await assert.rejects(
          rpc.call("approvals.answer", {
            grant: {
              kind: "credential",
              skill: "key-borrower",
              tool: "borrow",
              domain: "bank.test",
            },
            answer: "allow_once",
          }),
          /does not declare "bank\.test"/,
        );
      },
    );

    await t.step(
      "allow always: stored as skills allow --credential",
      async () => {
        const { session, asked } = await formSession(
          engine.paths.home,
          choose("allow_always"),
        );
        await using _session = session;
        const result = await borrow(session);
        assert.equal(result.isError, false, result.text);
        assert.equal(asked.length, 1);
        assert.deepEqual(await users(), ["key-borrower", "keyed-api"]);
        assert.equal(published.length, 2);
        const audit = (await Deno.readTextFile(engine.paths.ioLog)).trimEnd()
          .split("\n").map((line) => JSON.parse(line))
          .filter((line) => line.op === "approval.prompt")
          .map((line) => [line.target, line.checks.answer]);
        assert.deepEqual(audit, [
          ["--credential keyed.test", "allow_once"],
          ["--credential keyed.test", "deny"],
          ["--credential keyed.test", "allow_always"],
        ]);
      },
    );
  },
);
