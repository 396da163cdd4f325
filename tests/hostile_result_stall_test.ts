/**
 * No tool's result stalls the engine through its redaction (#25, item
 * 6): a skill with no program and no request, holding a key of its own
 * (`secrets.set {skill}`, so every call holds a value and its result is
 * redacted), returns a text crafted against the reflection guard (the
 * guard's worst case, about 4 MiB, built by the skill itself) with the
 * key in its middle, several calls at once, while another client pages
 * through the graph. The result is redacted once, on the guard workers,
 * within the call's guard budget: `graph.list` keeps answering, the key
 * never comes back; a result past the budget fails the call with the
 * budget's error, and nothing of it is stored or logged. Real engine,
 * real sandboxed worker, real bubblewrap.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EngineProcess } from "./_engine_process.ts";
import { fixture } from "./skills_helpers.ts";
import { CRAFTED_UNIT, craftedBody } from "./_crafted_bodies.ts";

/** Longest `graph.list` the other client may wait while the calls run. */
const MAX_WAIT_MS = 1500;

/** The skill's own key (it is no value a guess would find). */
const KEY = "sk_live_OwnKeyOfTheLongResult7f3a9c2e51";

/** Copies of the crafted unit: about 4 MiB of UTF-8. */
const COUNT = Math.floor(
  (4 * 1024 * 1024) / new TextEncoder().encode(CRAFTED_UNIT).length,
);

Deno.test("A tool's crafted result is redacted off the main thread, within the call's guard budget", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "3" },
  });
  const hostile = await engine.client();
  const other = await engine.client();
  await hostile.call("skills.add", { path: fixture("long-result") });
  await hostile.call("secrets.set", { skill: "long-result", value: KEY });
  const params = { unit: CRAFTED_UNIT, count: COUNT, middle: ` ${KEY} ` };

  await t.step(
    "graph.list answers while three crafted results are redacted",
    async () => {
      const run = () =>
        hostile.call<{ result: { text: string } }>("skills.run", {
          skill: "long-result",
          tool: "text",
          params,
        });
      let running = true;
      const push = Promise.all([run(), run(), run()]).finally(() =>
        running = false
      );
      const latencies: number[] = [];
      while (running) {
        const started = performance.now();
        await other.call("graph.list", { shape: "task", limit: 50 });
        latencies.push(performance.now() - started);
      }
      for (const { result } of await push) {
        assert.ok(result.text.length > COUNT * CRAFTED_UNIT.length * 0.9);
        assert.ok(!result.text.includes(KEY), "the key came back");
        assert.ok(
          result.text.includes(" [secret] "),
          "the key was not redacted",
        );
      }
      latencies.sort((a, b) => a - b);
      const max = latencies.at(-1)!;
      // deno-lint-ignore no-console
      console.log(
        `graph.list during 3 crafted 4 MiB results: ${latencies.length} calls, median ${
          latencies[latencies.length >> 1]!.toFixed(1)
        } ms, max ${max.toFixed(1)} ms`,
      );
      assert.ok(
        max < MAX_WAIT_MS,
        `graph.list waited ${max.toFixed(0)} ms behind the result's redaction`,
      );
    },
  );

  await t.step(
    "a result past the call's guard budget fails with the budget's error and stores nothing",
    async () => {
      await hostile.call("prefs.set", {
        key: "http.guard_budget_ms",
        value: 1,
      });
      await assert.rejects(
        hostile.call("skills.run", {
          skill: "long-result",
          tool: "posts",
          params,
        }),
        /reflection guard spent this call's budget of 1 ms on its responses and its result; the tool's result is withheld.*prefs set http\.guard_budget_ms/s,
      );
      const posts = await other.call<{ items: unknown[] }>("graph.list", {
        shape: "post",
        limit: 10,
      });
      assert.deepEqual(posts.items, []);
      // Nothing of the result reached a file: not the key, not the text.
      await assertNoFileHolds(engine.paths.home, [KEY, craftedBody(4096)]);
      // The same call within the budget stores its post, redacted.
      await hostile.call("prefs.set", {
        key: "http.guard_budget_ms",
        value: 600_000,
      });
      await hostile.call("skills.run", {
        skill: "long-result",
        tool: "posts",
        params,
      });
      const stored = await other.call<{ items: { name?: string }[] }>(
        "graph.list",
        { shape: "post", limit: 10 },
      );
      assert.equal(stored.items.length, 1);
      assert.ok(!JSON.stringify(stored.items).includes(KEY));
      // The post and the skill state kept with it (`__data__`) alike.
      await assertNoFileHolds(engine.paths.home, [KEY]);
    },
  );
});

/** No file under the engine's home (database, log, audit) holds any of `texts`. */
async function assertNoFileHolds(home: string, texts: string[]): Promise<void> {
  for await (const file of filesUnder(home)) {
    const content = new TextDecoder().decode(await Deno.readFile(file));
    for (const text of texts) {
      assert.ok(!content.includes(text), `${file} holds ${text.slice(0, 40)}`);
    }
  }
}

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* filesUnder(path);
    else if (entry.isFile) yield path;
  }
}
