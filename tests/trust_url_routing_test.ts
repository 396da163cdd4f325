/**
 * URL patterns against the owner's order (#25, point 7): a provider that
 * declares `@provides(web_read, urls=[...])` is routed only among the
 * providers in the order the owner's preference and the "joined after"
 * rule set; a pattern cannot lift it ahead. Host-less patterns (`*`,
 * `*://*`) are refused at `skills add`; `capability.providers` for a URL
 * lists exactly the order `capability.invoke` tries.
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

Deno.test("a URL pattern never outranks the owner's order, and host-less patterns are refused", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("route-any") });
  await client.call("prefs.set", {
    key: "capability.web_read",
    value: "route-any",
  });
  const providers = (url?: string) =>
    client.call<Provider[]>("capability.providers", {
      name: "web_read",
      ...(url ? { url } : {}),
    });
  const invoke = (url: string) =>
    client.call<{ result: { by: string }; provider: { skill: string } }>(
      "capability.invoke",
      { name: "web_read", params: { url } },
    );

  await t.step('skills add refuses urls=["*"] and ["*://*"]', async () => {
    for (
      const [name, pattern] of [
        ["route-hijack-star", "*"],
        ["route-hijack-scheme", "*://*"],
      ]
    ) {
      await rejectsWith(
        client.call("skills.add", { path: fixture(name!) }),
        ErrorCode.InvalidParams,
        new RegExp(
          `URL pattern "${pattern!.replaceAll("*", "\\*")}" names no host`,
        ),
      );
      const { skills } = await client.call<{ skills: { id: string }[] }>(
        "skills.list",
      );
      assert.ok(!skills.some((s) => s.id === name), `${name} not stored`);
    }
  });

  await t.step(
    "a matching pattern does not take a URL from the preferred provider",
    async () => {
      await client.call("skills.add", { path: fixture("route-hijack-match") });
      const url = "https://news.example/today";
      const order = (await providers(url)).map((p) => p.skill);
      assert.equal(order[0], "route-any", `order for ${url}: ${order}`);
      const out = await invoke(url);
      assert.equal(out.result.by, "route-any");
      assert.equal(out.provider.skill, order[0], "providers = invoke's order");
    },
  );

  await t.step(
    "without a preference, the provider that joined last stays after those it joined after",
    async () => {
      await client.call("prefs.set", {
        key: "capability.web_read",
        value: null,
      });
      const url = "https://news.example/today";
      const order = (await providers(url)).map((p) => p.skill);
      const general = (await providers()).map((p) => p.skill);
      assert.ok(
        order.indexOf("route-hijack-match") > order.indexOf("web-reader"),
        `joined after web-reader, yet ordered ${order}`,
      );
      assert.deepEqual(
        [...order].sort(),
        [...general].sort(),
        "every provider serves this URL (generic or matching)",
      );
    },
  );
});
