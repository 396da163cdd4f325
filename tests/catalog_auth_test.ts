/**
 * Connections the way published skills declare them, end to end: a real
 * engine, real sandboxed workers, real HTTP servers on 127.0.0.1 behind
 * the origin map. Auth templates (header, query, split body) are applied
 * by the engine with the real key, the skill only ever sees placeholders,
 * and client kinds send their header bundles.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { fixture, localServer } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const KEY = "hdr-live-KEY-7c1e93b0a4d2";
const SERP = "serp-live-KEY-51f0e2d9c8";
const SPLIT = "pk1_live4c0ffee:sk1_live9deadbeef";
const PLACEHOLDER = /^agentos-secret-[0-9a-f]{32}$/;

Deno.test("auth templates: the engine applies header, query and body templates with the real key", async (t) => {
  const seen: Json[] = [];
  await using server = localServer(async (request, url) => {
    const headers = Object.fromEntries(request.headers);
    const body = request.method === "POST" ? await request.json() : undefined;
    seen.push({ path: url.pathname, query: url.search, headers, body });
    return Response.json({ ok: true, echo: headers.authorization ?? null });
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.hdr.test": server.origin,
        "https://serp.qry.test": server.origin,
        "https://api.split.test": server.origin,
      }),
    },
  });
  const client = await engine.client();
  for (const name of ["hdr-api", "qry-api", "split-api"]) {
    await client.call("skills.add", { path: fixture(name) });
  }
  // One stored value (a plain string) and the CLI's {key: …} both read as params["auth"]["key"].
  await client.call("secrets.set", { domain: "hdr.test", value: KEY });
  await client.call("secrets.set", {
    domain: "qry.test",
    value: { key: SERP },
  });
  await client.call("secrets.set", { domain: "split.test", value: SPLIT });
  const run = (skill: string, tool: string, params: Json = {}) =>
    client.call<{ result: Json }>("skills.run", { skill, tool, params });

  await t.step(
    "a header template sends Bearer + the real key; the skill saw a placeholder",
    async () => {
      const { result } = await run("hdr-api", "search", { q: "tea" });
      const got = seen.at(-1)!;
      assert.equal((got.headers as Json).authorization, `Bearer ${KEY}`);
      assert.equal(got.query, "?q=tea");
      assert.match(result.key as string, PLACEHOLDER);
      // The server echoed the key: the skill's copy of it is masked back.
      assert.equal((result.json as Json).echo, `Bearer ${result.key}`);
      assert.ok(!JSON.stringify(result).includes(KEY));
    },
  );

  await t.step(
    "client='browser' sends the browser bundle; the skill's own headers win",
    async () => {
      const browser = seen.at(-1)!.headers as Json;
      assert.match(
        String(browser["user-agent"]),
        /Mozilla\/5\.0 .*Chrome\/\d+/,
      );
      assert.equal(browser["sec-fetch-mode"], "navigate");
      assert.equal(browser["sec-ch-ua-mobile"], "?0");
      assert.match(String(browser.accept), /^text\/html/);
      await run("hdr-api", "override", { kind: "fetch", agent: "probe/1.0" });
      const fetchKind = seen.at(-1)!.headers as Json;
      assert.equal(fetchKind["user-agent"], "probe/1.0");
      assert.equal(fetchKind["sec-fetch-mode"], "cors");
      assert.match(String(fetchKind.accept), /application\/json/);
      await run("hdr-api", "override", { kind: "api" });
      const api = seen.at(-1)!.headers as Json;
      assert.equal(api["sec-fetch-mode"], undefined);
      assert.equal(api["sec-ch-ua"], undefined);
      assert.doesNotMatch(String(api["user-agent"]), /Chrome/);
      assert.equal(api.authorization, `Bearer ${KEY}`);
    },
  );

  await t.step(
    "a caller header wins only when it carries the same credential's placeholder",
    async () => {
      await run("hdr-api", "override", { authorization: "Token KEY" });
      assert.equal(
        (seen.at(-1)!.headers as Json).authorization,
        `Token ${KEY}`,
      );
      await run("hdr-api", "override", { authorization: "Bearer forged" });
      assert.equal(
        (seen.at(-1)!.headers as Json).authorization,
        `Bearer ${KEY}`,
      );
    },
  );

  await t.step(
    "a query template adds api_key to a skill that never touches its key",
    async () => {
      const { result } = await run("qry-api", "search", { q: "tea" });
      const query = new URLSearchParams(String(seen.at(-1)!.query));
      assert.equal(query.get("api_key"), SERP);
      assert.equal(query.get("q"), "tea");
      assert.equal(query.get("engine"), "google");
      assert.match((result.auth as Json).key as string, PLACEHOLDER);
      assert.deepEqual(Object.keys(result.auth as Json), ["key"]);
    },
  );

  await t.step(
    "split body templates send both halves though the skill split a placeholder",
    async () => {
      const { result } = await run("split-api", "ping");
      assert.deepEqual(seen.at(-1)!.body, {
        apikey: "pk1_live4c0ffee",
        secretapikey: "sk1_live9deadbeef",
      });
      const halves = result.halves as string[];
      assert.match(halves[0]!, PLACEHOLDER);
      assert.equal(halves[1], "");
      assert.ok(!JSON.stringify(result).includes("live"));
    },
  );
});
