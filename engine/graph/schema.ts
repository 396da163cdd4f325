import { DatabaseSync, type StatementSync } from "node:sqlite";

/**
 * Forward migrations, index + 1 = the schema version they produce. Append
 * only: a shipped migration never changes, a newer engine adds one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the graph, the change log, full-text search, shapes, settings.
  `
  CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
  );
  CREATE TABLE edges (
    id TEXT PRIMARY KEY,
    from_id TEXT NOT NULL REFERENCES nodes(id),
    label TEXT NOT NULL,
    to_id TEXT NOT NULL REFERENCES nodes(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
  );
  CREATE UNIQUE INDEX edges_live ON edges(from_id, label, to_id) WHERE deleted_at IS NULL;
  CREATE INDEX edges_to ON edges(to_id, label);
  CREATE TABLE edge_labels (
    label TEXT PRIMARY KEY,
    inverse TEXT
  );
  CREATE TABLE node_values (
    rowid INTEGER PRIMARY KEY,
    node_id TEXT NOT NULL REFERENCES nodes(id),
    key TEXT NOT NULL,
    type TEXT NOT NULL,
    value,
    UNIQUE (node_id, key)
  );
  CREATE INDEX node_values_key_value ON node_values(key, value);
  CREATE TABLE edge_values (
    edge_id TEXT NOT NULL REFERENCES edges(id),
    key TEXT NOT NULL,
    type TEXT NOT NULL,
    value,
    PRIMARY KEY (edge_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE node_shapes (
    node_id TEXT NOT NULL REFERENCES nodes(id),
    shape TEXT NOT NULL,
    PRIMARY KEY (node_id, shape)
  ) WITHOUT ROWID;
  CREATE INDEX node_shapes_shape ON node_shapes(shape, node_id);
  CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    op TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    key TEXT,
    old_value TEXT,
    new_value TEXT
  );
  CREATE INDEX changes_target ON changes(target_id, id);
  CREATE TRIGGER changes_append_only_update BEFORE UPDATE ON changes
    BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
  CREATE TRIGGER changes_append_only_delete BEFORE DELETE ON changes
    BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
  CREATE VIRTUAL TABLE text_index USING fts5(value, content='node_values', content_rowid='rowid');
  CREATE TRIGGER node_values_fts_insert AFTER INSERT ON node_values
    WHEN new.type IN ('text', 'string') BEGIN
      INSERT INTO text_index(rowid, value) VALUES (new.rowid, new.value);
    END;
  CREATE TRIGGER node_values_fts_delete AFTER DELETE ON node_values
    WHEN old.type IN ('text', 'string') BEGIN
      INSERT INTO text_index(text_index, rowid, value) VALUES ('delete', old.rowid, old.value);
    END;
  CREATE TRIGGER node_values_fts_update_old AFTER UPDATE ON node_values
    WHEN old.type IN ('text', 'string') BEGIN
      INSERT INTO text_index(text_index, rowid, value) VALUES ('delete', old.rowid, old.value);
    END;
  CREATE TRIGGER node_values_fts_update_new AFTER UPDATE ON node_values
    WHEN new.type IN ('text', 'string') BEGIN
      INSERT INTO text_index(rowid, value) VALUES (new.rowid, new.value);
    END;
  CREATE TABLE shapes (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    file TEXT NOT NULL,
    loaded_at TEXT NOT NULL
  );
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  // 2: "what did this actor write" (audit by skill, agent or app), and
  // values indexed with their node so sorting by a value walks the index.
  `
  CREATE INDEX changes_actor ON changes(actor, id);
  DROP INDEX node_values_key_value;
  CREATE INDEX node_values_key_value_node ON node_values(key, value, node_id);
  `,
  // 3: the credentials vault (values are AES-256-GCM ciphertext).
  `
  CREATE TABLE secrets (
    domain TEXT NOT NULL,
    identifier TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (domain, identifier)
  ) WITHOUT ROWID;
  `,
  // 4: text values reach the full-text index once per write instead of
  // once per row. FTS5 flushes its pending terms at each statement
  // savepoint, and an insert that fires a trigger writing the index opens
  // one: measured 10 µs per text value, a third of an import. The triggers
  // now only stage rowids (a text row is either indexed or staged, never
  // both); indexPendingText() moves the staged rows in one statement before
  // each commit, and at open for rows another program inserted. (No OR
  // IGNORE in the triggers: an upsert's conflict handling overrides it.)
  `
  CREATE TABLE text_pending (value_rowid INTEGER PRIMARY KEY);
  DROP TRIGGER node_values_fts_insert;
  DROP TRIGGER node_values_fts_delete;
  DROP TRIGGER node_values_fts_update_old;
  DROP TRIGGER node_values_fts_update_new;
  CREATE TRIGGER node_values_fts_insert AFTER INSERT ON node_values
    WHEN new.type IN ('text', 'string') BEGIN
      INSERT INTO text_pending (value_rowid) VALUES (new.rowid);
    END;
  CREATE TRIGGER node_values_fts_delete AFTER DELETE ON node_values
    WHEN old.type IN ('text', 'string') BEGIN
      INSERT INTO text_index(text_index, rowid, value)
        SELECT 'delete', old.rowid, old.value
        WHERE NOT EXISTS (SELECT 1 FROM text_pending WHERE value_rowid = old.rowid);
      DELETE FROM text_pending WHERE value_rowid = old.rowid;
    END;
  CREATE TRIGGER node_values_fts_update AFTER UPDATE ON node_values
    WHEN old.type IN ('text', 'string') OR new.type IN ('text', 'string') BEGIN
      INSERT INTO text_index(text_index, rowid, value)
        SELECT 'delete', old.rowid, old.value
        WHERE old.type IN ('text', 'string')
          AND NOT EXISTS (SELECT 1 FROM text_pending WHERE value_rowid = old.rowid);
      DELETE FROM text_pending
        WHERE value_rowid = old.rowid AND new.type NOT IN ('text', 'string');
      INSERT INTO text_pending (value_rowid)
        SELECT new.rowid WHERE new.type IN ('text', 'string')
          AND NOT EXISTS (SELECT 1 FROM text_pending WHERE value_rowid = new.rowid);
    END;
  `,
  // 5: re-import finds a record by the remote id its imported_from edge
  // carries; without this index each lookup walks every edge of the skill.
  `
  CREATE INDEX edge_values_key_value ON edge_values(key, value, edge_id);
  `,
  // 6: who wrote each credential ('owner', or 'skill:<id>' for a skill's
  // __secrets__), so a skill never replaces a row it did not write. Rows of
  // older databases keep NULL: written before writers were recorded, and
  // no skill's to replace.
  `
  ALTER TABLE secrets ADD COLUMN writer TEXT;
  `,
  // 7: a skill's own credentials (a skill without connections, or a
  // connection with neither base_url nor domain) get a table of their own,
  // so no domain row can ever be read as a skill's and no skill's as a
  // domain's: before, both shared the secrets table's domain column, and a
  // skill whose id equalled a single-label host (localhost, nas) was handed
  // that host's key. Which older rows were a skill's is known only with the
  // skills' declarations: the marker below has the engine decide once, when
  // the installed skills are loaded (engine/skills_api/skill_rows_upgrade.ts).
  `
  CREATE TABLE skill_secrets (
    skill TEXT NOT NULL,
    identifier TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    writer TEXT,
    PRIMARY KEY (skill, identifier)
  ) WITHOUT ROWID;
  INSERT INTO settings (key, value, updated_at)
    SELECT 'vault.skill_rows_upgrade', '"pending"', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE EXISTS (SELECT 1 FROM secrets);
  `,
  // 8: which skills may use each domain credential (a JSON array of skill
  // ids): before, a stored credential served every skill whose connection
  // declared its domain, so a skill added later used the owner's key with
  // no grant. Rows of older databases keep NULL until the installed skills
  // are loaded; the engine then records, once, the skills installed at
  // that moment that declare the row's domain (engine/skills_api/credential_users.ts):
  // what the owner stored it for, and what used it until now.
  `
  ALTER TABLE secrets ADD COLUMN users TEXT;
  `,
  // 9: what a skill keeps between calls (its `__cache__` and `__data__`)
  // gets a table of its own, out of every skill's `sql.query` like the
  // vault: on the skill's node in the shared graph, any skill with `sql`
  // read another's cursors, endpoints and account ids. Existing state moves
  // here, and its copies in the change log are blanked (the log stays
  // append-only for every other row).
  `
  CREATE TABLE skill_state (
    skill TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (skill, key)
  ) WITHOUT ROWID;
  INSERT OR REPLACE INTO skill_state (skill, key, value, updated_at)
    SELECT id.value, v.key, v.value, n.updated_at
      FROM node_values v
      JOIN node_shapes s ON s.node_id = v.node_id AND s.shape = 'skill'
      JOIN node_values id ON id.node_id = v.node_id AND id.key = 'skillId'
      JOIN nodes n ON n.id = v.node_id
    WHERE v.key IN ('cache', 'data') AND v.type = 'json';
  DELETE FROM node_values
    WHERE key IN ('cache', 'data') AND type = 'json'
      AND node_id IN (SELECT node_id FROM node_shapes WHERE shape = 'skill');
  DROP TRIGGER changes_append_only_update;
  UPDATE changes SET old_value = NULL, new_value = NULL
    WHERE key IN ('cache', 'data') AND target_kind = 'node'
      AND target_id IN (SELECT node_id FROM node_shapes WHERE shape = 'skill');
  CREATE TRIGGER changes_append_only_update BEFORE UPDATE ON changes
    BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
  `,
];

/**
 * Moves the text values staged by the node_values triggers into the
 * full-text index. Runs inside the caller's write transaction; one read when
 * nothing is staged.
 *
 * @param prepare returns the prepared statement for a SQL text
 * @returns whether anything was staged
 */
export function indexPendingText(
  prepare: (sql: string) => StatementSync,
): boolean {
  if (prepare("SELECT 1 AS x FROM text_pending LIMIT 1").get() === undefined) {
    return false;
  }
  // CROSS JOIN keeps the few staged rows as the outer loop (the planner
  // would otherwise scan node_values).
  prepare(
    `INSERT INTO text_index(rowid, value)
       SELECT v.rowid, v.value FROM text_pending p
         CROSS JOIN node_values v ON v.rowid = p.value_rowid
       WHERE v.type IN ('text', 'string')`,
  ).run();
  prepare("DELETE FROM text_pending").run();
  return true;
}

/** The schema version this engine writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The database file was written by a newer engine. */
export class SchemaTooNewError extends Error {
  /** The file's schema version. */
  readonly found: number;

  /**
   * @param path the database file
   * @param found its schema version
   * @param supported the newest version this engine knows
   */
  constructor(path: string, found: number, supported: number = SCHEMA_VERSION) {
    super(
      `Cannot open "${path}": its schema version ${found} is newer than this engine's ${supported}; upgrade AgentOS (the file was left untouched)`,
    );
    this.name = "SchemaTooNewError";
    this.found = found;
  }
}

/** Options for {@linkcode openDatabase}. */
export interface OpenDatabaseOptions {
  /** Open read-only (the bridge): no migration, no writes possible. */
  readOnly?: boolean;
  /** Migrations to apply, a seam for upgrade tests. */
  migrations?: readonly string[];
}

/**
 * Opens the graph database in WAL mode and brings its schema up to date in
 * one transaction. An older engine refuses a newer file before changing it.
 *
 * @param path the database file (created when missing, unless read-only)
 * @param options read-only mode, migrations
 * @returns the open database
 * @throws {SchemaTooNewError} when the file is newer than this engine
 */
export function openDatabase(
  path: string,
  options: OpenDatabaseOptions = {},
): DatabaseSync {
  const migrations = options.migrations ?? MIGRATIONS;
  if (!options.readOnly) {
    // Owner-only from the first byte (SQLite gives its -wal and -shm files
    // the same mode): the file holds credentials.
    try {
      Deno.writeFileSync(path, new Uint8Array(), {
        createNew: true,
        mode: 0o600,
      });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }
  const db = new DatabaseSync(path, {
    readOnly: options.readOnly ?? false,
    enableForeignKeyConstraints: true,
    timeout: 5000,
  });
  try {
    const found =
      (db.prepare("PRAGMA user_version").get() as { user_version: number })
        .user_version;
    if (found > migrations.length) {
      throw new SchemaTooNewError(path, found, migrations.length);
    }
    if (options.readOnly) return db;
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    // A 500-record import dirties ~2.7 MB of pages, more than the default
    // 2 MB cache: SQLite then spills them to the WAL mid-transaction and
    // writes them again. 16 MiB (filled only as pages are used) took a
    // 5,000-record import from 540 to 440 ms of CPU.
    db.exec("PRAGMA cache_size = -16384");
    if (found < migrations.length) {
      db.exec("BEGIN IMMEDIATE");
      try {
        for (let version = found + 1; version <= migrations.length; version++) {
          db.exec(migrations[version - 1]!);
        }
        db.exec(`PRAGMA user_version = ${migrations.length}`);
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    }
    indexLeftoverText(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

// The engine indexes staged text before each of its commits; rows written by
// another program (a bench seeding the file, the sqlite3 shell) wait here.
function indexLeftoverText(db: DatabaseSync): void {
  const table = db.prepare(
    "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'text_pending'",
  ).get();
  if (table === undefined) return; // a test's own migrations
  if (
    db.prepare("SELECT 1 AS x FROM text_pending LIMIT 1").get() === undefined
  ) {
    return;
  }
  db.exec("BEGIN IMMEDIATE");
  try {
    indexPendingText((sql) => db.prepare(sql));
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
