/**
 * Capabilities: providers in the documented order, invoke with failover
 * when a provider fails for a reason that is not the caller's fault, and
 * preferences through prefs.set.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { fixture, rejectsWith } from "./skills_helpers.ts";

interface Provider {
  skill: string;
  tool: string;
  reason: string;
}

Deno.test("capability providers are ordered and invoke fails over", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  // Added in this order: cap-crash is the provider when the others are
  // added, so they join after it, the most recently added first.
  for (const name of ["cap-crash", "cap-ok", "cap-picky"]) {
    await client.call("skills.add", { path: fixture(name) });
  }
  const providers = () =>
    client.call<Provider[]>("capability.providers", { name: "echo_test" });

  await t.step(
    "capability.list names the capability, its providers and its params schema",
    async () => {
      const { capabilities } = await client.call<{
        capabilities: Record<string, unknown>[];
      }>("capability.list");
      const echo = capabilities.find((c) => c.name === "echo_test")!;
      assert.deepEqual(echo.providers, ["cap-crash", "cap-picky", "cap-ok"]);
      assert.deepEqual(echo.params, {
        type: "object",
        properties: { text: { type: "string" } },
        required: ["text"],
        additionalProperties: true,
      });
      assert.ok(capabilities.some((c) => c.name === "llm"));
      assert.ok(capabilities.some((c) => c.name === "web_read"));
    },
  );

  await t.step(
    "with no history, providers added later come after the first, the most recent first",
    async () => {
      const list = await providers();
      assert.deepEqual(list.map((p) => p.skill), [
        "cap-crash",
        "cap-picky",
        "cap-ok",
      ]);
      assert.match(list[0]!.reason, /^added [^;]*; needs no credential$/);
      assert.match(
        list[1]!.reason,
        /^added .*; added after existing providers, tried after them until the owner prefers it \(agentos prefs set capability\.echo_test cap-picky\); needs no credential$/,
      );
    },
  );

  await t.step(
    "a crashing provider is skipped and the attempt reported",
    async () => {
      const out = await client.call<{
        result: { by: string };
        provider: { skill: string };
        attempts: { skill: string; ok: boolean; error?: { message: string } }[];
      }>("capability.invoke", { name: "echo_test", params: { text: "hi" } });
      assert.equal(out.result.by, "cap-picky");
      assert.deepEqual(out.provider, { skill: "cap-picky", tool: "echo" });
      assert.deepEqual(out.attempts.map((a) => [a.skill, a.ok]), [
        ["cap-crash", false],
        ["cap-picky", true],
      ]);
      assert.match(out.attempts[0]!.error!.message, /exited before answering/);
    },
  );

  await t.step(
    "freshness orders providers added alike; success does not lift a later one over the first",
    async () => {
      const list = await providers();
      assert.deepEqual(list.map((p) => p.skill), [
        "cap-crash",
        "cap-picky",
        "cap-ok",
      ]);
      assert.match(list[1]!.reason, /^last succeeded /);
    },
  );

  await t.step(
    "a deliberate skill error is the caller's fault: no failover",
    async () => {
      const error = await rejectsWith(
        client.call("capability.invoke", {
          name: "echo_test",
          params: { text: "bad" },
        }),
        ErrorCode.SkillFailed,
        /not allowed/,
      );
      const attempts =
        (error.data as { attempts: { skill: string }[] }).attempts;
      assert.deepEqual(attempts.map((a) => a.skill), [
        "cap-crash",
        "cap-picky",
      ]);
    },
  );

  await t.step("bad params are refused before any provider runs", async () => {
    await rejectsWith(
      client.call("capability.invoke", { name: "echo_test", params: {} }),
      ErrorCode.InvalidParams,
      /needs the parameter "text"/,
    );
  });

  await t.step(
    "the owner's preference comes first; disabling it falls through",
    async () => {
      await client.call("prefs.set", {
        key: "capability.echo_test",
        value: "cap-ok",
      });
      const list = await providers();
      assert.deepEqual(list[0], {
        skill: "cap-ok",
        tool: "echo",
        reason: "preferred (prefs capability.echo_test)",
      });
      const out = await client.call<{ result: { by: string } }>(
        "capability.invoke",
        { name: "echo_test", params: { text: "x" } },
      );
      assert.equal(out.result.by, "cap-ok");
      await client.call("skills.disable", { id: "cap-ok" });
      const next = await client.call<{ result: { by: string } }>(
        "capability.invoke",
        { name: "echo_test", params: { text: "x" } },
      );
      assert.equal(next.result.by, "cap-picky");
    },
  );

  await t.step(
    "capability.list leaves out disabled providers, and a capability only a disabled skill provides",
    async () => {
      await client.call("skills.disable", { id: "web-reader" });
      const { capabilities } = await client.call<{
        capabilities: { name: string; providers: string[] }[];
      }>("capability.list");
      const echo = capabilities.find((c) => c.name === "echo_test")!;
      assert.ok(!echo.providers.includes("cap-ok"), echo.providers.join());
      assert.ok(
        !capabilities.some((c) => c.name === "web_read"),
        capabilities.map((c) => c.name).join(),
      );
      await client.call("skills.enable", { id: "web-reader" });
    },
  );

  await t.step(
    "apps cannot name a skill, and unknown capabilities are NotFound",
    async () => {
      await rejectsWith(
        client.call("capability.invoke", {
          name: "echo_test",
          skill: "cap-ok",
          params: { text: "x" },
        }),
        ErrorCode.InvalidParams,
        /takes no "skill"/,
      );
      await rejectsWith(
        client.call("capability.invoke", { name: "no_such_thing", params: {} }),
        ErrorCode.NotFound,
        /No enabled skill provides "no_such_thing"/,
      );
      assert.deepEqual(
        await client.call("capability.providers", { name: "no_such_thing" }),
        [],
      );
    },
  );

  await t.step(
    "prefs.get and prefs.set round-trip; bad values are refused",
    async () => {
      assert.deepEqual(
        await client.call("prefs.get", { key: "capability.echo_test" }),
        { key: "capability.echo_test", value: "cap-ok" },
      );
      await rejectsWith(
        client.call("prefs.set", { key: "http.origin_map", value: ["x"] }),
        ErrorCode.InvalidParams,
        /origin map must be an object/,
      );
      await client.call("prefs.set", {
        key: "capability.echo_test",
        value: null,
      });
      assert.deepEqual(
        await client.call("prefs.get", { key: "capability.echo_test" }),
        { key: "capability.echo_test", value: null },
      );
    },
  );
});
