import type { Statements } from "./statements.ts";

/** One recorded mutation: a row of the append-only change log. */
export interface ChangeEvent {
  /** Monotonic change id (the observer's event id). */
  id: number;
  /** ISO time of the write. */
  at: string;
  /** Who: `user`, `agent:<client>`, `app:<origin>`, `skill:<id>`, `system`. */
  actor: string;
  /** `create`, `set`, `unset`, `keep` (a proposed value left out), `delete`, `restore`, `link`, `unlink`, `shape`. */
  op: string;
  /** Whether the target is a node or an edge. */
  targetKind: "node" | "edge";
  /** The node or edge id. */
  targetId: string;
  /** The value key, for `set`/`unset`; the label for `link`/`unlink`; the shape for `shape`. */
  key: string | null;
  /** The previous value (JSON), if any. */
  old: unknown;
  /** The new value (JSON), if any. */
  new: unknown;
}

const CHANGE_COLUMNS = 9;
// Rows per change log statement (times 9 parameters, well under SQLite's
// limit of 32,766).
const CHANGE_CHUNK = 128;
const changesSql = new Map<number, string>();

function insertChangesSql(rows: number): string {
  let sql = changesSql.get(rows);
  if (sql === undefined) {
    sql =
      `INSERT INTO changes (id, at, actor, op, target_kind, target_id, key, old_value, new_value) VALUES ${
        Array(rows).fill("(?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")
      }`;
    changesSql.set(rows, sql);
  }
  return sql;
}

/**
 * Inserts change log rows, many per statement.
 *
 * @param sql prepared statements, inside the write's transaction
 * @param rows the rows one after the other, 9 parameters each in column
 *   order: id, at, actor, op, target_kind, target_id, key, old_value,
 *   new_value
 */
export function insertChanges(
  sql: Statements,
  rows: (string | number | null)[],
): void {
  let offset = 0;
  // Power-of-two chunks: few statements per write, 8 cached in all.
  for (let size = CHANGE_CHUNK; size >= 1; size /= 2) {
    const count = size * CHANGE_COLUMNS;
    while (rows.length - offset >= count) {
      sql.get(insertChangesSql(size)).run(
        ...rows.slice(offset, offset + count),
      );
      offset += count;
    }
  }
}
