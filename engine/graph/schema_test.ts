import assert from "node:assert/strict";
import {
  MIGRATIONS,
  openDatabase,
  SCHEMA_VERSION,
  SchemaTooNewError,
} from "./schema.ts";

async function withDir(
  fn: (dir: string) => Promise<void> | void,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openDatabase() creates the current schema in WAL mode", () =>
  withDir((dir) => {
    const db = openDatabase(`${dir}/a.db`);
    const version = db.prepare("PRAGMA user_version").get() as {
      user_version: number;
    };
    assert.equal(version.user_version, SCHEMA_VERSION);
    assert.equal(
      (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string })
        .journal_mode,
      "wal",
    );
    const tables =
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all() as { name: string }[])
        .map((row) => row.name);
    for (
      const table of [
        "nodes",
        "edges",
        "node_values",
        "edge_values",
        "node_shapes",
        "changes",
        "text_index",
      ]
    ) {
      assert.ok(tables.includes(table), table);
    }
    db.close();
  }));

Deno.test("openDatabase() upgrades an older file in one transaction and keeps its data", () =>
  withDir((dir) => {
    const path = `${dir}/a.db`;
    const v1 = ["CREATE TABLE things (name TEXT)"];
    const db1 = openDatabase(path, { migrations: v1 });
    db1.exec("INSERT INTO things VALUES ('kept')");
    db1.close();
    const db2 = openDatabase(path, {
      migrations: [...v1, "ALTER TABLE things ADD COLUMN size INTEGER"],
    });
    assert.deepEqual(
      { ...db2.prepare("SELECT * FROM things").get() as object },
      { name: "kept", size: null },
    );
    assert.equal(
      (db2.prepare("PRAGMA user_version").get() as { user_version: number })
        .user_version,
      2,
    );
    db2.close();
  }));

Deno.test("openDatabase() rolls back a failing migration and leaves the version as it was", () =>
  withDir((dir) => {
    const path = `${dir}/a.db`;
    openDatabase(path, { migrations: ["CREATE TABLE a (x)"] }).close();
    assert.throws(() =>
      openDatabase(path, {
        migrations: [
          "CREATE TABLE a (x)",
          "CREATE TABLE b (y); CREATE TABLE a (x)",
        ],
      })
    );
    const db = openDatabase(path, { migrations: ["CREATE TABLE a (x)"] });
    assert.equal(
      (db.prepare("PRAGMA user_version").get() as { user_version: number })
        .user_version,
      1,
    );
    assert.equal(
      db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get(),
      undefined,
    );
    db.close();
  }));

Deno.test("openDatabase() refuses a file from a newer engine and does not touch it", () =>
  withDir((dir) => {
    const path = `${dir}/a.db`;
    const newer = openDatabase(path, {
      migrations: [
        "CREATE TABLE a (x)",
        "CREATE TABLE b (x)",
        "CREATE TABLE c (x)",
      ],
    });
    newer.exec("PRAGMA journal_mode = DELETE");
    newer.close();
    const before = Deno.readFileSync(path);
    const stat = Deno.statSync(path);
    assert.throws(
      () => openDatabase(path, { migrations: ["CREATE TABLE a (x)"] }),
      (error: unknown) =>
        error instanceof SchemaTooNewError && error.found === 3 &&
        /newer than this engine's 1/.test(error.message),
    );
    assert.deepEqual(Deno.readFileSync(path), before);
    assert.equal(Deno.statSync(path).mtime?.getTime(), stat.mtime?.getTime());
  }));

Deno.test("openDatabase() moves skills' kept state out of the graph (schema 9) and blanks its copies in the change log", () =>
  withDir((dir) => {
    const path = `${dir}/a.db`;
    const old = openDatabase(path, { migrations: MIGRATIONS.slice(0, 8) });
    const at = "2026-01-01T00:00:00.000Z";
    old.exec(`
      INSERT INTO nodes (id, created_at, updated_at) VALUES ('s1', '${at}', '${at}'), ('r1', '${at}', '${at}');
      INSERT INTO node_shapes (node_id, shape) VALUES ('s1', 'skill');
      INSERT INTO node_values (node_id, key, type, value) VALUES
        ('s1', 'skillId', 'string', 'keeper'),
        ('s1', 'data', 'json', '{"cursor":"c-42"}'),
        ('s1', 'cache', 'json', '{"endpoint":"e-42"}'),
        ('r1', 'data', 'json', '{"kept":"a record''s own"}');
      INSERT INTO changes (at, actor, op, target_kind, target_id, key, old_value, new_value)
        VALUES ('${at}', 'skill:keeper', 'set', 'node', 's1', 'data', NULL, '{"cursor":"c-42"}'),
               ('${at}', 'skill:keeper', 'set', 'node', 'r1', 'data', NULL, '{"kept":"a record''s own"}');
    `);
    old.close();
    const db = openDatabase(path);
    try {
      assert.deepEqual(
        db.prepare("SELECT skill, key, value FROM skill_state ORDER BY key")
          .all().map((row) => ({ ...row })),
        [
          { skill: "keeper", key: "cache", value: '{"endpoint":"e-42"}' },
          { skill: "keeper", key: "data", value: '{"cursor":"c-42"}' },
        ],
      );
      assert.deepEqual(
        db.prepare("SELECT node_id, key FROM node_values WHERE key = 'data'")
          .all().map((row) => ({ ...row })),
        [{ node_id: "r1", key: "data" }],
        "a record's own data value stays",
      );
      assert.deepEqual(
        db.prepare("SELECT target_id, new_value FROM changes ORDER BY id")
          .all().map((row) => ({ ...row })),
        [
          { target_id: "s1", new_value: null },
          { target_id: "r1", new_value: '{"kept":"a record\'s own"}' },
        ],
      );
      assert.throws(
        () => db.exec("UPDATE changes SET new_value = 'x'"),
        /append-only/,
        "the change log is append-only again",
      );
    } finally {
      db.close();
    }
  }));
