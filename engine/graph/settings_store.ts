import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * Key/value JSON in the graph database's `settings` table: skill
 * registrations (`skill.<id>`) and the owner's preferences (`prefs.<key>`,
 * which the bridge reads too). The engine is the only writer; each `set` is
 * its own autocommit statement.
 */
export class SettingsStore {
  #get: StatementSync;
  #set: StatementSync;
  #delete: StatementSync;
  #list: StatementSync;

  /** @param db the engine's open database */
  constructor(db: DatabaseSync) {
    this.#get = db.prepare("SELECT value FROM settings WHERE key = ?");
    this.#set = db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.#delete = db.prepare("DELETE FROM settings WHERE key = ?");
    this.#list = db.prepare(
      "SELECT key, value FROM settings WHERE key >= ? AND key < ? ORDER BY key",
    );
  }

  /**
   * One setting's value.
   *
   * @param key the key
   * @returns the parsed value, or undefined when unset
   */
  get(key: string): unknown {
    const row = this.#get.get(key) as { value: string } | undefined;
    return row === undefined ? undefined : parse(row.value);
  }

  /**
   * Sets (or, with undefined or null, removes) one setting.
   *
   * @param key the key
   * @param value any JSON value
   */
  set(key: string, value: unknown): void {
    if (value === undefined || value === null) this.#delete.run(key);
    else this.#set.run(key, JSON.stringify(value), new Date().toISOString());
  }

  /**
   * Every setting whose key starts with a prefix.
   *
   * @param prefix e.g. `skill.`
   * @returns `[key, value]` pairs, sorted by key
   */
  list(prefix: string): [string, unknown][] {
    // A range scan on the primary key instead of LIKE (no wildcard escaping).
    const rows = this.#list.all(prefix, `${prefix}\uffff`) as {
      key: string;
      value: string;
    }[];
    return rows.map((row) => [row.key, parse(row.value)]);
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
