import type { DatabaseSync } from "node:sqlite";
import { ErrorCode, RpcError } from "../errors.ts";
import type { ChangeEvent } from "./change_log.ts";
import { GraphTx } from "./graph_tx.ts";
import { fromSql } from "./stored_value.ts";
import { indexPendingText } from "./schema.ts";
import { Statements } from "./statements.ts";

/** A node as `graph.get` returns it. */
export interface NodeView {
  id: string;
  shapes: string[];
  values: Record<string, unknown>;
  types: Record<string, string>;
  edges_out: EdgeView[];
  edges_in: EdgeView[];
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** An edge as node views show it. */
export interface EdgeView {
  id: string;
  from: string;
  label: string;
  to: string;
  values: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** Receives each committed write's changes, in commit order. */
export type CommitListener = (changes: ChangeEvent[]) => void;

/**
 * The graph's single writer: runs each write as one SQLite transaction,
 * appends the change log in the same transaction, and tells listeners (the
 * observer) only after the commit succeeded.
 */
export class GraphStore {
  /** The open database (the store is its only writer). */
  readonly db: DatabaseSync;
  readonly #sql: Statements;
  #listeners = new Set<CommitListener>();
  #now: () => Date;
  #counts:
    | { nodes: number; edges: number; values: number; changes: number }
    | undefined;

  /**
   * @param db an open database with the current schema
   * @param options the clock, a seam for tests
   */
  constructor(db: DatabaseSync, options: { now?: () => Date } = {}) {
    this.db = db;
    this.#sql = new Statements(db);
    this.#now = options.now ?? (() => new Date());
  }

  /** Prepared statements shared with the query module. */
  get statements(): Statements {
    return this.#sql;
  }

  /**
   * Runs `fn` in one transaction: all of it commits or none of it does.
   *
   * @param actor who writes (recorded on every change)
   * @param fn the writes
   * @returns what `fn` returned, and the committed changes
   * @throws {RpcError} StorageFailed when SQLite refuses (disk full, read-only)
   */
  write<T>(
    actor: string,
    fn: (tx: GraphTx) => T,
  ): { value: T; changes: ChangeEvent[] } {
    const tx = new GraphTx(this.#sql, actor, this.#now().toISOString());
    this.db.exec("BEGIN IMMEDIATE");
    let value: T;
    try {
      value = fn(tx);
      tx.finish();
      indexPendingText((sql) => this.#sql.get(sql));
      this.db.exec("COMMIT");
    } catch (error) {
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // SQLite already rolled back (e.g. after SQLITE_FULL).
      }
      throw storageError(error);
    }
    if (tx.changes.length > 0) {
      this.#count(tx.changes);
      for (const listener of this.#listeners) listener(tx.changes);
    }
    return { value, changes: tx.changes };
  }

  /**
   * Runs `fn` in a transaction that is always rolled back: what a write
   * would do (its warnings, its counts), with nothing stored and no
   * listener told.
   *
   * @param actor who would write
   * @param fn the writes to rehearse
   * @returns what `fn` returned
   * @throws {RpcError} StorageFailed when SQLite refuses
   */
  rehearse<T>(actor: string, fn: (tx: GraphTx) => T): T {
    const tx = new GraphTx(this.#sql, actor, this.#now().toISOString());
    this.db.exec("BEGIN IMMEDIATE");
    try {
      return fn(tx);
    } catch (error) {
      throw storageError(error);
    } finally {
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // SQLite already rolled back (e.g. after SQLITE_FULL).
      }
    }
  }

  /**
   * Subscribes to committed changes.
   *
   * @param listener called after each commit that changed something
   * @returns a function that unsubscribes
   */
  onCommit(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * One node with its values, shapes and live edges both ways.
   *
   * @param id the node id
   * @returns the node, or undefined when no such node exists
   */
  getNode(id: string): NodeView | undefined {
    const node = this.#sql.get("SELECT * FROM nodes WHERE id = ?").get(id) as
      | {
        id: string;
        created_at: string;
        updated_at: string;
        deleted_at: string | null;
      }
      | undefined;
    if (!node) return undefined;
    const { values, types } = this.nodeValues(id);
    return {
      id: node.id,
      shapes: this.nodeShapes(id),
      values,
      types,
      edges_out: this.#edges("from_id", id),
      edges_in: this.#edges("to_id", id),
      created_at: node.created_at,
      updated_at: node.updated_at,
      deleted_at: node.deleted_at,
    };
  }

  /** A node's shape memberships, sorted. */
  nodeShapes(id: string): string[] {
    return (this.#sql.get(
      "SELECT shape FROM node_shapes WHERE node_id = ? ORDER BY shape",
    )
      .all(id) as { shape: string }[]).map((row) => row.shape);
  }

  /** A node's values and their type tags. */
  nodeValues(
    id: string,
  ): { values: Record<string, unknown>; types: Record<string, string> } {
    const values: Record<string, unknown> = {};
    const types: Record<string, string> = {};
    const rows = this.#sql.get(
      "SELECT key, type, value FROM node_values WHERE node_id = ? ORDER BY key",
    )
      .all(id) as { key: string; type: never; value: string | number | null }[];
    for (const row of rows) {
      values[row.key] = fromSql(row);
      types[row.key] = row.type;
    }
    return { values, types };
  }

  /**
   * The change log of one node and its edges, oldest first.
   *
   * @param id the node id
   * @param options page through with `after` (a change id) and `limit`
   * @returns the changes
   */
  history(
    id: string,
    options: { after?: number; limit?: number } = {},
  ): ChangeEvent[] {
    const rows = this.#sql.get(
      `SELECT * FROM changes WHERE id > ? AND (target_id = ? OR target_id IN
         (SELECT id FROM edges WHERE from_id = ? OR to_id = ?))
       ORDER BY id LIMIT ?`,
    ).all(
      options.after ?? 0,
      id,
      id,
      id,
      options.limit ?? 500,
    ) as unknown as ChangeRow[];
    return rows.map(changeFromRow);
  }

  /**
   * Changes after a change id, oldest first (the observer's replay).
   *
   * @param after the last change id the reader has
   * @param limit most rows returned
   */
  changesSince(after: number, limit = 1000): ChangeEvent[] {
    return (this.#sql.get(
      "SELECT * FROM changes WHERE id > ? ORDER BY id LIMIT ?",
    )
      .all(after, limit) as unknown as ChangeRow[]).map(changeFromRow);
  }

  /** The newest change id, or 0. */
  lastChangeId(): number {
    return (this.#sql.get("SELECT coalesce(max(id), 0) AS id FROM changes")
      .get() as { id: number }).id;
  }

  /**
   * Live node, edge and value counts for `engine.status`: counted once, then
   * kept up to date from committed changes (a count(*) over a million
   * values per status call would cost milliseconds).
   */
  counts(): Record<string, number> {
    if (!this.#counts) {
      const count = (sql: string) =>
        (this.#sql.get(sql).get() as { n: number }).n;
      this.#counts = {
        nodes: count(
          "SELECT count(*) AS n FROM nodes WHERE deleted_at IS NULL",
        ),
        edges: count(
          "SELECT count(*) AS n FROM edges WHERE deleted_at IS NULL",
        ),
        values: count("SELECT count(*) AS n FROM node_values"),
        changes: this.lastChangeId(),
      };
    }
    return { ...this.#counts };
  }

  #count(changes: ChangeEvent[]): void {
    const counts = this.#counts;
    if (!counts) return;
    for (const change of changes) {
      counts.changes = Math.max(counts.changes, change.id);
      const node = change.targetKind === "node";
      if (change.op === "create") counts.nodes++;
      else if (change.op === "link") counts.edges++;
      else if (change.op === "delete" || change.op === "unlink") {
        counts[node ? "nodes" : "edges"]--;
      } else if (change.op === "restore") counts[node ? "nodes" : "edges"]++;
      else if (node && change.op === "set" && change.old === null) {
        counts.values++;
      } else if (node && change.op === "unset") counts.values--;
    }
  }

  #edges(column: "from_id" | "to_id", id: string): EdgeView[] {
    const rows = this.#sql.get(
      `SELECT e.* FROM edges e
         JOIN nodes f ON f.id = e.from_id AND f.deleted_at IS NULL
         JOIN nodes t ON t.id = e.to_id AND t.deleted_at IS NULL
       WHERE e.${column} = ? AND e.deleted_at IS NULL ORDER BY e.label, e.id LIMIT 1000`,
    ).all(id) as {
      id: string;
      from_id: string;
      label: string;
      to_id: string;
      created_at: string;
      updated_at: string;
    }[];
    return rows.map((row) => {
      const values: Record<string, unknown> = {};
      for (
        const value of this.#sql.get(
          "SELECT key, type, value FROM edge_values WHERE edge_id = ?",
        )
          .all(row.id) as {
            key: string;
            type: never;
            value: string | number | null;
          }[]
      ) values[value.key] = fromSql(value);
      return {
        id: row.id,
        from: row.from_id,
        label: row.label,
        to: row.to_id,
        values,
        created_at: row.created_at,
        updated_at: row.updated_at,
      };
    });
  }
}

interface ChangeRow {
  id: number;
  at: string;
  actor: string;
  op: string;
  target_kind: "node" | "edge";
  target_id: string;
  key: string | null;
  old_value: string | null;
  new_value: string | null;
}

function changeFromRow(row: ChangeRow): ChangeEvent {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    op: row.op,
    targetKind: row.target_kind,
    targetId: row.target_id,
    key: row.key,
    old: row.old_value === null ? null : JSON.parse(row.old_value),
    new: row.new_value === null ? null : JSON.parse(row.new_value),
  };
}

function storageError(error: unknown): unknown {
  if (error instanceof RpcError) return error;
  const message = (error as Error)?.message ?? String(error);
  if (
    /SQLITE_FULL|disk is full|readonly|SQLITE_READONLY|disk I\/O/i.test(message)
  ) {
    return new RpcError(
      ErrorCode.StorageFailed,
      `The database refused the write: ${message}`,
    );
  }
  return error;
}
