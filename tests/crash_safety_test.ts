import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openDatabase } from "../engine/graph/mod.ts";
import { RpcError } from "../engine/errors.ts";
import type { RpcClient } from "../engine/rpc/mod.ts";
import { loadVaultKey, Vault } from "../engine/vault/mod.ts";
import { EngineProcess } from "./_engine_process.ts";
import { within } from "./_wait.ts";
import { Random } from "./_fuzz.ts";

const ROUNDS = 50;
const WRITERS = 3;
/** Seeds the moments of the kills; the test's name logs it (rerun with AGENTOS_CRASH_SEED). */
const SEED = Number(
  Deno.env.get("AGENTOS_CRASH_SEED") ?? Date.now() % 100_000,
);

/**
 * Whether an error is the killed engine's connection going away (and not,
 * say, a refused write, which must fail the test).
 */
function isConnectionLoss(error: unknown): boolean {
  if (error instanceof RpcError) {
    return /^Connection to the engine (is closed|closed before the reply)$/
      .test(error.message);
  }
  return error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.NotConnected;
}

/** Writes records until the connection dies; returns what was acknowledged. */
async function writeUntilKilled(
  client: RpcClient,
  tag: string,
  onFirst: () => void,
): Promise<Map<string, number>> {
  const acknowledged = new Map<string, number>(); // node id → sequence number
  for (let seq = 0;; seq++) {
    if (seq === 1) onFirst();
    try {
      if (seq % 5 === 4) {
        // A skill-import-sized write: many records in one transaction.
        const records = Array.from(
          { length: 20 },
          (_, i) => ({ name: `${tag}-${seq}-${i}`, priority: seq, done: "no" }),
        );
        const result = await client.call<{ ids: string[] }>("graph.import", {
          shape: "task",
          records,
        });
        for (const id of result.ids) acknowledged.set(id, seq);
      } else {
        const result = await client.call<{ id: string }>("graph.create", {
          shape: "task",
          values: { name: `${tag}-${seq}`, priority: seq, done: "no" },
        });
        acknowledged.set(result.id, seq);
      }
    } catch (error) {
      if (!isConnectionLoss(error)) throw error;
      return acknowledged;
    }
  }
}

/** Rewrites one credential until the connection dies; returns the last acknowledged value. */
async function rotateSecret(
  client: RpcClient,
  round: number,
): Promise<string | undefined> {
  let last: string | undefined;
  for (let i = 0;; i++) {
    const key = `k-${String(round).padStart(3, "0")}-${
      String(i).padStart(6, "0")
    }`;
    try {
      await client.call("secrets.set", {
        domain: "api.example.com",
        value: { key },
      });
      last = key;
    } catch (error) {
      if (!isConnectionLoss(error)) throw error;
      return last;
    }
  }
}

Deno.test(`SIGKILL at random moments while ${WRITERS} clients write loses no acknowledged write, ${ROUNDS} times (seed ${SEED})`, async () => {
  const random = new Random(SEED);
  const home = await Deno.makeTempDir({ prefix: "agentos-crash-" });
  const acknowledged = new Map<string, number>();
  let lastSecret: string | undefined;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const engine = await EngineProcess.start({ home });
      const clients = await Promise.all(
        Array.from({ length: WRITERS }, () => engine.client()),
      );
      // Each writer signals its first acknowledged write: the kill lands
      // while all of them are writing, however slow the machine is.
      let started = 0;
      let allStarted!: () => void;
      const writing = new Promise<void>((resolve) => allStarted = resolve);
      const writes = clients.map((client, i) =>
        writeUntilKilled(client, `r${round}w${i}`, () => {
          if (++started === WRITERS) allStarted();
        })
      );
      // The vault is rewritten while the crashes land, too.
      const vaultWrites = rotateSecret(await engine.client(), round);
      await within(
        `round ${round}: all ${WRITERS} writers' first acknowledged write`,
        writing,
        { timeoutMs: 30_000 },
      );
      await new Promise((resolve) => setTimeout(resolve, random.next() * 150));
      await engine.kill9();
      for (const result of await Promise.all(writes)) {
        for (const [id, seq] of result) acknowledged.set(id, seq);
      }
      const secret = await vaultWrites;
      if (secret !== undefined) lastSecret = secret;
      await Promise.all(clients.map((c) => c.close()));
    }
    assert.ok(
      acknowledged.size >= ROUNDS * WRITERS,
      `only ${acknowledged.size} writes were acknowledged`,
    );

    // Restart once more: the engine must open what the crashes left.
    {
      await using engine = await EngineProcess.start({ home });
      const client = await engine.client();
      const status = await client.call<{ counts: { nodes: number } }>(
        "engine.status",
      );
      assert.ok(status.counts.nodes >= acknowledged.size);
    }

    // The vault still decrypts, and holds the last value it acknowledged
    // (or one the crash cut off after committing it).
    {
      const vaultDb = openDatabase(`${home}/data/agentos.db`);
      const vault = await Vault.open(
        vaultDb,
        await loadVaultKey({ kind: "file", path: `${home}/vault.key` }),
      );
      const stored = await vault.read("api.example.com") as { key: string };
      vaultDb.close();
      assert.ok(lastSecret !== undefined, "some vault write was acknowledged");
      assert.ok(
        stored.key >= lastSecret!,
        `vault holds ${stored.key}, last acknowledged ${lastSecret}`,
      );
    }

    const db = new DatabaseSync(`${home}/data/agentos.db`, { readOnly: true });
    try {
      assert.equal(
        (db.prepare("PRAGMA integrity_check").get() as {
          integrity_check: string;
        }).integrity_check,
        "ok",
      );
      const rows = db.prepare(
        `SELECT n.id, group_concat(v.key, ',') AS keys FROM nodes n
         LEFT JOIN node_values v ON v.node_id = n.id GROUP BY n.id`,
      ).all() as { id: string; keys: string | null }[];
      const present = new Map(
        rows.map((
          row,
        ) => [row.id, (row.keys ?? "").split(",").sort().join(",")]),
      );
      for (const id of acknowledged.keys()) {
        assert.equal(
          present.get(id),
          "done,name,priority",
          `acknowledged node ${id} is present and whole`,
        );
      }
      for (const [id, keys] of present) {
        assert.equal(
          keys,
          "done,name,priority",
          `node ${id} is whole, never half-written`,
        );
      }
      // The change log matches the data: every stored value is the newest "set" for its key.
      const mismatches = db.prepare(
        `SELECT count(*) AS n FROM node_values v WHERE v.value IS NOT (
           SELECT json_extract(c.new_value, '$') FROM changes c
           WHERE c.target_id = v.node_id AND c.key = v.key AND c.op = 'set' ORDER BY c.id DESC LIMIT 1)
           AND v.type <> 'boolean'`,
      ).get() as { n: number };
      assert.equal(mismatches.n, 0);
      const created = db.prepare(
        "SELECT count(*) AS n FROM changes WHERE op = 'create'",
      ).get() as { n: number };
      assert.equal(created.n, present.size, "one create change per node");
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
