/**
 * Route (#25 item 6, found by the red team): the guard workers' queue was
 * first come, first served over every call. A hostile skill holding a key
 * of its own fetches 24 crafted 5 MiB bodies at once (each masked on a
 * guard worker, about 100–150 ms each here, within its call's 10 s
 * budget); another skill's 100 KiB response, masked on the same workers,
 * waited behind all of them: alone 0.9 s, during the hostile call 16.4 s
 * (2 cores, other test runs alongside; a 32 KiB response, masked inline,
 * took 2.9 s, so the queue, not the load, held it). Now each call's jobs
 * wait in a queue of their own, served in turn (`guard_pool.ts`), so a
 * call waits behind at most one job of each other call.
 * Real engine, real sandboxed workers, real guard workers.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { fixture, localServer } from "./skills_helpers.ts";
import { craftedBody } from "./_crafted_bodies.ts";

/** Longest another call may take while the hostile call's bodies are masked (one job of it, start-up and the load). */
const MAX_WAIT_MS = 6000;

Deno.test({
  name:
    "another call's large response is not masked behind every crafted body of a hostile call",
  async fn() {
    const crafted = craftedBody(5 * 1024 * 1024);
    const plain = "tea ".repeat(25 * 1024);
    await using server = localServer((_request, url) =>
      new Response(url.pathname.startsWith("/crafted/") ? crafted : plain, {
        headers: { "content-type": "text/plain" },
      })
    );
    await using engine = await EngineProcess.start({
      env: {
        AGENTOS_SPARE_WORKERS: "2",
        AGENTOS_ORIGIN_MAP: JSON.stringify({
          "https://api.hog.test": server.origin,
          "https://api.keyed.test": server.origin,
        }),
      },
    });
    const client = await engine.client();
    await client.call("skills.add", {
      path: `${REPO_ROOT}tests/fixtures/hostile/guard-hog`,
    });
    await client.call("skills.add", { path: fixture("keyed-api") });
    // Stored with the skills installed: each for the skill declaring it.
    await client.call("secrets.set", {
      domain: "hog.test",
      value: { key: "hog-key-3f9a1c7e5b2d8046" },
    });
    await client.call("secrets.set", {
      domain: "keyed.test",
      value: { key: "keyed-key-7b1e9d3c5a2f4086" },
    });
    const search = () =>
      client.call<{ result: { body: string } }>("skills.run", {
        skill: "keyed-api",
        tool: "search",
        params: { q: "tea" },
      });
    // Warm: the victim's key set is prepared, its worker started.
    const warm = performance.now();
    assert.equal((await search()).result.body.length, plain.length);
    const alone = performance.now() - warm;
    let hogEnded = 0;
    const hog = client.call("skills.run", {
      skill: "guard-hog",
      tool: "push",
      params: { count: 24 },
    }).then(() => "returned", (error: Error) => error.message)
      .finally(() => hogEnded = performance.now());
    // The hostile bodies have arrived and wait for the guard.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const started = performance.now();
    const victim = await search();
    const answered = performance.now();
    await hog;
    assert.equal(victim.result.body.length, plain.length);
    const waited = answered - started;
    // deno-lint-ignore no-console
    console.log(
      `another call's 100 KiB response: alone ${
        alone.toFixed(0)
      } ms, during the hostile call ${
        waited.toFixed(0)
      } ms (the hostile call ended ${
        (hogEnded - answered).toFixed(0)
      } ms after it)`,
    );
    assert.ok(
      waited < MAX_WAIT_MS,
      `another call's response waited ${
        waited.toFixed(0)
      } ms behind the hostile call's crafted bodies`,
    );
  },
});
