import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * Prepares each SQL text once per database and reuses it: the write path
 * runs the same few statements thousands of times per import.
 */
export class Statements {
  #db: DatabaseSync;
  #cache = new Map<string, StatementSync>();

  /** @param db the open database */
  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /**
   * The prepared statement for a SQL text.
   *
   * @param sql the statement text
   * @returns the cached prepared statement
   */
  get(sql: string): StatementSync {
    let statement = this.#cache.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#cache.set(sql, statement);
    }
    return statement;
  }
}
