/**
 * The spare worker pool: N ready workers that know no skill yet, each
 * serving exactly one call, refilled in the background, never more than N.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { fixture, waitFor } from "./skills_helpers.ts";

interface Status {
  spareWorkers: { size: number; readyPids: number[] };
  counts: Record<string, number>;
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

Deno.test("spare workers: each serves one call and exits, the pool refills to N and never exceeds it", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "2" },
  });
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("cap-ok") });
  const status = () => client.call<Status>("engine.status");
  const full = await waitFor("two ready spares", async () => {
    const s = await status();
    return s.spareWorkers.readyPids.length === 2 ? s : undefined;
  });
  assert.equal(full.spareWorkers.size, 2);
  const before = new Set(full.spareWorkers.readyPids);
  const spawnedBefore = full.counts.workersSpawned!;

  const run = await client.call<{ result: { echo: string } }>("skills.run", {
    skill: "cap-ok",
    tool: "echo",
    params: { text: "hi" },
  });
  assert.equal(run.result.echo, "hi");

  const after = await waitFor("the pool to refill", async () => {
    const s = await status();
    assert.ok(
      s.counts.sparesReady! + s.counts.sparesStarting! <= 2,
      "never more than N spares",
    );
    return s.spareWorkers.readyPids.length === 2 ? s : undefined;
  });
  assert.equal(after.counts.callsServedBySpare, 1);
  assert.equal(after.counts.callsServedCold, 0);
  assert.equal(after.counts.workersSpawned, spawnedBefore + 1);
  const now = new Set(after.spareWorkers.readyPids);
  const used = [...before].filter((pid) => !now.has(pid));
  assert.equal(used.length, 1, "exactly one spare was used");
  assert.equal(alive(used[0]!), false, "the used worker has exited");

  // Many calls at once: the pool still never holds more than N.
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      client.call("skills.run", {
        skill: "cap-ok",
        tool: "echo",
        params: { text: `n${i}` },
      })),
  );
  const settled = await waitFor("the pool to refill again", async () => {
    const s = await status();
    assert.ok(s.counts.sparesReady! + s.counts.sparesStarting! <= 2);
    return s.spareWorkers.readyPids.length === 2 ? s : undefined;
  });
  assert.equal(
    settled.counts.callsServedBySpare! + settled.counts.callsServedCold!,
    7,
  );

  // Shutdown closes the spares.
  const last = settled.spareWorkers.readyPids;
  await client.call("engine.shutdown");
  await engine.exitCode();
  for (const pid of last) assert.equal(alive(pid), false);
});

Deno.test("AGENTOS_SPARE_WORKERS=0: no spares, every call starts its own worker", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("cap-ok") });
  for (const text of ["a", "b"]) {
    const run = await client.call<{ result: { echo: string } }>("skills.run", {
      skill: "cap-ok",
      tool: "echo",
      params: { text },
    });
    assert.equal(run.result.echo, text);
  }
  const s = await client.call<Status>("engine.status");
  assert.equal(s.spareWorkers.size, 0);
  assert.deepEqual(s.spareWorkers.readyPids, []);
  assert.equal(s.counts.callsServedCold, 2);
  assert.equal(s.counts.callsServedBySpare, 0);
});
