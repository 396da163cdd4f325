import type { DatabaseSync } from "node:sqlite";
import { ErrorCode, RpcError } from "../errors.ts";
import {
  CHECK_KEY,
  CHECK_TEXT,
  KEY_MISMATCH,
  keyOpensVault,
} from "./vault_check.ts";
import {
  allowChanges,
  forgetChanges,
  type RowUsers,
  usersAfterWrite,
  type UsersChange,
  usersOf,
} from "./row_users.ts";

export type { RowUsers } from "./row_users.ts";

/** A credential's metadata: what `secrets.list` shows (never a value). */
export interface SecretInfo {
  domain: string;
  identifier: string;
  /** Field names of the stored value (e.g. ["key"]), or ["value"] for a plain string. */
  fields: string[];
  /**
   * Who wrote it: `owner` (`agentos secrets set`), `skill:<id>` (a skill's
   * `__secrets__`), or null for a row written before writers were recorded.
   */
  writer: string | null;
  /**
   * The skills that may use it (see {@linkcode RowUsers}); null for a row
   * an engine before schema 8 wrote, until the installed skills are loaded
   * and the engine records them (`engine/skills_api/credential_users.ts`, `row_users.ts`). A skill's
   * own rows have none: they serve their skill alone.
   */
  users: string[] | null;
  created_at: string;
  updated_at: string;
}

/** A skill's own credential's metadata (see {@linkcode Vault.setForSkill}). */
export interface SkillSecretInfo extends Omit<SecretInfo, "domain" | "users"> {
  /** The skill whose own credential it is. */
  skill: string;
}

/** A stored credential: a string, or an object of string fields. */
export type SecretValue = string | Record<string, string>;

/**
 * The two namespaces of rows. Domain rows (`secrets`) serve connections by
 * their domain; a skill's own rows (`skill_secrets`) serve only the skill
 * of that id, for a connection keyed by the skill (no base_url, no
 * domain). A table each, rather than a prefix in one column: a query of
 * one table cannot return a row of the other whatever a name looks like
 * (a skill id may equal a single-label host, `localhost`, `nas`), and no
 * name has to be reserved or escaped. The additional data of a skill row
 * starts with a NUL, which no domain row's does (a domain is never empty
 * and never starts with NUL, checked on every write), so a ciphertext
 * copied from one table to the other does not decrypt either.
 */
interface Namespace {
  table: "secrets" | "skill_secrets";
  column: "domain" | "skill";
  aad(name: string, identifier: string): string;
}

const DOMAINS: Namespace = {
  table: "secrets",
  column: "domain",
  aad: (domain, identifier) => `${domain}\u0000${identifier}`,
};

const SKILLS: Namespace = {
  table: "skill_secrets",
  column: "skill",
  aad: (skill, identifier) => `\u0000skill\u0000${skill}\u0000${identifier}`,
};

/** The settings row schema 7 leaves while older rows wait to be sorted. */
const UPGRADE_KEY = "vault.skill_rows_upgrade";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The credentials vault: rows keyed by (domain, identifier), and a skill's
 * own rows keyed by (skill, identifier) apart from them, in the graph
 * database, each value AES-256-GCM encrypted with a fresh 96-bit nonce per
 * write and the row's key bound as additional data, so a ciphertext moved
 * to another row does not decrypt. Values leave only through
 * {@linkcode Vault.read}, for the engine's own brokers.
 */
export class Vault {
  #db: DatabaseSync;
  #key: CryptoKey;
  #cached: Metadata | undefined;
  #declaring: (domain: string) => string[] | undefined = () => undefined;
  /** Why the vault is locked (its key does not match); undefined when open. */
  #locked: string | undefined;
  /**
   * When this engine opened the vault (ISO 8601, as `updated_at`): rows
   * written since are this engine's, never an older engine's.
   */
  readonly openedAt: string = new Date().toISOString();

  private constructor(db: DatabaseSync, key: CryptoKey) {
    this.#db = db;
    this.#key = key;
  }

  /**
   * Opens the vault, checking the key against the one used before. A key
   * that does not match gives a locked vault rather than no engine: the
   * graph, shapes and key-less skills go on working, and every credential
   * read or write fails naming the fix.
   *
   * @param db the graph database (with the secrets table)
   * @param key the master key
   * @returns the vault, locked when the key is not the one it was written with
   */
  static async open(db: DatabaseSync, key: CryptoKey): Promise<Vault> {
    const vault = new Vault(db, key);
    const opens = await keyOpensVault(db, key);
    if (opens === undefined) {
      const { nonce, ciphertext } = await vault.#encrypt(CHECK_TEXT, CHECK_KEY);
      db.prepare(
        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
      ).run(
        CHECK_KEY,
        JSON.stringify({
          nonce: toBase64(nonce),
          ciphertext: toBase64(ciphertext),
        }),
        new Date().toISOString(),
      );
    } else if (!opens) {
      vault.#locked = KEY_MISMATCH;
    }
    return vault;
  }

  /**
   * Tells the vault which installed skills declare a domain: the skills a
   * credential the owner stores naming no skill is for. Set by the skill
   * runtime once the installed skills are loaded.
   *
   * @param declaring the skills declaring a domain
   */
  useDeclaring(declaring: (domain: string) => string[]): void {
    this.#declaring = declaring;
  }

  /**
   * The installed skills that declare a domain, or undefined while the
   * skills load.
   *
   * @param domain a vault domain
   * @returns their ids
   */
  declaring(domain: string): string[] | undefined {
    return this.#declaring(domain);
  }

  /** Why the vault is locked, or undefined when its key matches. */
  get locked(): string | undefined {
    return this.#locked;
  }

  #refuseWhenLocked(): void {
    if (this.#locked === undefined) return;
    throw new RpcError(
      ErrorCode.Forbidden,
      `The vault is locked: ${this.#locked}. Stored credentials cannot be used until the right key is back: ` +
        "run `agentos restore <backup>` with a backup that carries the key (and its passphrase), " +
        "or put the original vault.key in $AGENTOS_HOME (or set the original AGENTOS_VAULT_PASSPHRASE), " +
        "then restart the engine; `agentos doctor` checks the key",
    );
  }

  /**
   * Stores (or replaces) a domain's credential.
   *
   * @param domain e.g. `api.example.com` or `example.com`
   * @param identifier the account, `""` for the default one
   * @param value a string or an object of string fields
   * @param writer who writes it (`owner`, `skill:<id>`); omitted, an
   *   existing row keeps its writer (a cookie session refreshed by its site)
   * @param users which skills may use it (see {@linkcode RowUsers});
   *   omitted, a replaced row keeps its skills and a new one has none
   * @returns the skills that may use the row now
   */
  async set(
    domain: string,
    identifier: string,
    value: SecretValue,
    writer?: string,
    users: RowUsers = {},
  ): Promise<string[]> {
    if (domain === "" || domain.startsWith("\u0000")) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        "A credential's domain may not be empty nor start with NUL",
      );
    }
    await this.#set(DOMAINS, { name: domain, identifier }, value, writer);
    return this.#recordUsers(domain, identifier, users);
  }

  /** Records the users of a row just written (see `row_users.ts`). */
  #recordUsers(domain: string, identifier: string, users: RowUsers): string[] {
    const rows = this.#rows(DOMAINS) as unknown as SecretInfo[];
    const next = usersAfterWrite(rows, { domain, identifier }, users);
    if (next === undefined) return [];
    this.#writeUsers([{ domain, identifier, users: next }]);
    return next;
  }

  #writeUsers(changes: UsersChange[]): void {
    this.#cached = undefined;
    const update = this.#db.prepare(
      "UPDATE secrets SET users = ? WHERE domain = ? AND identifier = ?",
    );
    for (const { domain, identifier, users } of changes) {
      update.run(JSON.stringify(users), domain, identifier);
    }
  }

  /**
   * Allows a skill to use a domain's credentials, or takes it back: every
   * row of the domain the owner (or an older engine) wrote. A row a skill
   * wrote serves that skill alone, whatever is allowed.
   *
   * @param domain the vault domain
   * @param skill the skill id
   * @param allowed true to allow
   * @returns how many rows changed hands
   */
  allowUse(domain: string, skill: string, allowed: boolean): number {
    const changes = allowChanges(this.#metadata().infos, domain, {
      skill,
      allowed,
    });
    this.#writeUsers(changes);
    return changes.length;
  }

  /**
   * Takes a removed skill off every row: a skill added later under the
   * same id is not the one the owner allowed.
   *
   * @param skill the skill id
   */
  forgetUser(skill: string): void {
    this.#writeUsers(forgetChanges(this.#metadata().infos, skill));
  }

  /**
   * Records the skills of the rows an engine before schema 8 wrote (their
   * `users` is null), once, with the rule the caller decides.
   *
   * @param decide the skills that may use a row
   * @returns the rows recorded and their skills
   */
  recordMissingUsers(decide: (row: SecretInfo) => string[]): UsersChange[] {
    const recorded = this.#metadata().infos.filter((row) => row.users === null)
      .map((row) => ({
        domain: row.domain,
        identifier: row.identifier,
        users: [...new Set(decide(row))].sort(),
      }));
    this.#writeUsers(recorded);
    return recorded;
  }

  /**
   * Stores (or replaces) a skill's own credential: what a connection keyed
   * by the skill (no base_url, no domain) receives, never a domain's.
   *
   * @param skill the skill id
   * @param identifier the account, `""` for the default one
   * @param value a string or an object of string fields
   * @param writer who writes it (`owner`, `skill:<id>`)
   */
  async setForSkill(
    skill: string,
    identifier: string,
    value: SecretValue,
    writer?: string,
  ): Promise<void> {
    await this.#set(SKILLS, { name: skill, identifier }, value, writer);
  }

  async #set(
    space: Namespace,
    row: { name: string; identifier: string },
    value: SecretValue,
    writer: string | undefined,
  ): Promise<void> {
    this.#refuseWhenLocked();
    const { name, identifier } = row;
    const fields = typeof value === "string"
      ? ["value"]
      : Object.keys(value).sort();
    const { nonce, ciphertext } = await this.#encrypt(
      JSON.stringify(value),
      space.aad(name, identifier),
    );
    const now = new Date().toISOString();
    this.#cached = undefined;
    const { table, column } = space;
    this.#db.prepare(
      `INSERT INTO ${table} (${column}, identifier, fields, nonce, ciphertext, created_at, updated_at, writer)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (${column}, identifier) DO UPDATE SET fields = excluded.fields, nonce = excluded.nonce,
         ciphertext = excluded.ciphertext, updated_at = excluded.updated_at,
         writer = COALESCE(excluded.writer, ${table}.writer)`,
    ).run(
      name,
      identifier,
      JSON.stringify(fields),
      nonce,
      ciphertext,
      now,
      now,
      writer ?? null,
    );
  }

  /**
   * Decrypts a domain's credential, for the engine's brokers only.
   *
   * @returns the value, or undefined when there is none
   * @throws {RpcError} when the row does not decrypt (tampered or moved)
   */
  async read(
    domain: string,
    identifier = "",
  ): Promise<SecretValue | undefined> {
    return await this.#read(DOMAINS, domain, identifier);
  }

  /**
   * Decrypts a skill's own credential, for the engine's brokers only.
   *
   * @returns the value, or undefined when there is none
   * @throws {RpcError} when the row does not decrypt (tampered or moved)
   */
  async readForSkill(
    skill: string,
    identifier = "",
  ): Promise<SecretValue | undefined> {
    return await this.#read(SKILLS, skill, identifier);
  }

  async #read(
    space: Namespace,
    name: string,
    identifier: string,
  ): Promise<SecretValue | undefined> {
    this.#refuseWhenLocked();
    const row = this.#db.prepare(
      `SELECT nonce, ciphertext FROM ${space.table} WHERE ${space.column} = ? AND identifier = ?`,
    )
      .get(name, identifier) as
        | { nonce: Uint8Array; ciphertext: Uint8Array }
        | undefined;
    if (!row) return undefined;
    try {
      return JSON.parse(
        await this.#decrypt(
          row.nonce,
          row.ciphertext,
          space.aad(name, identifier),
        ),
      );
    } catch {
      const what = space === SKILLS ? `skill "${name}"` : `"${name}"`;
      throw new RpcError(
        ErrorCode.Forbidden,
        `Credential for ${what} does not decrypt: it was altered or moved`,
      );
    }
  }

  /** Metadata of every domain's credential, sorted by domain then identifier. */
  list(): SecretInfo[] {
    return this.#metadata().infos.map((info) => ({
      ...info,
      fields: [...info.fields],
      users: info.users === null ? null : [...info.users],
    }));
  }

  /**
   * Metadata of the skills' own credentials, sorted by skill then
   * identifier: every skill's, or one skill's.
   *
   * @param skill only this skill's rows
   */
  skillRows(skill?: string): SkillSecretInfo[] {
    const { skills } = this.#metadata();
    return skills.filter((info) => skill === undefined || info.skill === skill)
      .map((info) => ({ ...info, fields: [...info.fields] }));
  }

  /** How many credentials are stored (domains' and skills' own). */
  count(): number {
    const { infos, skills } = this.#metadata();
    return infos.length + skills.length;
  }

  /** Domains that hold at least one credential (never a skill's own). */
  domains(): Set<string> {
    return new Set(this.#metadata().domains);
  }

  /** Deletes a domain's credential; returns whether it existed. */
  delete(domain: string, identifier = ""): boolean {
    return this.#delete(DOMAINS, domain, identifier);
  }

  /** Deletes a skill's own credential; returns whether it existed. */
  deleteForSkill(skill: string, identifier = ""): boolean {
    return this.#delete(SKILLS, skill, identifier);
  }

  #delete(space: Namespace, name: string, identifier: string): boolean {
    this.#cached = undefined;
    return this.#db.prepare(
      `DELETE FROM ${space.table} WHERE ${space.column} = ? AND identifier = ?`,
    ).run(name, identifier)
      .changes > 0;
  }

  /**
   * Whether rows an engine before schema 7 wrote still wait for the
   * one-time decision of which were a skill's own (see
   * {@linkcode Vault.settleUpgrade}).
   */
  get upgradePending(): boolean {
    return this.#db.prepare("SELECT 1 AS x FROM settings WHERE key = ?")
      .get(UPGRADE_KEY) !== undefined;
  }

  /**
   * Ends the schema 7 upgrade: moves each listed domain row to the skill
   * namespace (decrypted and encrypted again under its new row key, its
   * writer and dates kept), and drops the pending mark, all in one
   * transaction. A row written again since it was listed (its `updated_at`
   * differs) stays where it is: the new value is the owner's. Refused while
   * the vault is locked (the mark stays).
   *
   * @param moves the domain rows that were a skill's own, the skill, and
   *   the `updated_at` they were listed with
   */
  async settleUpgrade(
    moves: {
      domain: string;
      identifier: string;
      skill: string;
      updatedAt: string;
    }[],
  ): Promise<void> {
    this.#refuseWhenLocked();
    const sealed = [];
    for (const move of moves) {
      const value = await this.read(move.domain, move.identifier);
      if (value === undefined) continue;
      sealed.push({
        ...move,
        ...await this.#encrypt(
          JSON.stringify(value),
          SKILLS.aad(move.skill, move.identifier),
        ),
      });
    }
    // Synchronous from here: no other write of this engine interleaves.
    this.#cached = undefined;
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const move of sealed) {
        const copied = this.#db.prepare(
          `INSERT INTO skill_secrets (skill, identifier, fields, nonce, ciphertext, created_at, updated_at, writer)
           SELECT ?, identifier, fields, ?, ?, created_at, updated_at, writer
           FROM secrets WHERE domain = ? AND identifier = ? AND updated_at = ?`,
        ).run(
          move.skill,
          move.nonce,
          move.ciphertext,
          move.domain,
          move.identifier,
          move.updatedAt,
        );
        if (Number(copied.changes) === 0) continue;
        this.#db.prepare(
          "DELETE FROM secrets WHERE domain = ? AND identifier = ?",
        ).run(move.domain, move.identifier);
      }
      this.#db.prepare("DELETE FROM settings WHERE key = ?").run(UPGRADE_KEY);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  // Every skill call asks for the domains and every engine.status for the
  // count: both come from this cache, which each write drops. Only this
  // engine writes the table (it holds the home's lock).
  #metadata(): Metadata {
    if (this.#cached) return this.#cached;
    const infos = this.#rows(DOMAINS) as unknown as SecretInfo[];
    const skills = this.#rows(SKILLS) as unknown as SkillSecretInfo[];
    this.#cached = {
      infos,
      skills,
      domains: new Set(infos.map((info) => info.domain)),
    };
    return this.#cached;
  }

  #rows(space: Namespace): Record<string, unknown>[] {
    const { table, column } = space;
    const users = space === DOMAINS ? ", users" : "";
    const rows = this.#db.prepare(
      `SELECT ${column}, identifier, fields, writer${users}, created_at, updated_at FROM ${table} ORDER BY ${column}, identifier`,
    ).all() as Record<string, unknown>[];
    return rows.map((row) => ({
      ...row,
      fields: JSON.parse(String(row.fields)),
      ...(space === DOMAINS ? { users: usersOf(row.users) } : {}),
    }));
  }

  async #encrypt(
    text: string,
    aad: string,
  ): Promise<{ nonce: Uint8Array; ciphertext: Uint8Array }> {
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv: nonce, additionalData: encoder.encode(aad) },
        this.#key,
        encoder.encode(text),
      ),
    );
    return { nonce, ciphertext };
  }

  async #decrypt(
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    aad: string,
  ): Promise<string> {
    const plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: nonce as BufferSource,
        additionalData: encoder.encode(aad),
      },
      this.#key,
      ciphertext as BufferSource,
    );
    return decoder.decode(plain);
  }
}

/** The cached metadata of both namespaces. */
interface Metadata {
  infos: SecretInfo[];
  skills: SkillSecretInfo[];
  domains: Set<string>;
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}
