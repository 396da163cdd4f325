/**
 * No descriptor leaks (#29): calls of every kind — answered, raising,
 * breaking the wire protocol, timing out, cancelled by their caller while
 * running or before their worker started — leave the engine with the
 * descriptors it had before them. A pump that stopped reading a failed
 * worker's stdout left its read end open (one pipe per failed call: the
 * bench's 63 → 137 after 10,000 mixed calls), and a call cancelled while
 * it was being prepared ran its worker to the end.
 */
import assert from "node:assert/strict";
import { openFds } from "../bench/proc_stats.ts";
import { RpcClient } from "../engine/rpc/mod.ts";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { waitFor } from "./_wait.ts";

/** Calls of each kind. */
const EACH = 6;

/** Calls at once. */
const PARALLEL = 4;

/** Descriptors the engine may hold above its count at rest before the calls. */
const SLACK = 2;

/** What each descriptor points at, by kind (`pipe`, `socket`, `file`…). */
function kinds(pid: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const target of openFds(pid).values()) {
    const kind = target.startsWith("/") ? "file" : target.split(":")[0]!;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** A call on its own connection, closed `afterMs` after it was sent. */
async function cancelled(
  engine: EngineProcess,
  afterMs: number,
): Promise<void> {
  const own = await RpcClient.connect(engine.paths.socket);
  const call = own.call("capability.invoke", {
    name: "bench_sleep",
    params: { ms: 15_000 },
  }).catch(() => {});
  if (afterMs > 0) await new Promise((r) => setTimeout(r, afterMs));
  await own.close();
  await call;
}

/** The calls of one kind, by name. */
function callKinds(
  engine: EngineProcess,
  client: RpcClient,
): Record<string, () => Promise<unknown>> {
  const run = (tool: string) =>
    client.call("skills.run", { skill: "broken-protocol", tool });
  return {
    ok: () => run("ok"),
    raises: () => run("raises").catch(() => {}),
    "not JSON": () => run("garbage").catch(() => {}),
    "message out of place": () => run("wrong_message").catch(() => {}),
    "timing out": () =>
      client.call("capability.invoke", { name: "bench_hang", params: {} })
        .catch(() => {}),
    "cancelled while running": () => cancelled(engine, 150),
    "cancelled at once": () => cancelled(engine, 0),
  };
}

Deno.test("calls of every kind leave the engine's descriptors as they were", async () => {
  await using engine = await EngineProcess.start();
  const pid = engine.child.pid;
  const client = await engine.client();
  await client.call("skills.add", {
    path: `${REPO_ROOT}/tests/fixtures/skills/broken-protocol`,
  });
  await client.call("skills.add", { path: `${REPO_ROOT}/bench/skills/mixed` });
  const calls = callKinds(engine, client);
  // One of each first: whatever the engine opens once (logs, the graph's
  // files, guards) is open before the count.
  for (const call of Object.values(calls)) await call();
  const rest = await waitFor(
    "the engine at rest (the same descriptors in two looks 300 ms apart)",
    async () => {
      const first = openFds(pid).size;
      await new Promise((r) => setTimeout(r, 300));
      return openFds(pid).size === first && first;
    },
    { timeoutMs: 10_000 },
  );
  const before = kinds(pid);
  for (const [kind, call] of Object.entries(calls)) {
    let left = EACH;
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (left-- > 0) await call();
    })).catch((error) => assert.fail(`${kind}: ${error}`));
  }
  // Workers are reaped in the background; a leak never comes back.
  let now = 0;
  await waitFor(
    `the engine back to ${rest} + ${SLACK} descriptors`,
    () => (now = openFds(pid).size) <= rest + SLACK,
    { timeoutMs: 10_000 },
  ).catch(() => {
    assert.fail(
      `${now} descriptors after ${EACH} calls of each kind, ${rest} before: ` +
        `before ${JSON.stringify(before)}, after ${JSON.stringify(kinds(pid))}`,
    );
  });
});
