import { type Coerced, type ValueType } from "../shapes/mod.ts";
import { newId } from "./ids.ts";
import type { Statements } from "./statements.ts";

/** One recorded mutation: a row of the append-only change log. */
export interface ChangeEvent {
  /** Monotonic change id (the observer's event id). */
  id: number;
  /** ISO time of the write. */
  at: string;
  /** Who: `user`, `agent:<client>`, `app:<origin>`, `skill:<id>`, `system`. */
  actor: string;
  /** `create`, `set`, `unset`, `delete`, `restore`, `link`, `unlink`, `shape`. */
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

/** A stored value with its type tag. */
export interface StoredValue {
  type: ValueType;
  value: string | number | boolean | null;
}

/**
 * The write operations of one transaction. Every mutation appends a change
 * log row; {@linkcode GraphStore.write} commits them together or not at all.
 */
export class GraphTx {
  #sql: Statements;
  /** The transaction's actor. */
  readonly actor: string;
  /** The transaction's timestamp (all rows of one write share it). */
  readonly at: string;
  /** Changes recorded so far, in order. */
  readonly changes: ChangeEvent[] = [];
  // Nodes created in this transaction have no old values to read or
  // timestamps to touch: skipping that halves the statements of an import.
  #fresh = new Set<string>();

  /**
   * @param sql prepared statements
   * @param actor who writes
   * @param at the write's time
   */
  constructor(sql: Statements, actor: string, at: string) {
    this.#sql = sql;
    this.actor = actor;
    this.at = at;
  }

  /** Creates an empty node and returns its id. */
  createNode(): string {
    const id = newId();
    this.#sql.get(
      "INSERT INTO nodes (id, created_at, updated_at) VALUES (?, ?, ?)",
    )
      .run(id, this.at, this.at);
    this.#record("create", "node", id, null, null, null);
    return id;
  }

  /**
   * Runs a read inside the transaction (identity lookups).
   *
   * @param sql a SELECT
   * @param params its parameters
   * @returns the first row, if any
   */
  query(sql: string, params: unknown[]): Record<string, unknown> | undefined {
    return this.#sql.get(sql).get(...(params as never[])) as
      | Record<string, unknown>
      | undefined;
  }

  /** Whether a node exists, and whether it is deleted. */
  nodeState(id: string): "live" | "deleted" | "missing" {
    const row = this.#sql.get("SELECT deleted_at FROM nodes WHERE id = ?").get(
      id,
    ) as
      | { deleted_at: string | null }
      | undefined;
    if (!row) return "missing";
    return row.deleted_at === null ? "live" : "deleted";
  }

  /**
   * Sets a value when it differs from the stored one.
   *
   * @returns whether anything changed
   */
  setValue(nodeId: string, key: string, coerced: Coerced): boolean {
    const stored = toSql(coerced);
    const old = this.#sql.get(
      "SELECT type, value FROM node_values WHERE node_id = ? AND key = ?",
    )
      .get(nodeId, key) as
        | { type: ValueType; value: string | number | null }
        | undefined;
    if (old && old.type === coerced.type && old.value === stored) return false;
    this.#sql.get(
      `INSERT INTO node_values (node_id, key, type, value) VALUES (?, ?, ?, ?)
       ON CONFLICT (node_id, key) DO UPDATE SET type = excluded.type, value = excluded.value`,
    ).run(nodeId, key, coerced.type, stored);
    this.#touch(nodeId);
    this.#record(
      "set",
      "node",
      nodeId,
      key,
      old ? fromSql(old) : null,
      fromSql({ type: coerced.type, value: stored }),
    );
    return true;
  }

  /** Removes a value; returns whether it existed. */
  unsetValue(nodeId: string, key: string): boolean {
    const old = this.#sql.get(
      "SELECT type, value FROM node_values WHERE node_id = ? AND key = ?",
    )
      .get(nodeId, key) as
        | { type: ValueType; value: string | number | null }
        | undefined;
    if (!old) return false;
    this.#sql.get("DELETE FROM node_values WHERE node_id = ? AND key = ?").run(
      nodeId,
      key,
    );
    this.#touch(nodeId);
    this.#record("unset", "node", nodeId, key, fromSql(old), null);
    return true;
  }

  /** Adds a shape membership; returns whether it was new. */
  addShape(nodeId: string, shape: string): boolean {
    const result = this.#sql.get(
      "INSERT OR IGNORE INTO node_shapes (node_id, shape) VALUES (?, ?)",
    ).run(nodeId, shape);
    if (result.changes === 0) return false;
    this.#record("shape", "node", nodeId, shape, null, shape);
    return true;
  }

  /**
   * Creates the live edge (from, label, to), or updates its values when it
   * already exists: at most one live edge per triple.
   *
   * @returns the edge id and whether it was created
   */
  link(
    from: string,
    label: string,
    to: string,
    values: Record<string, Coerced> = {},
  ): { id: string; created: boolean } {
    const existing = this.#sql.get(
      "SELECT id FROM edges WHERE from_id = ? AND label = ? AND to_id = ? AND deleted_at IS NULL",
    ).get(from, label, to) as { id: string } | undefined;
    let id = existing?.id;
    if (id === undefined) {
      id = newId();
      this.#sql.get(
        `INSERT INTO edges (id, from_id, label, to_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(id, from, label, to, this.at, this.at);
      this.#sql.get("INSERT OR IGNORE INTO edge_labels (label) VALUES (?)").run(
        label,
      );
      this.#record("link", "edge", id, label, null, { from, label, to });
    }
    for (const [key, coerced] of Object.entries(values)) {
      const stored = toSql(coerced);
      const old = this.#sql.get(
        "SELECT type, value FROM edge_values WHERE edge_id = ? AND key = ?",
      )
        .get(id, key) as
          | { type: ValueType; value: string | number | null }
          | undefined;
      if (old && old.type === coerced.type && old.value === stored) continue;
      this.#sql.get(
        `INSERT INTO edge_values (edge_id, key, type, value) VALUES (?, ?, ?, ?)
         ON CONFLICT (edge_id, key) DO UPDATE SET type = excluded.type, value = excluded.value`,
      ).run(id, key, coerced.type, stored);
      this.#record(
        "set",
        "edge",
        id,
        key,
        old ? fromSql(old) : null,
        fromSql({ type: coerced.type, value: stored }),
      );
    }
    if (existing) {
      this.#sql.get("UPDATE edges SET updated_at = ? WHERE id = ?").run(
        this.at,
        id,
      );
    }
    return { id, created: existing === undefined };
  }

  /** Soft-deletes a node or an edge; returns false when it was not live. */
  delete(kind: "node" | "edge", id: string): boolean {
    const table = kind === "node" ? "nodes" : "edges";
    const result = this.#sql.get(
      `UPDATE ${table} SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
    ).run(this.at, this.at, id);
    if (result.changes === 0) return false;
    this.#record(
      kind === "node" ? "delete" : "unlink",
      kind,
      id,
      null,
      null,
      null,
    );
    return true;
  }

  /** Restores a soft-deleted node or edge; returns false when it was not deleted. */
  restore(kind: "node" | "edge", id: string): boolean {
    const table = kind === "node" ? "nodes" : "edges";
    const result = this.#sql.get(
      `UPDATE ${table} SET deleted_at = NULL, updated_at = ? WHERE id = ? AND deleted_at IS NOT NULL`,
    ).run(this.at, id);
    if (result.changes === 0) return false;
    this.#record("restore", kind, id, null, null, null);
    return true;
  }

  #touch(nodeId: string): void {
    this.#sql.get(
      "UPDATE nodes SET updated_at = ? WHERE id = ? AND updated_at <> ?",
    )
      .run(this.at, nodeId, this.at);
  }

  #record(
    op: string,
    targetKind: "node" | "edge",
    targetId: string,
    key: string | null,
    old: unknown,
    value: unknown,
  ): void {
    const result = this.#sql.get(
      `INSERT INTO changes (at, actor, op, target_kind, target_id, key, old_value, new_value)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      this.at,
      this.actor,
      op,
      targetKind,
      targetId,
      key,
      old === null ? null : JSON.stringify(old),
      value === null ? null : JSON.stringify(value),
    );
    this.changes.push({
      id: Number(result.lastInsertRowid),
      at: this.at,
      actor: this.actor,
      op,
      targetKind,
      targetId,
      key,
      old,
      new: value,
    });
  }
}

/** The SQL form of a value: booleans as 0/1, everything else as is. */
export function toSql(coerced: Coerced): string | number | null {
  if (typeof coerced.value === "boolean") return coerced.value ? 1 : 0;
  return coerced.value;
}

/** The JSON form of a stored value, by its type tag. */
export function fromSql(
  row: { type: ValueType; value: string | number | null },
): unknown {
  if (row.value === null) return null;
  if (row.type === "boolean") return row.value === 1;
  if (row.type === "json") {
    try {
      return JSON.parse(String(row.value));
    } catch {
      return row.value;
    }
  }
  return row.value;
}
