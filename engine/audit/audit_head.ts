import { DatabaseSync, type StatementSync } from "node:sqlite";

/** The last line of the audit chain: how many lines, and that line's hash. */
export interface AuditHead {
  /** The `seq` of the last line written. */
  seq: number;
  /** SHA-256 of the last line's text. */
  hash: string;
}

/** The settings row that holds the head (skills' `sql.query` cannot read `settings`). */
const KEY = "audit.head";
const HASH = /^[0-9a-f]{64}$/;

/**
 * Where the engine keeps the audit chain's head: a row of the graph
 * database's `settings` table, outside the log file. Deleting the log's
 * tail, emptying it, or deleting lines and re-chaining the rest leaves a
 * file whose last line is not this head, which `agentos audit verify`
 * reports; rewriting the head too needs a write into the database the
 * engine holds, not a text edit.
 */
export class AuditHeadStore {
  #get: StatementSync;
  #set: StatementSync | undefined;

  /**
   * @param db the graph database (the engine's connection, or a read-only
   *   one for verification)
   * @param options `readOnly` prepares no write statement
   */
  constructor(db: DatabaseSync, options: { readOnly?: boolean } = {}) {
    this.#get = db.prepare("SELECT value FROM settings WHERE key = ?");
    if (!options.readOnly) {
      this.#set = db.prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      );
    }
  }

  /**
   * The stored head.
   *
   * @returns the head, or undefined when none was ever written
   * @throws {TypeError} when the row exists but is not a head (it was edited)
   */
  read(): AuditHead | undefined {
    const row = this.#get.get(KEY) as { value: string } | undefined;
    if (row === undefined) return undefined;
    let head: unknown;
    try {
      head = JSON.parse(row.value);
    } catch {
      head = undefined;
    }
    const { seq, hash } = (head ?? {}) as Partial<AuditHead>;
    if (
      typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0 ||
      typeof hash !== "string" || !HASH.test(hash)
    ) {
      throw new TypeError(
        `The audit head in settings ("${
          row.value.slice(0, 100)
        }") is not a {seq, hash} pair`,
      );
    }
    return { seq, hash };
  }

  /**
   * Records a new head (one autocommit statement; the engine's writes are
   * synchronous, so it never joins a graph transaction).
   *
   * @param head the last line's seq and hash
   */
  write(head: AuditHead): void {
    if (!this.#set) throw new TypeError("This audit head store is read-only");
    this.#set.run(KEY, JSON.stringify(head), new Date().toISOString());
  }
}

/**
 * Reads the recorded head from a home's database without the engine (for
 * `agentos audit verify`), through a read-only connection.
 *
 * @param database `data/agentos.db`
 * @returns the head, or undefined when there is no database or no head
 * @throws {TypeError} when the stored head was edited into something else
 */
export function readAuditHead(database: string): AuditHead | undefined {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(database, { readOnly: true });
  } catch (error) {
    if (!existsSync(database)) return undefined;
    throw error;
  }
  try {
    return new AuditHeadStore(db, { readOnly: true }).read();
  } catch (error) {
    if (error instanceof Error && /no such table/.test(error.message)) {
      return undefined;
    }
    throw error;
  } finally {
    db.close();
  }
}

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
