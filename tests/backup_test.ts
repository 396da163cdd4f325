import assert from "node:assert/strict";
import type { RpcClient } from "../engine/rpc/mod.ts";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { waitFor } from "./_wait.ts";

async function keepWriting(
  client: RpcClient,
  stop: { now: boolean },
  tag: string,
  ids: string[],
): Promise<string[]> {
  for (let i = 0; !stop.now; i++) {
    ids.push(
      (await client.call<{ id: string }>("graph.create", {
        shape: "note",
        values: { name: `${tag}-${i}` },
      })).id,
    );
  }
  return ids;
}

Deno.test("agentos backup snapshots a running engine under writes; restore round-trips it and refuses what it must", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-backup-" });
  const out = await Deno.makeTempDir({ prefix: "agentos-backup-out-" });
  try {
    let backup: { path: string; nodes: number; lastChange: number };
    {
      await using engine = await EngineProcess.start({ home });
      const seed = await engine.client();
      await seed.call("graph.import", {
        shape: "task",
        records: Array.from(
          { length: 2000 },
          (_, i) => ({ name: `seed ${i}`, url: `https://t.example/${i}` }),
        ),
      });
      const stop = { now: false };
      const writers = await Promise.all([engine.client(), engine.client()]);
      const progress = writers.map((): string[] => []);
      const writing = writers.map((w, i) =>
        keepWriting(w, stop, `w${i}`, progress[i]!)
      );
      await waitFor(
        "both writers to have written",
        () => progress.every((ids) => ids.length > 0),
      );
      const startedAt =
        (await seed.call<{ counts: { changes: number } }>("engine.status"))
          .counts.changes;
      const run = await runAgentos(home, [
        "backup",
        `${out}/snapshot.db`,
        "--no-key",
        "--json",
      ]);
      assert.equal(run.code, 0, run.stderr);
      backup = JSON.parse(run.stdout);
      stop.now = true;
      const written = (await Promise.all(writing)).flat();
      assert.ok(written.length > 0, "writes went on during the backup");
      assert.ok(
        backup.lastChange >= startedAt,
        "the snapshot holds everything committed before it started",
      );

      const refused = await runAgentos(home, ["restore", `${out}/snapshot.db`]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /engine is running/);
    }

    await Deno.writeTextFile(
      `${out}/garbage.db`,
      "this is not a database at all".repeat(100),
    );
    const bad = await runAgentos(home, ["restore", `${out}/garbage.db`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Not restoring/);

    const restored = await runAgentos(home, [
      "restore",
      `${out}/snapshot.db`,
      "--json",
    ]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.ok(
      JSON.parse(restored.stdout).previous,
      "the replaced database is kept",
    );
    {
      await using engine = await EngineProcess.start({ home });
      const client = await engine.client();
      const status = await client.call<
        { counts: { nodes: number; changes: number } }
      >("engine.status");
      assert.equal(status.counts.nodes, backup.nodes);
      assert.equal(status.counts.changes, backup.lastChange);
      const seeds = await client.call<{ items: unknown[] }>("graph.list", {
        shape: "task",
        where: { name: "seed 1999" },
      });
      assert.equal(seeds.items.length, 1);
    }
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});
