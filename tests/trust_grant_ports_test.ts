/**
 * Grants carry ports: a grant of a private host names its port and covers
 * that port only (another local service — the bridge, say — stays out of
 * reach); `agentos skills allow X localhost` is refused with the exact
 * command; a bundled skill's default grants name its connections' ports.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture, localServer, rejectsWith } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

Deno.test("grants: a private host is granted with its port, and only that port", async (t) => {
  await using service = localServer(() => new Response("service"));
  await using bridge = localServer(() => new Response("bridge data"));
  const port = new URL(service.origin).port;
  const other = new URL(bridge.origin).port;
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  const cli = (...args: string[]) => runAgentos(engine.paths.home, args);
  const run = (url: string) =>
    client.call<{ result: Json }>("skills.run", {
      skill: "lan-client",
      tool: "fetch",
      params: { url },
    });
  await client.call("skills.add", { path: fixture("lan-client") });

  await t.step(
    "allow without a port is refused with the exact command",
    async () => {
      const bare = await cli("skills", "allow", "lan-client", "127.0.0.1");
      assert.equal(bare.code, 1);
      // lan-client's source names http://127.0.0.1/ (port 80).
      assert.match(
        bare.stderr,
        /"127\.0\.0\.1" is on this machine or your network: a grant names its port too.*Run: agentos skills allow lan-client 127\.0\.0\.1:80/,
      );
      const local = await cli("skills", "allow", "lan-client", "localhost");
      assert.equal(local.code, 1);
      assert.match(
        local.stderr,
        /Run: agentos skills allow lan-client localhost:<port>/,
      );
      const { skills } = await client.call<{ skills: Json[] }>("skills.list");
      assert.deepEqual(
        (skills.find((s) => s.id === "lan-client")!.grants as Json).hosts,
        [],
      );
    },
  );

  await t.step("host:port reaches that port and no other", async () => {
    const allowed = await cli(
      "skills",
      "allow",
      "lan-client",
      `127.0.0.1:${port}`,
    );
    assert.equal(allowed.code, 0, allowed.stderr);
    const { result } = await run(`http://127.0.0.1:${port}/x`);
    assert.equal(result.body, "service");
    await rejectsWith(
      run(`http://127.0.0.1:${other}/graph`),
      ErrorCode.SkillFailed,
      new RegExp(
        `may not reach host "127\\.0\\.0\\.1": it resolves to loopback address.*agentos skills allow lan-client 127\\.0\\.0\\.1:${other}\\b`,
      ),
    );
    assert.deepEqual(
      bridge.requests,
      [],
      "the other local service was reached",
    );
  });

  await t.step("disallow host:port takes it back", async () => {
    const taken = await cli(
      "skills",
      "disallow",
      "lan-client",
      `127.0.0.1:${port}`,
    );
    assert.equal(taken.code, 0, taken.stderr);
    await rejectsWith(
      run(`http://127.0.0.1:${port}/x`),
      ErrorCode.SkillFailed,
      /resolves to loopback address/,
    );
  });

  await t.step(
    "a bundled skill's default grants name its connections' ports",
    async () => {
      const { skills } = await client.call<{ skills: Json[] }>("skills.list");
      const llm = skills.find((s) => s.id === "openai-compatible")!;
      assert.deepEqual(llm.grants, {
        hosts: ["localhost:11434", "localhost:8080"],
        openWeb: false,
        byDefault: true,
      });
    },
  );
});
