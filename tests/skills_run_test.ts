/**
 * skills.run end to end: brokered HTTP (concurrency, egress, origin maps),
 * records written to the graph with provenance, parameters, discovery
 * problems, the registry's add/enable/disable/remove, and call events.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { RpcClient } from "../engine/rpc/mod.ts";
import { EngineProcess } from "./_engine_process.ts";
import {
  fixture,
  localServer,
  rejectsWith,
  waitFor,
} from "./skills_helpers.ts";

type Json = Record<string, unknown>;

Deno.test("skills.run brokers HTTP for a skill: 20 requests at once, egress checked, origins mapped", async (t) => {
  let inFlight = 0;
  let maxInFlight = 0;
  const release = Promise.withResolvers<void>();
  await using server = localServer(async (_request, url) => {
    const n = Number(url.pathname.split("/").at(-1));
    if (url.pathname.startsWith("/v1/items/")) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Hold every request until all 20 are in flight at once.
      if (inFlight === 20) release.resolve();
      await release.promise;
      inFlight--;
      return Response.json({ n: n * 10 });
    }
    if (url.pathname === "/redirect-out") {
      return new Response(null, {
        status: 302,
        headers: { location: "https://elsewhere.example.net/x" },
      });
    }
    if (url.pathname === "/redirect-in") {
      return new Response(null, {
        status: 302,
        headers: { location: `${server.origin}/v1/plain` },
      });
    }
    return new Response("plain text", {
      headers: { "content-type": "text/plain" },
    });
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.fanout.test": server.origin,
      }),
    },
  });
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("fanout") });

  await t.step("20 concurrent client.get calls in one tool call", async () => {
    const { result } = await client.call<{ result: Json }>("skills.run", {
      skill: "fanout",
      tool: "fetch_many",
      params: { count: 20 },
    });
    assert.deepEqual(
      result.values,
      Array.from({ length: 20 }, (_, n) => n * 10),
    );
    assert.equal(maxInFlight, 20);
  });

  await t.step(
    "a redirect back to the mapped origin is followed; the final URL is the skill's",
    async () => {
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "fanout",
        tool: "fetch",
        params: { url: "https://api.fanout.test/redirect-in" },
      });
      assert.equal(result.status, 200);
      assert.equal(result.url, "https://api.fanout.test/v1/plain");
      assert.equal(result.body, "plain text");
      assert.equal(result.content_type, "text/plain");
    },
  );

  await t.step(
    "hosts outside the egress set are refused, redirects included",
    async () => {
      await rejectsWith(
        client.call("skills.run", {
          skill: "fanout",
          tool: "fetch",
          params: { url: "https://evil.example.com/" },
        }),
        ErrorCode.SkillFailed,
        /may not reach host "evil\.example\.com"/,
      );
      await rejectsWith(
        client.call("skills.run", {
          skill: "fanout",
          tool: "fetch",
          params: { url: "https://api.fanout.test/redirect-out" },
        }),
        ErrorCode.SkillFailed,
        /may not reach host "elsewhere\.example\.net"/,
      );
      // The mapped origin itself is not in the egress set: only the name is.
      await rejectsWith(
        client.call("skills.run", {
          skill: "fanout",
          tool: "fetch",
          params: { url: `${server.origin}/v1/plain` },
        }),
        ErrorCode.SkillFailed,
        /may not reach host "127\.0\.0\.1"/,
      );
    },
  );

  await t.step(
    "the prefs origin map takes precedence over AGENTOS_ORIGIN_MAP",
    async () => {
      await using other = localServer(() => new Response("from prefs"));
      await client.call("prefs.set", {
        key: "http.origin_map",
        value: { "https://api.fanout.test": other.origin },
      });
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "fanout",
        tool: "fetch",
        params: { url: "https://api.fanout.test/v1/plain" },
      });
      assert.equal(result.body, "from prefs");
      await client.call("prefs.set", { key: "http.origin_map", value: null });
    },
  );
});

Deno.test("records a tool returns land in the graph with provenance, in one transaction", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("records-demo") });

  await t.step(
    "a first run creates posts, the author account and the site",
    async () => {
      const run = await client.call<{ result: Json[]; records: Json }>(
        "skills.run",
        { skill: "records-demo", tool: "posts", params: { count: 2 } },
      );
      assert.equal(run.result.length, 2);
      // 2 posts + 1 account + 1 website.
      assert.deepEqual(run.records, {
        created: 4,
        updated: 0,
        warnings: [],
        ids: run.records.ids as string[],
      });
      assert.equal((run.records.ids as string[]).length, 2);
      const post = await client.call<{
        values: Json;
        edges_out: { label: string; to: string }[];
      }>("graph.get", { id: (run.records.ids as string[])[0] });
      assert.equal(post.values.likes, 7);
      assert.equal(post.values.name, "Post 0");
      const labels = post.edges_out.map((e) => e.label).sort();
      assert.deepEqual(labels, ["at", "author", "imported_from"]);
      const skillNode = await client.call<{ values: Json; shapes: string[] }>(
        "graph.get",
        { id: post.edges_out.find((e) => e.label === "imported_from")!.to },
      );
      assert.deepEqual(skillNode.shapes, ["skill"]);
      assert.equal(skillNode.values.skillId, "records-demo");
      const { changes } = await client.call<{ changes: { actor: string }[] }>(
        "graph.history",
        { id: (run.records.ids as string[])[0] },
      );
      assert.ok(changes.length > 0);
      assert.ok(changes.every((c) => c.actor === "skill:records-demo"));
    },
  );

  await t.step(
    "running again upserts by identity: nothing new, changed values updated",
    async () => {
      const run = await client.call<{ records: Json }>("skills.run", {
        skill: "records-demo",
        tool: "posts",
        params: { count: 2, likes: "9" },
      });
      assert.equal(run.records.created, 0);
      assert.equal(run.records.updated, 2);
      const page = await client.call<{ items: unknown[] }>("graph.list", {
        shape: "post",
      });
      assert.equal(page.items.length, 2);
    },
  );

  await t.step(
    "a value that cannot be coerced is kept as text with a warning",
    async () => {
      const run = await client.call<{ records: Json }>("skills.run", {
        skill: "records-demo",
        tool: "posts",
        params: { count: 1, likes: "lots" },
      });
      assert.equal((run.records.warnings as string[]).length, 1);
      assert.match((run.records.warnings as string[])[0]!, /likes/);
    },
  );

  await t.step("remember: false writes nothing", async () => {
    const before = await client.call<{ counts: Json }>("engine.status");
    const run = await client.call<{ result: Json[]; records: Json }>(
      "skills.run",
      {
        skill: "records-demo",
        tool: "posts",
        params: { count: 5 },
        remember: false,
      },
    );
    assert.equal(run.result.length, 5);
    assert.deepEqual(run.records, {
      created: 0,
      updated: 0,
      warnings: [],
      ids: [],
    });
    const after = await client.call<{ counts: Json }>("engine.status");
    assert.equal(after.counts.nodes, before.counts.nodes);
    assert.equal(after.counts.changes, before.counts.changes);
  });

  await t.step(
    'a single object under @returns("post") is one record',
    async () => {
      const run = await client.call<{ records: Json }>("skills.run", {
        skill: "records-demo",
        tool: "one_post",
      });
      assert.equal(run.records.created, 1);
    },
  );

  await t.step(
    "call events reach observers: started, then completed with ms",
    async () => {
      const events: Json[] = [];
      let changes = 0;
      const watcher = await RpcClient.connect(engine.paths.socket, {
        onNotification: (method, params) => {
          if (method !== "observer.event") return;
          if ((params as Json).kind === "call") events.push(params as Json);
          else changes++;
        },
      });
      try {
        await watcher.call("observer.subscribe", {});
        // Live delivery starts after the (empty) replay: a change seen = live.
        await client.call("graph.create", { values: { name: "marker" } });
        await waitFor("the subscription to go live", () => changes > 0);
        const run = await client.call<{ callId: string }>("skills.run", {
          skill: "records-demo",
          tool: "one_post",
        });
        const mine = await waitFor("the completed event", () => {
          const found = events.filter((e) => e.callId === run.callId);
          return found.length === 2 ? found : undefined;
        });
        assert.deepEqual(mine.map((e) => e.phase), ["started", "completed"]);
        assert.equal(mine[1]!.skill, "records-demo");
        assert.equal(mine[1]!.tool, "one_post");
        assert.equal(typeof mine[1]!.ms, "number");
      } finally {
        await watcher.close();
      }
    },
  );
});

Deno.test("the registry: discovery problems, parameters, enable/disable, remove", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();

  await t.step(
    "a broken skill is listed with file, line and reason; its good tools still run",
    async () => {
      const added = await client.call<
        { id: string; tools: string[]; problems: Json[] }
      >(
        "skills.add",
        { path: fixture("broken-source") },
      );
      assert.deepEqual(added.tools, ["still_works"]);
      assert.deepEqual(added.problems, [{
        file: "bad.py",
        line: 6,
        reason: "Syntax error: '(' was never closed",
        severity: "error",
      }]);
      const { skills } = await client.call<{ skills: Json[] }>("skills.list");
      const ids = skills.map((s) => s.id);
      assert.ok(ids.includes("feeds") && ids.includes("web-reader"));
      const broken = skills.find((s) => s.id === "broken-source")!;
      assert.equal((broken.problems as Json[]).length, 1);
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "broken-source",
        tool: "still_works",
      });
      assert.deepEqual(result, { ok: true });
    },
  );

  await t.step(
    "skills.list shows tools with params, provides, returns, timeout, connections and needs",
    async () => {
      const { skills } = await client.call<{ skills: Json[] }>("skills.list");
      const llm = skills.find((s) => s.id === "openai-compatible")!;
      assert.deepEqual(llm.needs, ["http"]);
      assert.deepEqual(
        (llm.connections as Json[]).map((c) => c.name),
        ["ollama", "llamacpp", "openai"],
      );
      const chat = (llm.tools as Json[])[0]!;
      assert.equal(chat.name, "chat");
      assert.deepEqual(chat.provides, ["llm"]);
      assert.equal(chat.timeout, 120);
      assert.deepEqual((chat.params as Json[])[0], {
        name: "prompt",
        type: "string",
        required: false,
        default: null,
        description: "The user's message (or give ``messages``)",
      });
      assert.equal((chat.tests as Json[]).length, 1);
    },
  );

  await t.step(
    "parameters are checked against the signature before a worker starts",
    async () => {
      await client.call("skills.add", { path: fixture("cap-ok") });
      await rejectsWith(
        client.call("skills.run", { skill: "cap-ok", tool: "echo" }),
        ErrorCode.InvalidParams,
        /needs the parameter "text" \(string\)/,
      );
      await rejectsWith(
        client.call("skills.run", {
          skill: "cap-ok",
          tool: "echo",
          params: { text: 5 },
        }),
        ErrorCode.InvalidParams,
        /"text" of tool "echo" must be string/,
      );
      await rejectsWith(
        client.call("skills.run", { skill: "cap-ok", tool: "nope" }),
        ErrorCode.NotFound,
        /has no tool "nope"/,
      );
    },
  );

  await t.step(
    "a disabled skill cannot run; enabled again it can",
    async () => {
      await client.call("skills.disable", { id: "cap-ok" });
      await rejectsWith(
        client.call("skills.run", {
          skill: "cap-ok",
          tool: "echo",
          params: { text: "x" },
        }),
        ErrorCode.Forbidden,
        /is disabled/,
      );
      await client.call("skills.enable", { id: "cap-ok" });
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "cap-ok",
        tool: "echo",
        params: { text: "x" },
      });
      assert.equal(result.echo, "x");
    },
  );

  await t.step(
    "registrations survive a restart; remove deletes the snapshot",
    async () => {
      const home = engine.paths.home;
      await client.call("skills.disable", { id: "broken-source" });
      await client.call("engine.shutdown");
      await engine.exitCode();
      await using again = await EngineProcess.start({
        home,
        env: { AGENTOS_SPARE_WORKERS: "0" },
      });
      const client2 = await again.client();
      const { skills } = await client2.call<{ skills: Json[] }>("skills.list");
      const byId = new Map(skills.map((s) => [s.id, s]));
      assert.equal(byId.get("broken-source")!.enabled, false);
      assert.equal(byId.get("cap-ok")!.enabled, true);
      assert.equal(byId.get("cap-ok")!.origin, "user");
      await client2.call("skills.remove", { id: "cap-ok" });
      await rejectsWith(
        client2.call("skills.run", {
          skill: "cap-ok",
          tool: "echo",
          params: { text: "x" },
        }),
        ErrorCode.NotFound,
        /No skill "cap-ok"/,
      );
      await assert.rejects(Deno.stat(`${home}/skills/cap-ok`));
      await rejectsWith(
        client2.call("skills.remove", { id: "feeds" }),
        ErrorCode.Forbidden,
        /bundled/,
      );
    },
  );

  await t.step(
    "adding a missing or relative directory is refused",
    async () => {
      await using again = await EngineProcess.start({
        env: { AGENTOS_SPARE_WORKERS: "0" },
      });
      const client3 = await again.client();
      await rejectsWith(
        client3.call("skills.add", { path: "/nonexistent/skill-dir" }),
        ErrorCode.NotFound,
        /does not exist/,
      );
      await rejectsWith(
        client3.call("skills.add", { path: "relative/dir" }),
        ErrorCode.InvalidParams,
        /absolute path/,
      );
    },
  );
});
