import type { DatabaseSync } from "node:sqlite";
import { ErrorCode, RpcError } from "../errors.ts";
import {
  CHECK_KEY,
  CHECK_TEXT,
  KEY_MISMATCH,
  keyOpensVault,
} from "./vault_check.ts";

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
  created_at: string;
  updated_at: string;
}

/** A stored credential: a string, or an object of string fields. */
export type SecretValue = string | Record<string, string>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The credentials vault: rows keyed by (domain, identifier) in the graph
 * database, each value AES-256-GCM encrypted with a fresh 96-bit nonce per
 * write and the row's key bound as additional data, so a ciphertext moved
 * to another row does not decrypt. Values leave only through
 * {@linkcode Vault.read}, for the engine's own brokers.
 */
export class Vault {
  #db: DatabaseSync;
  #key: CryptoKey;
  #cached: { infos: SecretInfo[]; domains: Set<string> } | undefined;
  /** Why the vault is locked (its key does not match); undefined when open. */
  #locked: string | undefined;

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
   * Stores (or replaces) a credential.
   *
   * @param domain e.g. `api.example.com` or `example.com`
   * @param identifier the account, `""` for the default one
   * @param value a string or an object of string fields
   * @param writer who writes it (`owner`, `skill:<id>`); omitted, an
   *   existing row keeps its writer (a cookie session refreshed by its site)
   */
  async set(
    domain: string,
    identifier: string,
    value: SecretValue,
    writer?: string,
  ): Promise<void> {
    this.#refuseWhenLocked();
    const fields = typeof value === "string"
      ? ["value"]
      : Object.keys(value).sort();
    const { nonce, ciphertext } = await this.#encrypt(
      JSON.stringify(value),
      rowKey(domain, identifier),
    );
    const now = new Date().toISOString();
    this.#cached = undefined;
    this.#db.prepare(
      `INSERT INTO secrets (domain, identifier, fields, nonce, ciphertext, created_at, updated_at, writer)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (domain, identifier) DO UPDATE SET fields = excluded.fields, nonce = excluded.nonce,
         ciphertext = excluded.ciphertext, updated_at = excluded.updated_at,
         writer = COALESCE(excluded.writer, secrets.writer)`,
    ).run(
      domain,
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
   * Decrypts a credential, for the engine's brokers only.
   *
   * @returns the value, or undefined when there is none
   * @throws {RpcError} when the row does not decrypt (tampered or moved)
   */
  async read(
    domain: string,
    identifier = "",
  ): Promise<SecretValue | undefined> {
    this.#refuseWhenLocked();
    const row = this.#db.prepare(
      "SELECT nonce, ciphertext FROM secrets WHERE domain = ? AND identifier = ?",
    )
      .get(domain, identifier) as
        | { nonce: Uint8Array; ciphertext: Uint8Array }
        | undefined;
    if (!row) return undefined;
    try {
      return JSON.parse(
        await this.#decrypt(
          row.nonce,
          row.ciphertext,
          rowKey(domain, identifier),
        ),
      );
    } catch {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Credential for "${domain}" does not decrypt: it was altered or moved`,
      );
    }
  }

  /** Metadata of every credential, sorted by domain then identifier. */
  list(): SecretInfo[] {
    return this.#metadata().infos.map((info) => ({
      ...info,
      fields: [...info.fields],
    }));
  }

  /** How many credentials are stored. */
  count(): number {
    return this.#metadata().infos.length;
  }

  /** Domains that hold at least one credential. */
  domains(): Set<string> {
    return new Set(this.#metadata().domains);
  }

  /** Deletes a credential; returns whether it existed. */
  delete(domain: string, identifier = ""): boolean {
    this.#cached = undefined;
    return this.#db.prepare(
      "DELETE FROM secrets WHERE domain = ? AND identifier = ?",
    ).run(domain, identifier)
      .changes > 0;
  }

  // Every skill call asks for the domains and every engine.status for the
  // count: both come from this cache, which each write drops. Only this
  // engine writes the table (it holds the home's lock).
  #metadata(): { infos: SecretInfo[]; domains: Set<string> } {
    if (this.#cached) return this.#cached;
    const rows = this.#db.prepare(
      "SELECT domain, identifier, fields, writer, created_at, updated_at FROM secrets ORDER BY domain, identifier",
    ).all() as unknown as (Omit<SecretInfo, "fields"> & { fields: string })[];
    const infos = rows.map((row) => ({
      ...row,
      fields: JSON.parse(row.fields),
    }));
    this.#cached = {
      infos,
      domains: new Set(infos.map((info) => info.domain)),
    };
    return this.#cached;
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

function rowKey(domain: string, identifier: string): string {
  return `${domain}\u0000${identifier}`;
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}
