/**
 * A skill's credentials and the vault: the vault's shape as the runtime
 * uses it, which row serves a connection, where a credential may go, and
 * `secrets.read` for a skill that declares `secrets`. Loading a call's
 * credentials is in `load_credentials.ts`.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../../errors.ts";
import { CallCredentials, type CredentialValue } from "./call_credentials.ts";
import type { CredentialScope } from "./credential_scope.ts";
import {
  type CredentialDomains,
  grantRefusal,
  skillCredentialDomains,
} from "../../grants/mod.ts";
import { declaredNeeds } from "../../grants/mod.ts";
import type { ConnectionInfo } from "../../skills/mod.ts";
import { isCookieAuth, JAR_FIELD } from "./stored_cookies.ts";
import type { SkillEntry } from "../../skills/mod.ts";

/** The part of the vault the skill runtime uses. */
export interface CredentialSource {
  /** Metadata of every credential (never a value). */
  list(): {
    domain: string;
    identifier: string;
    updated_at?: string;
    fields?: string[];
    /** `owner`, `skill:<id>`, or null (written before writers were recorded). */
    writer?: string | null;
    /** The skills that may use it; null before the engine recorded them. */
    users?: string[] | null;
  }[];
  /** Decrypts one domain's credential. */
  read(
    domain: string,
    identifier?: string,
  ): Promise<CredentialValue | undefined>;
  /**
   * Metadata of one skill's own credentials: the vault's skill namespace,
   * which no domain lookup reads (see `engine/vault/vault.ts`).
   */
  skillRows(skill: string): {
    identifier: string;
    updated_at?: string;
    fields?: string[];
    writer?: string | null;
  }[];
  /** Decrypts one of a skill's own credentials. */
  readForSkill(
    skill: string,
    identifier?: string,
  ): Promise<CredentialValue | undefined>;
  /**
   * Stores (or replaces) one credential: cookie write-back (keeps the
   * row's writer), `__secrets__` (writer `skill:<id>`).
   */
  set?(
    domain: string,
    identifier: string,
    value: CredentialValue,
    writer?: string,
    users?: { fresh?: string[]; add?: string[] },
  ): Promise<unknown>;
}

/** Options for {@linkcode readOwnSecret}. */
export interface ReadSecretOptions {
  vault: CredentialSource | undefined;
  credentials: CallCredentials;
  params: Record<string, unknown>;
}

/**
 * Whether a skill declares `secrets`: it may ask for real values
 * (`secrets.read`), which it receives only once the owner granted them
 * (`agentos skills allow <skill> --secrets`).
 *
 * @param skill the skill
 * @returns true when declared
 */
export function declaresSecrets(skill: Pick<SkillEntry, "discovery">): boolean {
  return declaredNeeds(skill.discovery).includes("secrets");
}

/**
 * The vault domain that stands in for the macOS keychain on Linux (see
 * `keychain.ts`): its rows are read only by `keychain.read`, for an item
 * the skill declares and the owner granted by name.
 */
export const KEYCHAIN_DOMAIN = "keychain";

/**
 * Whether a vault row may serve a skill: only a skill the row records as
 * allowed (`users`: the skill it was stored for, the skills installed
 * when the owner stored it, and those the owner allowed since with
 * `agentos skills allow <skill> --credential <domain>`), so a skill added
 * later that declares the same domain does not act with the owner's key.
 * A row a skill wrote through `__secrets__` serves that skill alone, so no
 * skill can make another act with a key it chose (a more specific domain
 * or account would otherwise be found first). A keychain row serves no
 * skill this way — a skill whose id, connection domain or
 * `credentials.retrieve` names `keychain` would otherwise hold an item the
 * owner never granted.
 *
 * @param row the row's metadata
 * @param skillId the skill looking for a credential
 * @returns true when the skill may use it
 */
export function usableBy(
  row: { domain: string; writer?: string | null; users?: string[] | null },
  skillId: string,
): boolean {
  if (row.domain === KEYCHAIN_DOMAIN) return false;
  return writtenFor(row, skillId) && (row.users ?? []).includes(skillId);
}

/**
 * Whether a row's writer lets a skill use it: the owner's (or an older
 * engine's) rows, and the rows the skill wrote itself, never another
 * skill's. A skill's own rows (the skill namespace) are checked by this
 * alone: they serve the skill of their id.
 *
 * @param row the row's writer
 * @param skillId the skill looking for a credential
 * @returns true unless another skill wrote it
 */
export function writtenFor(
  row: { writer?: string | null },
  skillId: string,
): boolean {
  const writer = row.writer ?? null;
  return writer === null || !writer.startsWith("skill:") ||
    writer === `skill:${skillId}`;
}

/**
 * The vault row a list of candidate domains finds: the first domain that
 * holds one, its default account (`""`) before others.
 *
 * @param rows the vault's metadata
 * @param candidates domains, most specific first
 * @returns the row's key, or undefined
 */
export function findCredential(
  rows: { domain: string; identifier: string }[],
  candidates: string[],
): { domain: string; identifier: string } | undefined {
  for (const domain of candidates) {
    const found = rows.filter((row) => row.domain === domain);
    if (found.length === 0) continue;
    return found.find((row) => row.identifier === "") ?? found[0];
  }
  return undefined;
}

/**
 * Serves `secrets.read` for a skill that declares `secrets` and was
 * granted real values: the
 * credential of one of its own connections' domains (default: the
 * running tool's connection), never any other.
 *
 * @param skill the skill
 * @param options the vault, the call's credentials (the value joins them,
 *   for redaction and leak checks) and the dispatch params (`domain`,
 *   `identifier`, `connection`)
 * @returns the value and the vault domain it came from
 * @throws {RpcError} Forbidden (not declared, not granted, not its domain), NotFound
 */
export async function readOwnSecret(
  skill: SkillEntry,
  options: ReadSecretOptions,
): Promise<{ value: CredentialValue; domain: string }> {
  const { vault, params } = options;
  if (!declaresSecrets(skill)) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skill.id}" may not read credentials: it does not declare secrets in its readme (capabilities: [secrets]); it receives placeholders in params["auth"] instead`,
      { check: "declared" },
    );
  }
  if (options.credentials.masked) {
    throw grantRefusal(
      `Skill "${skill.id}" may not read credentials: the owner has not granted it real values (agentos skills allow ${skill.id} --secrets); it receives placeholders in params["auth"] instead`,
      { check: "secrets_grant" },
      { kind: "secrets", skill: skill.id },
    );
  }
  const entries = skillCredentialDomains(skill.id, skill.discovery.connections);
  const { entry, candidates } = secretEntry(skill, entries, params);
  const identifier = typeof params.identifier === "string"
    ? params.identifier
    : undefined;
  const found = entry.keyedBySkill
    ? await readSkillRow(skill.id, vault, identifier)
    : await readDomainRow(skill.id, vault, { candidates, identifier });
  if (!found) {
    throw new RpcError(
      ErrorCode.NotFound,
      `No credential for ${
        entry.keyedBySkill ? `skill "${skill.id}"` : `"${candidates[0]}"`
      }${identifier ? ` (${identifier.slice(0, 100)})` : ""}; store one with: ${
        setCommand(skill.id, entry)
      }`,
    );
  }
  options.credentials.add({
    domain: found.domain,
    value: found.value,
    scope: scopeOf(skill, entry, found.domain),
  });
  return found;
}

/** Which connection's credential `secrets.read` asks for, and its domains. */
function secretEntry(
  skill: SkillEntry,
  entries: CredentialDomains[],
  params: Record<string, unknown>,
): { entry: CredentialDomains; candidates: string[] } {
  if (typeof params.domain === "string" && params.domain !== "") {
    const domain = params.domain.toLowerCase();
    const entry = entries.find((e) => e.candidates.includes(domain));
    if (!entry) {
      const own = [...new Set(entries.flatMap((e) => e.candidates))];
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skill.id}" may read only the credentials of its own connections' domains (${
          own.join(", ") || "it has none"
        }); "${domain.slice(0, 200)}" is not one`,
        { check: "credential_domain", domain: domain.slice(0, 200) },
      );
    }
    return { entry, candidates: [domain] };
  }
  const entry = entries.find((e) => e.connection === params.connection) ??
    entries[0]!;
  return { entry, candidates: entry.candidates };
}

async function readDomainRow(
  skillId: string,
  vault: CredentialSource | undefined,
  { candidates, identifier }: { candidates: string[]; identifier?: string },
): Promise<{ value: CredentialValue; domain: string } | undefined> {
  const rows = (vault?.list() ?? []).filter((r) => usableBy(r, skillId));
  const row = identifier === undefined
    ? findCredential(rows, candidates)
    : rows.find((r) =>
      candidates.includes(r.domain) && r.identifier === identifier
    );
  const value = row ? await vault!.read(row.domain, row.identifier) : undefined;
  return value === undefined ? undefined : { value, domain: row!.domain };
}

async function readSkillRow(
  skillId: string,
  vault: CredentialSource | undefined,
  identifier: string | undefined,
): Promise<{ value: CredentialValue; domain: string } | undefined> {
  const row = ownRow(vault, skillId, { identifier });
  const value = row
    ? await vault!.readForSkill(skillId, row.identifier)
    : undefined;
  return value === undefined
    ? undefined
    : { value, domain: skillLabel(skillId) };
}

/**
 * The skill's own row (its skill namespace): the named account, else the
 * default one (`""`) before others.
 *
 * @param vault the vault
 * @param skillId the skill
 * @param options the account, and rows to leave out
 * @returns the row, or undefined
 */
export function ownRow(
  vault: CredentialSource | undefined,
  skillId: string,
  options: {
    identifier?: string;
    skip?: (row: { identifier: string; updated_at?: string }) => boolean;
    fits?: (row: { fields?: string[] }) => boolean;
  } = {},
): { identifier: string; fields?: string[] } | undefined {
  const rows = (vault?.skillRows(skillId) ?? []).filter((row) =>
    writtenFor(row, skillId) &&
    !options.skip?.(row) && (options.fits?.(row) ?? true)
  );
  if (options.identifier !== undefined) {
    return rows.find((row) => row.identifier === options.identifier);
  }
  return rows.find((row) => row.identifier === "") ?? rows[0];
}

/**
 * How a skill's own credential is named in messages and in a call's
 * credentials (never a vault domain: it holds a space, no host does).
 *
 * @param skillId the skill
 * @returns `skill <id>`
 */
export function skillLabel(skillId: string): string {
  return `skill ${skillId}`;
}

/**
 * The command that stores a connection's credential: `agentos secrets set
 * <domain>`, or `agentos secrets set --skill <id>` for one keyed by the
 * skill.
 *
 * @param skillId the skill
 * @param entry the connection's credential domains
 * @returns the command
 */
export function setCommand(skillId: string, entry: CredentialDomains): string {
  return entry.keyedBySkill
    ? `agentos secrets set --skill ${skillId}`
    : `agentos secrets set ${entry.candidates.at(-1)}`;
}

/** Whether a provider's tool has the credential it needs. */
export interface CredentialState {
  /** `none`: a connection needs no credential. */
  state: "none" | "present" | "missing";
  /** The domain (or `skill <id>`) found, or the one to store. */
  where?: string;
  /** The command that stores it, when missing. */
  command?: string;
}

/**
 * Which credentials a provider's tool needs and which the vault holds,
 * for the capability order.
 *
 * @param skill the provider
 * @param options the tool's connection names (null: all the skill's), the
 *   vault's domains, and whether a skill holds a row of its own
 * @returns `none` (a connection needs no credential), `present`, or `missing` with where to store it
 */
export function credentialState(
  skill: SkillEntry,
  options: {
    connections: string[] | null;
    domains: Set<string>;
    ownKey?: (skillId: string) => boolean;
  },
): CredentialState {
  const { connections, domains } = options;
  const declared = skill.discovery.connections.filter((c) =>
    connections === null || connections.includes(c.name)
  );
  if (declared.length === 0) return { state: "none" };
  const entries = declared.map((connection) => ({
    connection,
    entry: skillCredentialDomains(skill.id, [connection])[0]!,
  }));
  for (const { entry } of entries) {
    if (entry.keyedBySkill && options.ownKey?.(skill.id)) {
      return { state: "present", where: skillLabel(skill.id) };
    }
    const found = entry.candidates.find((d) => domains.has(d));
    if (found) return { state: "present", where: found };
  }
  if (entries.some(({ connection }) => !needsAuth(connection))) {
    return { state: "none" };
  }
  const { entry } = entries[0]!;
  return {
    state: "missing",
    where: entry.keyedBySkill ? skillLabel(skill.id) : entry.candidates.at(-1),
    command: setCommand(skill.id, entry),
  };
}

/**
 * Whether a row is the kind a connection uses, when one domain holds both
 * (exa.ai: an API key and a dashboard session): a cookie session skips a
 * bare `{key}`, an API key skips a row of cookies the engine wrote.
 *
 * @param row a vault row's metadata (its field names)
 * @param connection the connection looking for a credential
 * @returns true when the row may serve it
 */
export function fitsConnection(
  row: { fields?: string[] },
  connection: ConnectionInfo | undefined,
): boolean {
  const fields = row.fields ?? [];
  if (connection && isCookieAuth(connection)) {
    // A bare value (`{key}`, or a plain string stored as `value`).
    return !(fields.length === 1 && ["key", "value"].includes(fields[0]!));
  }
  return !fields.includes(JAR_FIELD);
}

function needsAuth(connection: ConnectionInfo): boolean {
  return connection.auth !== null && connection.auth !== undefined &&
    connection.optional !== true;
}

/**
 * Where a credential may be carried: the skill's egress for a credential
 * keyed by the skill, else its vault domain.
 *
 * @param skill the skill
 * @param entry the connection's credential domains
 * @param domain the vault row's domain
 * @returns the credential's scope
 */
export function scopeOf(
  skill: SkillEntry,
  entry: CredentialDomains,
  domain: string,
): CredentialScope {
  return entry.keyedBySkill
    ? { hosts: skill.egress.hosts, domains: skill.egress.domains }
    : { domain };
}
