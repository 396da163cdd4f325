import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { testGraph } from "./_test_graph.ts";
import { openDatabase } from "./schema.ts";

function search(db: DatabaseSync, q: string): string[] {
  return (db.prepare(
    `SELECT v.node_id || '.' || v.key AS hit FROM text_index
       JOIN node_values v ON v.rowid = text_index.rowid
     WHERE text_index MATCH ? ORDER BY hit`,
  ).all(q) as { hit: string }[]).map((row) => row.hit);
}

// The index must hold exactly the terms of the text values: compared with
// an index built from scratch, term by term and position by position.
function assertIndexIntact(db: DatabaseSync): void {
  assert.equal(
    (db.prepare("SELECT count(*) AS n FROM text_pending").get() as {
      n: number;
    }).n,
    0,
    "nothing left staged after a commit",
  );
  db.exec(`
    CREATE VIRTUAL TABLE temp.expected USING fts5(value);
    INSERT INTO temp.expected(rowid, value)
      SELECT rowid, value FROM node_values WHERE type IN ('text', 'string');
    CREATE VIRTUAL TABLE temp.actual_terms USING fts5vocab(main, text_index, instance);
    CREATE VIRTUAL TABLE temp.expected_terms USING fts5vocab(temp, expected, instance);`);
  try {
    const differ = (a: string, b: string) =>
      db.prepare(
        `SELECT term, doc, offset FROM temp.${a} EXCEPT SELECT term, doc, offset FROM temp.${b}`,
      ).all();
    assert.deepEqual(differ("actual_terms", "expected_terms"), []);
    assert.deepEqual(differ("expected_terms", "actual_terms"), []);
  } finally {
    db.exec(`DROP TABLE temp.actual_terms; DROP TABLE temp.expected_terms;
      DROP TABLE temp.expected;`);
  }
}

Deno.test("GraphStore.write() keeps the full-text index exact when one write inserts, rewrites, retypes and unsets text", async () => {
  await using g = await testGraph();
  const id = g.store.write("user", (tx) => {
    const id = tx.createNode();
    tx.setValue(id, "name", { type: "string", value: "alpha draft" });
    tx.setValue(id, "name", { type: "string", value: "bravo final" });
    tx.setValue(id, "note", { type: "text", value: "charlie" });
    tx.setValue(id, "note", { type: "integer", value: 7 });
    tx.setValue(id, "gone", { type: "string", value: "delta" });
    tx.unsetValue(id, "gone");
    return id;
  }).value;
  assertIndexIntact(g.store.db);
  assert.deepEqual(search(g.store.db, "alpha"), []);
  assert.deepEqual(search(g.store.db, "bravo"), [`${id}.name`]);
  assert.deepEqual(search(g.store.db, "charlie"), []);
  assert.deepEqual(search(g.store.db, "delta"), []);

  // Later writes change values that are already indexed.
  g.store.write("user", (tx) => {
    tx.setValue(id, "name", { type: "string", value: "echo" });
    tx.setValue(id, "note", { type: "text", value: "foxtrot" });
    tx.setValue(id, "other", { type: "string", value: "golf" });
    tx.setValue(id, "other", { type: "integer", value: 1 });
  });
  g.store.write("user", (tx) => tx.unsetValue(id, "note"));
  assertIndexIntact(g.store.db);
  assert.deepEqual(search(g.store.db, "bravo"), []);
  assert.deepEqual(search(g.store.db, "echo"), [`${id}.name`]);
  assert.deepEqual(search(g.store.db, "foxtrot OR golf"), []);
});

Deno.test("GraphStore.write() stages no text when it rolls back", async () => {
  await using g = await testGraph();
  assert.throws(() =>
    g.store.write("user", (tx) => {
      tx.setValue(tx.createNode(), "name", { type: "string", value: "hotel" });
      throw new Error("crash mid-write");
    })
  );
  assertIndexIntact(g.store.db);
  assert.deepEqual(search(g.store.db, "hotel"), []);
});

Deno.test("openDatabase() indexes text values another program inserted", async () => {
  await using g = await testGraph();
  const path = `${g.dir}/agentos.db`;
  const other = new DatabaseSync(path);
  other.exec(
    `INSERT INTO nodes (id, created_at, updated_at) VALUES ('n1', 'x', 'x');
     INSERT INTO node_values (node_id, key, type, value) VALUES ('n1', 'name', 'string', 'india juliet');`,
  );
  other.close();
  assert.deepEqual(search(g.store.db, "india"), []);
  const reopened = openDatabase(path);
  try {
    assert.deepEqual(search(reopened, "india"), ["n1.name"]);
    assertIndexIntact(reopened);
  } finally {
    reopened.close();
  }
});

Deno.test("GraphStore.write() numbers changes in order after the log's last id, rolled back or not", async () => {
  await using g = await testGraph();
  const first = g.store.write("user", (tx) => {
    const id = tx.createNode();
    for (let i = 0; i < 300; i++) {
      tx.setValue(id, `k${i}`, { type: "integer", value: i });
    }
  }).changes;
  assert.equal(first.length, 301);
  assert.deepEqual(
    first.map((change) => change.id),
    first.map((_, i) => i + 1),
  );
  assert.throws(() =>
    g.store.write("user", (tx) => {
      tx.createNode();
      throw new Error("crash mid-write");
    })
  );
  const second = g.store.write("agent:test", (tx) => tx.createNode()).changes;
  assert.deepEqual(second.map((change) => change.id), [302]);
  assert.deepEqual(g.store.changesSince(0, 1000), [...first, ...second]);
  assert.equal(g.store.lastChangeId(), 302);
  assert.deepEqual(
    {
      ...g.store.db.prepare(
        "SELECT seq FROM sqlite_sequence WHERE name = 'changes'",
      ).get() as object,
    },
    { seq: 302 },
  );
});

Deno.test("RecordWriter.write() merges two records with one identity in a single write", async () => {
  await using g = await testGraph();
  const { value, changes } = g.store.write("user", (tx) => [
    g.writer.write(tx, "task", { url: "https://t.example/1", name: "kilo" }),
    g.writer.write(tx, "task", {
      url: "https://t.example/1",
      name: "lima",
      priority: 2,
    }),
  ]);
  assert.equal(value[1]!.id, value[0]!.id);
  assert.equal(value[1]!.created, false);
  assert.deepEqual(g.store.nodeValues(value[0]!.id!).values, {
    url: "https://t.example/1",
    name: "lima",
    priority: 2,
  });
  const renamed = changes.filter((change) => change.key === "name");
  assert.deepEqual(renamed.map((change) => [change.old, change.new]), [
    [null, "kilo"],
    ["kilo", "lima"],
  ]);
  assertIndexIntact(g.store.db);
  assert.deepEqual(search(g.store.db, "kilo"), []);
  assert.deepEqual(search(g.store.db, "lima"), [`${value[0]!.id}.name`]);
});

Deno.test("GraphTx.setValue() records a value changed only in type (1 to true) as a change with the new type", async () => {
  await using g = await testGraph();
  const id = g.store.write("user", (tx) => {
    const id = tx.createNode();
    tx.setValue(id, "flag", { type: "integer", value: 1 });
    return id;
  }).value;
  const { value: changed, changes } = g.store.write(
    "user",
    (tx) => tx.setValue(id, "flag", { type: "boolean", value: true }),
  );
  assert.equal(changed, true);
  assert.deepEqual(
    changes.map(({ op, key, old, new: value }) => ({ op, key, old, value })),
    [{ op: "set", key: "flag", old: 1, value: true }],
  );
  assert.deepEqual(g.store.nodeValues(id), {
    values: { flag: true },
    types: { flag: "boolean" },
  });
  assert.deepEqual(
    g.store.history(id).map((change) => change.new),
    [null, 1, true],
  );
  // The same value and type again is no change.
  const same = g.store.write(
    "user",
    (tx) => tx.setValue(id, "flag", { type: "boolean", value: true }),
  );
  assert.equal(same.value, false);
  assert.deepEqual(same.changes, []);
});

Deno.test("GraphStore.write() tells listeners about changes only once they are committed", async () => {
  await using g = await testGraph();
  const seen: { ids: number[]; inTransaction: boolean }[] = [];
  g.store.onCommit((changes) =>
    seen.push({
      ids: changes.map((c) => c.id),
      inTransaction: g.store.db.isTransaction,
    })
  );
  assert.throws(() =>
    g.store.write("user", (tx) => {
      tx.createNode();
      throw new Error("crash mid-write");
    })
  );
  assert.equal(seen.length, 0, "nothing heard of a rolled-back write");
  g.store.write("user", (tx) => tx.createNode());
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.inTransaction, false);
});
