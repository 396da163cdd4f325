/**
 * URL routing: a capability call whose params carry a URL goes to the
 * providers whose `@provides(..., urls=[...])` patterns match it, most
 * specific first, then to generic providers; a provider whose patterns do
 * not match is never chosen for that URL.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { fixture } from "./skills_helpers.ts";

interface Provider {
  skill: string;
  tool: string;
  reason: string;
  urls?: string[];
}

Deno.test("capability.invoke routes a URL to the provider whose patterns match it", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  // The generic provider is added last: with no URL it would come first.
  for (
    const name of ["route-forum", "route-thread", "route-tracker", "route-any"]
  ) {
    await client.call("skills.add", { path: fixture(name) });
  }
  const ours = (list: Provider[]) =>
    list.filter((p) => p.skill.startsWith("route-"));
  const invoke = (url: string) =>
    client.call<{ result: { by: string }; attempts: unknown[] }>(
      "capability.invoke",
      { name: "web_read", params: { url } },
    );

  await t.step(
    "capability.providers shows each provider's patterns",
    async () => {
      const list = ours(
        await client.call<Provider[]>("capability.providers", {
          name: "web_read",
        }),
      );
      const forum = list.find((p) => p.skill === "route-forum")!;
      assert.deepEqual(forum.urls, [
        "forum.example/post/*",
        "www.forum.example/post/*",
      ]);
      assert.equal(list.find((p) => p.skill === "route-any")!.urls, undefined);
      assert.equal(list[0]!.skill, "route-any", "no URL: the usual order");
    },
  );

  await t.step(
    "the most specific matching pattern wins, then the broader one, then generic providers",
    async () => {
      const url = "https://forum.example/post/12/thread/3";
      const list = ours(
        await client.call<Provider[]>("capability.providers", {
          name: "web_read",
          url,
        }),
      );
      assert.deepEqual(list.map((p) => p.skill), [
        "route-thread",
        "route-forum",
        "route-any",
      ]);
      assert.match(list[0]!.reason, /URL patterns match/);
      assert.equal((await invoke(url)).result.by, "route-thread");
    },
  );

  await t.step(
    "a URL only the forum serves goes to the forum, www. or not",
    async () => {
      assert.equal(
        (await invoke("https://forum.example/post/9")).result.by,
        "route-forum",
      );
      assert.equal(
        (await invoke("https://www.forum.example/post/9")).result.by,
        "route-forum",
      );
    },
  );

  await t.step(
    "a URL no pattern matches goes to a generic provider, never to a non-matching one",
    async () => {
      const url = "https://elsewhere.example/page";
      const list = await client.call<Provider[]>("capability.providers", {
        name: "web_read",
        url,
      });
      assert.ok(
        list.every((p) =>
          !p.skill.startsWith("route-") || p.skill === "route-any"
        ),
      );
      const out = await invoke(url);
      assert.notEqual(out.result.by, "route-tracker");
      assert.notEqual(out.result.by, "route-forum");
    },
  );

  await t.step("a malformed url filter is refused", async () => {
    await assert.rejects(
      client.call("capability.providers", { name: "web_read", url: 5 }),
      /"url" must be a string/,
    );
  });
  await t.step(
    "no provider's patterns match and no generic one is enabled: refused naming the URL; an unknown capability with a URL: nothing provides it",
    async () => {
      const url = "https://elsewhere.example/page";
      await assert.rejects(
        client.call("capability.invoke", {
          name: "no_such_capability_here",
          params: { url },
        }),
        /No enabled skill provides "no_such_capability_here"/,
      );
      const generic = (await client.call<Provider[]>("capability.providers", {
        name: "web_read",
      })).filter((p) => p.urls === undefined);
      assert.ok(generic.some((p) => p.skill === "route-any"));
      for (const { skill } of generic) {
        await client.call("skills.disable", { id: skill });
      }
      await assert.rejects(
        invoke(url),
        new RegExp(
          `No enabled provider of "web_read" serves ${url}: every provider declares URL patterns that do not match it`,
        ),
      );
    },
  );
});
