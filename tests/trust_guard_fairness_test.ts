/**
 * No call stalls the engine through the reflection guard: a hostile skill
 * fetches twelve crafted 5 MiB bodies from its own domain (wide
 * characters, nested percent escapes, entities and backslash escapes: the
 * worst case for the guard's decoding views) while another client pages
 * through the graph. The other client's `graph.list` calls complete while
 * the hostile call runs (their latencies are printed, not asserted: the
 * bench measures them), and a call past its guard budget
 * (`prefs http.guard_budget_ms`) fails with an error that says so.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { localServer } from "./skills_helpers.ts";
import { craftedBody } from "./_crafted_bodies.ts";

const KEY = "sk-fair/ness+KEY=8d1c0b7a&q";

Deno.test("guard fairness: another client's graph.list completes while a hostile call pushes crafted bodies; past its budget the call fails clearly", async (t) => {
  const body = craftedBody(5 * 1024 * 1024);
  await using server = localServer(() =>
    new Response(body, { headers: { "content-type": "text/plain" } })
  );
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.chain.test": server.origin,
      }),
    },
  });
  const hostile = await engine.client();
  const other = await engine.client();
  // The owner's key, stored for this (masked) skill.
  await hostile.call("secrets.set", {
    domain: "chain.test",
    value: { key: KEY },
    for: "chain-thief",
  });
  await hostile.call("skills.add", {
    path: `${REPO_ROOT}tests/fixtures/hostile/chain-thief`,
  });

  await t.step(
    "graph.list answers while the crafted bodies are guarded",
    async () => {
      // A budget no loaded test machine reaches: this step is about the others.
      await hostile.call("prefs.set", {
        key: "http.guard_budget_ms",
        value: 600_000,
      });
      let running = true;
      // The push completes, or on a loaded machine meets the tool's own
      // time limit; either way the guard's budget is not what stops it.
      const push = hostile.call<{ result: { sizes: number[] } }>("skills.run", {
        skill: "chain-thief",
        tool: "push",
        params: { count: 12 },
      }).then(
        ({ result }) => result.sizes.length,
        (error: Error) => error.message,
      ).finally(() => running = false);
      const latencies: number[] = [];
      let duringPush = 0;
      while (running) {
        const started = performance.now();
        await other.call("graph.list", { shape: "task", limit: 50 });
        latencies.push(performance.now() - started);
        if (running) duringPush++;
      }
      const outcome = await push;
      if (typeof outcome === "string") {
        assert.match(outcome, /did not finish within \d+ s/);
      } else assert.equal(outcome, 12);
      assert.ok(duringPush > 0, "no graph.list completed during the push");
      latencies.sort((a, b) => a - b);
      // deno-lint-ignore no-console
      console.log(
        `push: ${outcome}; graph.list during the push: ${latencies.length} calls, median ${
          latencies[latencies.length >> 1]!.toFixed(1)
        } ms, p99 ${
          latencies[Math.floor(latencies.length * 0.99)]!.toFixed(1)
        } ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
      );
    },
  );

  await t.step(
    "a call past its guard budget fails with a clear error",
    async () => {
      await hostile.call("prefs.set", {
        key: "http.guard_budget_ms",
        value: 1,
      });
      await assert.rejects(
        hostile.call("skills.run", {
          skill: "chain-thief",
          tool: "push",
          params: { count: 2 },
        }),
        /reflection guard spent this call's budget of 1 ms.*prefs set http\.guard_budget_ms/s,
      );
      // The engine still serves everyone.
      await other.call("graph.list", { shape: "task", limit: 50 });
    },
  );
});
