import type { Coerced } from "../shapes/mod.ts";
import { type ChangeEvent, insertChanges } from "./change_log.ts";
import { newId } from "./ids.ts";
import { ownerVerdict, type SetValueOptions } from "./owner_wins.ts";
import type { Statements } from "./statements.ts";
import { fromSql, type SqlValue, toSql, VALUE_SQL } from "./stored_value.ts";

/**
 * The write operations of one transaction. Every mutation appends a change
 * log row (numbered at once, inserted by {@linkcode GraphTx.finish});
 * {@linkcode GraphStore.write} commits them together or not at all.
 */
export class GraphTx {
  #sql: Statements;
  /** The transaction's actor. */
  readonly actor: string;
  /** The transaction's timestamp (all rows of one write share it). */
  readonly at: string;
  /** Changes recorded so far, in order. */
  readonly changes: ChangeEvent[] = [];
  // Nodes created in this transaction, with the values written to them so
  // far: they have no other values to read back and no timestamp to touch,
  // which leaves one statement per value of an import instead of four.
  #fresh = new Map<string, Map<string, SqlValue>>();
  // Change log rows not inserted yet, flat as insertChanges() takes them.
  // They go in at finish(), many rows per statement: 1.4 µs a row
  // instead of 2.5, and written mid-write they would interleave with the
  // value inserts and push the write's dirty pages past SQLite's cache
  // (measured: +30% CPU per import).
  #unwritten: (string | number | null)[] = [];
  #nextChangeId = 0;
  #touched = new Set<string>();
  #labels = new Set<string>();

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
    this.#fresh.set(id, new Map());
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
   * @param nodeId the node
   * @param key the value's key
   * @param coerced the new value
   * @param options whose earlier write to leave in place
   * @returns whether anything changed
   */
  setValue(
    nodeId: string,
    key: string,
    coerced: Coerced,
    options: SetValueOptions = {},
  ): boolean {
    const fresh = this.#fresh.get(nodeId);
    const old = fresh ? fresh.get(key) : this.#storedValue("node", nodeId, key);
    const differs = !old || old.type !== coerced.type ||
      old.value !== toSql(coerced);
    if (
      !fresh && differs && options.yieldTo &&
      this.#kept(nodeId, key, old, coerced, options.yieldTo)
    ) {
      return false;
    }
    // A fresh node has no row to conflict with: a plain insert is cheaper.
    const written = this.#putValue("node", nodeId, key, coerced, old, !!fresh);
    if (!written) return false;
    if (fresh) fresh.set(key, written);
    else this.#touch(nodeId);
    return true;
  }

  /**
   * Whether the stored value stands against the proposal (see
   * {@linkcode ownerVerdict}); records the `keep` change when it is new.
   */
  #kept(
    nodeId: string,
    key: string,
    old: SqlValue | undefined,
    proposed: Coerced,
    yieldTo: (actor: string) => boolean,
  ): boolean {
    const verdict = ownerVerdict(
      this.#sql,
      this.actor,
      nodeId,
      key,
      proposed.value,
      yieldTo,
    );
    if (verdict === "keep") {
      this.#record(
        "keep",
        "node",
        nodeId,
        key,
        old ? fromSql(old) : null,
        proposed.value,
      );
    }
    return verdict !== "write";
  }

  /** Removes a value; returns whether it existed. */
  unsetValue(nodeId: string, key: string): boolean {
    const fresh = this.#fresh.get(nodeId);
    const old = fresh ? fresh.get(key) : this.#storedValue("node", nodeId, key);
    if (!old) return false;
    this.#sql.get("DELETE FROM node_values WHERE node_id = ? AND key = ?").run(
      nodeId,
      key,
    );
    if (fresh) fresh.delete(key);
    else this.#touch(nodeId);
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
      if (!this.#labels.has(label)) {
        this.#sql.get("INSERT OR IGNORE INTO edge_labels (label) VALUES (?)")
          .run(label);
        this.#labels.add(label);
      }
      this.#record("link", "edge", id, label, null, { from, label, to });
    }
    for (const [key, coerced] of Object.entries(values)) {
      const old = this.#storedValue("edge", id, key);
      this.#putValue("edge", id, key, coerced, old, false);
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

  /**
   * Writes the change log rows recorded so far. {@linkcode GraphStore.write}
   * calls it before committing.
   */
  finish(): void {
    insertChanges(this.#sql, this.#unwritten);
    this.#unwritten = [];
  }

  #storedValue(
    kind: "node" | "edge",
    ownerId: string,
    key: string,
  ): SqlValue | undefined {
    return this.#sql.get(VALUE_SQL[kind].select).get(ownerId, key) as
      | SqlValue
      | undefined;
  }

  /**
   * Compare-and-upsert of one node or edge value: when it differs from
   * `old` (the stored one), writes it and records the `set` change.
   *
   * @param plainInsert no row can exist yet (`old` is known to be all)
   * @returns the value as stored, or undefined when nothing changed
   */
  #putValue(
    kind: "node" | "edge",
    ownerId: string,
    key: string,
    coerced: Coerced,
    old: SqlValue | undefined,
    plainInsert: boolean,
  ): SqlValue | undefined {
    const written = { type: coerced.type, value: toSql(coerced) };
    if (old && old.type === written.type && old.value === written.value) {
      return undefined;
    }
    const sql = VALUE_SQL[kind];
    this.#sql.get(plainInsert && !old ? sql.insert : sql.upsert).run(
      ownerId,
      key,
      written.type,
      written.value,
    );
    this.#record(
      "set",
      kind,
      ownerId,
      key,
      old ? fromSql(old) : null,
      fromSql(written),
    );
    return written;
  }

  #touch(nodeId: string): void {
    // All rows of a write share its time: one touch per node is enough.
    if (this.#touched.has(nodeId)) return;
    this.#touched.add(nodeId);
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
    if (this.#nextChangeId === 0) {
      // Ids are assigned here, not by AUTOINCREMENT, so rows can wait for
      // finish(): the write lock (BEGIN IMMEDIATE) keeps them ours.
      this.#nextChangeId = (this.#sql.get(
        `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0),
                    coalesce((SELECT max(id) FROM changes), 0)) + 1 AS id`,
      ).get() as { id: number }).id;
    }
    const id = this.#nextChangeId++;
    this.#unwritten.push(
      id,
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
      id,
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
