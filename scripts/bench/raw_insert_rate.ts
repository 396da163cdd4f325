/**
 * Baseline of the ingest figure: what node:sqlite itself does.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";

/** Raw node:sqlite batched inserts of values, in values per second. */
export function rawInsertRate(values: number): number {
  const dir = Deno.makeTempDirSync();
  const db = new DatabaseSync(`${dir}/raw.db`);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
  db.exec(
    "CREATE TABLE v (rowid INTEGER PRIMARY KEY, node_id TEXT, key TEXT, type TEXT, value, UNIQUE (node_id, key))",
  );
  const insert = db.prepare(
    "INSERT INTO v (node_id, key, type, value) VALUES (?, ?, ?, ?)",
  );
  const start = performance.now();
  db.exec("BEGIN");
  for (let i = 0; i < values; i++) {
    insert.run(`n${Math.floor(i / 10)}`, `k${i % 10}`, "string", `value ${i}`);
  }
  db.exec("COMMIT");
  const rate = values / ((performance.now() - start) / 1000);
  db.close();
  Deno.removeSync(dir, { recursive: true });
  return rate;
}
