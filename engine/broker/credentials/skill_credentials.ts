import { ErrorCode, RpcError } from "../../errors.ts";
import { CallCredentials, type CredentialValue } from "./call_credentials.ts";
import type { CredentialScope } from "./credential_scope.ts";
import {
  type CredentialDomains,
  skillCredentialDomains,
} from "../../grants/mod.ts";
import { declaredNeeds } from "../../grants/mod.ts";
import type { ConnectionInfo } from "../../skills/mod.ts";
import {
  type Cookie,
  cookiesFromRow,
  isCookieAuth,
  JAR_FIELD,
  MIN_MASKED_COOKIE,
} from "./stored_cookies.ts";
import type { SkillEntry } from "../../skills/mod.ts";

/** The part of the vault the skill runtime uses. */
export interface CredentialSource {
  /** Metadata of every credential (never a value). */
  list(): {
    domain: string;
    identifier: string;
    updated_at?: string;
    fields?: string[];
  }[];
  /** Decrypts one credential. */
  read(
    domain: string,
    identifier?: string,
  ): Promise<CredentialValue | undefined>;
  /** Stores (or replaces) one credential: cookie write-back, `__secrets__`. */
  set?(
    domain: string,
    identifier: string,
    value: CredentialValue,
  ): Promise<void>;
}

/** One connection's credential as a call holds it (engine side only). */
export interface ConnectionCredential {
  /** The connection it belongs to (its auth template, client kind, base_url). */
  connection: ConnectionInfo;
  /** The vault row it came from. */
  domain: string;
  identifier: string;
  /** The real fields (a single stored value is `{key: value}`). */
  fields: Record<string, string>;
  /** What the skill sees: the same fields, placeholders when masked. */
  view: Record<string, string>;
  /** A cookie session's stored cookies (real values), to seed the jar. */
  cookies?: Cookie[];
}

/** A call's credentials as the worker receives them. */
export interface LoadedCredentials {
  credentials: CallCredentials;
  /** Each connection's credential, for auth templates and the cookie jar. */
  bindings: ConnectionCredential[];
  /** `params["auth"]` per connection name. */
  connectionsAuth: Record<string, CredentialValue>;
  /** `params["auth"]` of a skill without connections (keyed by its id). */
  skillAuth?: CredentialValue;
}

/** Options for {@linkcode loadCredentials}. */
export interface LoadOptions {
  /** The owner granted real values (`agentos skills allow <skill> --secrets`). */
  realValues?: boolean;
  /** Rows to leave out (a session found expired). */
  skip?: (
    row: { domain: string; identifier: string; updated_at?: string },
  ) => boolean;
}

/** Options for {@linkcode readOwnSecret}. */
export interface ReadSecretOptions {
  vault: CredentialSource | undefined;
  credentials: CallCredentials;
  params: Record<string, unknown>;
}

/**
 * Whether a skill declares `secrets` and so receives real values (and may
 * use `secrets.read`) instead of placeholders.
 *
 * @param skill the skill
 * @returns true for real values
 */
export function declaresSecrets(skill: Pick<SkillEntry, "discovery">): boolean {
  return declaredNeeds(skill.discovery).includes("secrets");
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
 * Loads the credentials of a skill's connections for one call: each
 * connection's credential (see `credentialDomains`) as placeholders for a
 * masked skill, or real values for one that declares `secrets`.
 *
 * @param skill the skill
 * @param vault the vault, if any
 * @param options whether the owner granted the skill real values
 * @returns the call's credentials and the worker's `params["auth"]`s
 */
export async function loadCredentials(
  skill: SkillEntry,
  vault: CredentialSource | undefined,
  options: LoadOptions = {},
): Promise<LoadedCredentials> {
  const real = declaresSecrets(skill) || options.realValues === true;
  const credentials = new CallCredentials(!real);
  const loaded: LoadedCredentials = {
    credentials,
    bindings: [],
    connectionsAuth: {},
  };
  if (!vault) return loaded;
  const rows = vault.list().filter((row) => !options.skip?.(row));
  if (rows.length === 0) return loaded;
  for (
    const entry of skillCredentialDomains(skill.id, skill.discovery.connections)
  ) {
    const declared = skill.discovery.connections.find((c) =>
      c.name === entry.connection
    );
    const row = findCredential(
      rows.filter((r) => fitsConnection(r, declared)),
      entry.candidates,
    );
    if (!row) continue;
    const stored = await vault.read(row.domain, row.identifier);
    if (stored === undefined) continue;
    // A single stored value reads as {key: value}: what skills expect of
    // params["auth"] (`params["auth"]["key"]`).
    const fields = typeof stored === "string" ? { key: stored } : stored;
    const scope = scopeOf(skill, entry, row.domain);
    const connection = declared;
    if (connection && isCookieAuth(connection)) {
      const cookies = cookiesFromRow(fields, row.domain);
      const view = { cookies: maskedCookieHeader(cookies, credentials, scope) };
      loaded.connectionsAuth[connection.name] = view;
      loaded.bindings.push({
        connection,
        domain: row.domain,
        identifier: row.identifier,
        fields,
        view,
        cookies,
      });
      continue;
    }
    const view = credentials.add({
      domain: row.domain,
      value: fields,
      scope,
    }) as Record<string, string>;
    if (entry.connection === null) {
      loaded.skillAuth = view;
      continue;
    }
    loaded.connectionsAuth[entry.connection] = view;
    if (connection) {
      loaded.bindings.push({
        connection,
        domain: row.domain,
        identifier: row.identifier,
        fields,
        view,
      });
    }
  }
  return loaded;
}

/**
 * Serves `secrets.read` for a skill that declares `secrets`: the
 * credential of one of its own connections' domains (default: the
 * running tool's connection), never any other.
 *
 * @param skill the skill
 * @param options the vault, the call's credentials (the value joins them,
 *   for redaction and leak checks) and the dispatch params (`domain`,
 *   `identifier`, `connection`)
 * @returns the value and the vault domain it came from
 * @throws {RpcError} Forbidden (not declared, not its domain), NotFound
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
  const entries = skillCredentialDomains(skill.id, skill.discovery.connections);
  const own = [...new Set(entries.flatMap((e) => e.candidates))];
  let entry: CredentialDomains | undefined;
  let candidates: string[];
  if (typeof params.domain === "string" && params.domain !== "") {
    const domain = params.domain.toLowerCase();
    entry = entries.find((e) => e.candidates.includes(domain));
    if (!entry) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skill.id}" may read only the credentials of its own connections' domains (${
          own.join(", ")
        }); "${domain.slice(0, 200)}" is not one`,
        { check: "credential_domain", domain: domain.slice(0, 200) },
      );
    }
    candidates = [domain];
  } else {
    entry = entries.find((e) => e.connection === params.connection) ??
      entries[0]!;
    candidates = entry.candidates;
  }
  const identifier = typeof params.identifier === "string"
    ? params.identifier
    : undefined;
  const rows = vault?.list() ?? [];
  const row = identifier === undefined
    ? findCredential(rows, candidates)
    : rows.find((r) =>
      candidates.includes(r.domain) && r.identifier === identifier
    );
  const value = row ? await vault!.read(row.domain, row.identifier) : undefined;
  if (!row || value === undefined) {
    throw new RpcError(
      ErrorCode.NotFound,
      `No credential for "${candidates[0]}"${
        identifier ? ` (${identifier.slice(0, 100)})` : ""
      }; store one with: agentos secrets set ${candidates.at(-1)}`,
    );
  }
  options.credentials.add({
    domain: row.domain,
    value,
    scope: scopeOf(skill, entry, row.domain),
  });
  return { value, domain: row.domain };
}

/**
 * Which credentials a provider's tool needs and which the vault holds,
 * for the capability order.
 *
 * @param skill the provider
 * @param options the tool's connection names (null: all the skill's) and the vault's domains
 * @returns `none` (a connection needs no credential), `present`, or `missing` with the domain to store
 */
export function credentialState(
  skill: SkillEntry,
  options: { connections: string[] | null; domains: Set<string> },
): { state: "none" | "present" | "missing"; domain?: string } {
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
    const found = entry.candidates.find((d) => domains.has(d));
    if (found) return { state: "present", domain: found };
  }
  if (entries.some(({ connection }) => !needsAuth(connection))) {
    return { state: "none" };
  }
  return { state: "missing", domain: entries[0]!.entry.candidates.at(-1) };
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

/** `a=<placeholder>; b=…`: each cookie joins the call's credentials. */
function maskedCookieHeader(
  cookies: Cookie[],
  credentials: CallCredentials,
  scope: CredentialScope,
): string {
  return cookies.map((cookie) => {
    if (cookie.value.length < MIN_MASKED_COOKIE) {
      return `${cookie.name}=${cookie.value}`;
    }
    const view = credentials.add({
      domain: cookie.domain,
      value: { [cookie.name]: cookie.value },
      scope,
    }) as Record<string, string>;
    return `${cookie.name}=${view[cookie.name]}`;
  }).join("; ");
}

function needsAuth(connection: ConnectionInfo): boolean {
  return connection.auth !== null && connection.auth !== undefined &&
    connection.optional !== true;
}

function scopeOf(
  skill: SkillEntry,
  entry: CredentialDomains,
  domain: string,
): CredentialScope {
  return entry.keyedBySkill
    ? { hosts: skill.egress.hosts, domains: skill.egress.domains }
    : { domain };
}
