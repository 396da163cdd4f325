/**
 * Route (#25 item 6): with the guard already on its workers, the engine's
 * main thread still decoded each crafted 5 MiB body (`TextDecoder`, 16–33
 * ms), copied the text to a guard worker and back, and serialised and
 * encoded the skill's reply line twice (the line check, then the write):
 * 100–180 ms of main thread per body in one stretch (72 ms of CPU here,
 * this test's figure, before the change), so another client's
 * `graph.list` waited that long once per body (the whole bench's p99 over
 * 50 ms). Now a large body goes to the guard worker as bytes and comes
 * back as the JSON its reply line splices in.
 *
 * Measured inside the engine, not as a race against the clock: the CPU
 * time of the engine's main thread (`/proc/<pid>/task/<pid>/schedstat`,
 * the time the thread ran, whatever else loads the machine) over a call
 * that fetches four crafted 5 MiB bodies, less the same call fetching
 * four small ones. Real engine, real sandboxed worker, real guard worker.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { localServer } from "./skills_helpers.ts";
import { craftedBody } from "./_crafted_bodies.ts";
import type { RpcClient } from "../engine/rpc/mod.ts";

const KEY = "sk-stall/body+KEY=5e2d0c9b&r";

/**
 * Main-thread CPU a crafted body may cost the engine: 72 ms before, about
 * 25 ms now (the body read from its socket and written to the skill's
 * pipe, its buffers' page faults and collection), both at load 30.
 */
const MAX_MS_PER_BODY = 45;

const BODIES = 4;

/** The CPU time the engine's main thread has run, in ms. */
async function mainThreadMs(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/task/${pid}/schedstat`);
  return Number(stat.split(" ")[0]) / 1e6;
}

/** The main thread's CPU time over one push of `BODIES` bodies. */
async function pushCost(client: RpcClient, pid: number): Promise<number> {
  const before = await mainThreadMs(pid);
  const { result } = await client.call<{ result: { sizes: number[] } }>(
    "skills.run",
    { skill: "chain-thief", tool: "push", params: { count: BODIES } },
    { timeoutMs: 120_000 },
  );
  const spent = await mainThreadMs(pid) - before;
  assert.equal(result.sizes.length, BODIES);
  return spent;
}

Deno.test("a crafted 5 MiB body costs the engine's main thread a few ms, not its decoding and serialisation", async () => {
  const crafted = craftedBody(5 * 1024 * 1024);
  let small = true;
  await using server = localServer(() =>
    new Response(small ? `small ${KEY}` : crafted, {
      headers: { "content-type": "text/plain; charset=utf-8" },
    })
  );
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.chain.test": server.origin,
      }),
    },
  });
  const client = await engine.client();
  await client.call("skills.add", {
    path: `${REPO_ROOT}tests/fixtures/hostile/chain-thief`,
  });
  // Stored once the skill is installed: it is among the skills the key serves.
  await client.call("secrets.set", {
    domain: "chain.test",
    value: { key: KEY },
  });
  await client.call("prefs.set", {
    key: "http.guard_budget_ms",
    value: 600_000,
  });
  const pid = engine.child.pid;
  // Warm: the guard worker started, the key's automaton prepared, the code compiled.
  small = false;
  await pushCost(client, pid);
  small = true;
  const smallMs = await pushCost(client, pid);
  small = false;
  const craftedMs = await pushCost(client, pid);
  const perBody = (craftedMs - smallMs) / BODIES;
  // deno-lint-ignore no-console
  console.log(
    `main thread: ${craftedMs.toFixed(1)} ms for ${BODIES} crafted bodies, ${
      smallMs.toFixed(1)
    } ms for ${BODIES} small ones: ${perBody.toFixed(1)} ms a body`,
  );
  assert.ok(
    perBody < MAX_MS_PER_BODY,
    `a crafted body cost the main thread ${perBody.toFixed(1)} ms`,
  );
});
