/**
 * Load and soak: 100 concurrent clients mixing writes, reads and
 * subscriptions; a subscriber that never reads must not stall the engine or
 * grow its memory. Short in CI; longer with
 *
 *   AGENTOS_SOAK_SECONDS=600 scripts/deno test -A tests/load_test.ts
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { RawSocket } from "./_raw_socket.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { waitFor } from "./_wait.ts";

const SECONDS = Number(Deno.env.get("AGENTOS_SOAK_SECONDS") ?? 4);

Deno.test(`100 clients mixing reads, writes, capability calls and subscriptions for ${SECONDS} s: no errors, events in order, memory flat`, async () => {
  await using engine = await EngineProcess.start();
  const rss = () =>
    Number(
      /VmRSS:\s+(\d+)/.exec(
        Deno.readTextFileSync(`/proc/${engine.child.pid}/status`),
      )![1],
    );

  const subscribers = await Promise.all(Array.from({ length: 10 }, async () => {
    const seen: number[] = [];
    const client = await engine.client({
      onNotification: (_, params) => {
        const event = params as { kind: string; id: number };
        if (event.kind === "change") seen.push(event.id);
      },
    });
    const { after } = await client.call<{ after: number }>(
      "observer.subscribe",
    );
    return { seen, after };
  }));
  // A subscriber that never reads a byte: it must be dropped, not buffered.
  await using stalled = await RawSocket.connect(engine.paths.socket);
  await stalled.write(
    JSON.stringify({ jsonrpc: "2.0", id: 1, method: "observer.subscribe" }) +
      "\n",
  );

  const errors: unknown[] = [];
  let operations = 0;
  // The load lasts SECONDS and at least until 1,000 operations and 10
  // capability calls have run: the test asserts behaviour under load, not
  // speed (a busy machine gets there later). The hard deadline only stops a
  // stuck run.
  const deadline = Date.now() + SECONDS * 1000;
  const hardDeadline = deadline + 120_000;
  const loading = () =>
    Date.now() < hardDeadline &&
    (Date.now() < deadline || operations <= 1000 || calls <= 10);
  let baseline = 0;
  const warmup = setTimeout(
    () => baseline = rss(),
    Math.min(1000, SECONDS * 250),
  );
  let calls = 0;
  await (await engine.client()).call("skills.add", {
    path: `${REPO_ROOT}/bench/skills/noop`,
  });
  const workers = Array.from({ length: 90 }, async (_, w) => {
    const client = await engine.client();
    const ids: string[] = [];
    while (loading()) {
      try {
        if (w % 9 === 8 && ids.length > 0) {
          // Capability calls: a fresh sandboxed worker each.
          const { result } = await client.call<{ result: { ok: boolean } }>(
            "capability.invoke",
            {
              name: "bench_noop",
              params: {},
            },
          );
          if (!result.ok) throw new Error("bench_noop did not answer ok");
          calls++;
        } else if (w % 3 === 0 || ids.length === 0) {
          const { id } = await client.call<{ id: string }>("graph.create", {
            shape: "note",
            values: { name: `w${w} ${operations}`, text: "load ".repeat(50) },
          });
          ids.push(id);
        } else if (w % 3 === 1) {
          await client.call("graph.list", {
            shape: "note",
            q: "load",
            limit: 20,
          });
        } else {
          await client.call("graph.get", { id: ids[operations % ids.length] });
        }
        operations++;
      } catch (error) {
        errors.push(error);
      }
    }
  });
  await Promise.all(workers);
  clearTimeout(warmup);
  assert.deepEqual(errors, []);
  assert.ok(
    operations > 1000,
    `only ${operations} operations in ${SECONDS + 120} s`,
  );
  assert.ok(calls > 10, `only ${calls} capability calls in ${SECONDS + 120} s`);

  const last =
    (await (await engine.client()).call<{ counts: { changes: number } }>(
      "engine.status",
    )).counts.changes;
  for (const [n, { seen, after }] of subscribers.entries()) {
    await waitFor(
      `subscriber ${n} to see ${last - after} changes`,
      () => seen.length >= last - after,
    );
    assert.deepEqual(seen.slice(0, 5), [
      after + 1,
      after + 2,
      after + 3,
      after + 4,
      after + 5,
    ]);
    assert.ok(
      seen.every((id, i) => id === after + 1 + i),
      "in commit order with no gap",
    );
  }
  const grown = rss() - (baseline || rss());
  assert.ok(grown < 150_000, `engine RSS grew by ${grown} kB after warm-up`);
  // Push the stalled subscriber's backlog past the limit: it is dropped.
  const bulk = await engine.client();
  let dropped = false;
  for (let i = 0; i < 20 && !dropped; i++) {
    await bulk.call("graph.import", {
      shape: "note",
      records: Array.from(
        { length: 5000 },
        (_, j) => ({ name: `bulk ${i}-${j}`, text: "event ".repeat(50) }),
      ),
    });
    dropped = /Dropped a subscriber that stopped reading/.test(
      await Deno.readTextFile(engine.paths.engineLog),
    );
  }
  assert.ok(dropped, "the subscriber that never read was dropped");
  assert.deepEqual(await bulk.call("engine.ping"), { pong: true, echo: null });
});
