/**
 * Loading a call's credentials: for each of the skill's connections, the
 * vault row that serves it, read and bound to the call — a cookie
 * session's cookies as a masked `Cookie` header, any other value as
 * placeholders (or real values for a skill granted them) — with the
 * bindings auth templates and the cookie jar use.
 *
 * @module
 */
import { CallCredentials, type CredentialValue } from "./call_credentials.ts";
import type { CredentialScope } from "./credential_scope.ts";
import { skillCredentialDomains } from "../../grants/mod.ts";
import type { ConnectionInfo, SkillEntry } from "../../skills/mod.ts";
import { sendableParts } from "./template_parts.ts";
import {
  type Cookie,
  cookiesFromRow,
  isCookieAuth,
  MIN_MASKED_COOKIE,
} from "./stored_cookies.ts";
import {
  type CredentialSource,
  findCredential,
  fitsConnection,
  ownRow,
  scopeOf,
  skillLabel,
  usableBy,
} from "./skill_credentials.ts";

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
  /** `params["auth"]` of a skill without connections (its own row). */
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

/**
 * Loads the credentials of a skill's connections for one call: each
 * connection's credential (see `credentialDomains`) as placeholders, or
 * real values for a skill the owner granted them (`skills allow --secrets`).
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
  // The owner's grant is the rule: declaring `secrets` alone gives nothing.
  const real = options.realValues === true;
  const credentials = new CallCredentials(!real);
  const loaded: LoadedCredentials = {
    credentials,
    bindings: [],
    connectionsAuth: {},
  };
  if (!vault) return loaded;
  const rows = vault.list().filter((row) =>
    usableBy(row, skill.id) && !options.skip?.(row)
  );
  for (
    const entry of skillCredentialDomains(skill.id, skill.discovery.connections)
  ) {
    const declared = skill.discovery.connections.find((c) =>
      c.name === entry.connection
    );
    if (entry.keyedBySkill) {
      // Its own row, from the skill namespace only; never a cookie session
      // (cookies belong to a site, and this credential has none).
      if (declared && isCookieAuth(declared)) continue;
      const found = await ownCredential(skill, vault, options.skip);
      if (found) bindValue(loaded, entry.connection, undefined, found);
      continue;
    }
    const row = findCredential(
      rows.filter((r) => fitsConnection(r, declared)),
      entry.candidates,
    );
    if (!row) continue;
    const stored = await vault.read(row.domain, row.identifier);
    if (stored === undefined) continue;
    const fields = fieldsOf(stored);
    const found = { row, fields, scope: scopeOf(skill, entry, row.domain) };
    if (declared && isCookieAuth(declared)) {
      bindCookieSession(loaded, declared, found);
    } else bindValue(loaded, entry.connection, declared, found);
  }
  return loaded;
}

/**
 * A single stored value reads as {key: value}: what skills expect of
 * params["auth"] (`params["auth"]["key"]`).
 */
function fieldsOf(stored: CredentialValue): Record<string, string> {
  return typeof stored === "string" ? { key: stored } : stored;
}

/**
 * The skill's own credential (the vault's skill namespace), scoped to the
 * hosts the skill declares. It is named `skill <id>` in the call's
 * credentials and binds no auth template (a template reaches only a
 * connection's own origin or domain, and this one has neither).
 */
async function ownCredential(
  skill: SkillEntry,
  vault: CredentialSource,
  skip: LoadOptions["skip"],
): Promise<FoundCredential | undefined> {
  const label = skillLabel(skill.id);
  const row = ownRow(vault, skill.id, {
    skip: (r) => skip?.({ ...r, domain: label }) ?? false,
  });
  if (!row) return undefined;
  const stored = await vault.readForSkill(skill.id, row.identifier);
  if (stored === undefined) return undefined;
  return {
    row: { domain: label, identifier: row.identifier },
    fields: fieldsOf(stored),
    scope: { hosts: skill.egress.hosts, domains: skill.egress.domains },
  };
}

/** A vault row read for one connection. */
interface FoundCredential {
  row: { domain: string; identifier: string };
  /** The real fields. */
  fields: Record<string, string>;
  scope: CredentialScope;
}

/** A cookie session: its cookies seed the jar; the skill sees a masked `Cookie` header. */
function bindCookieSession(
  loaded: LoadedCredentials,
  connection: ConnectionInfo,
  found: FoundCredential,
): void {
  const { row, fields, scope } = found;
  const cookies = cookiesFromRow(fields, row.domain);
  const view = {
    cookies: maskedCookieHeader(cookies, loaded.credentials, scope),
  };
  loaded.connectionsAuth[connection.name] = view;
  loaded.bindings.push({
    connection,
    domain: row.domain,
    identifier: row.identifier,
    fields,
    view,
    cookies,
  });
}

/**
 * Any other credential joins the call's credentials; the skill sees its
 * view as the connection's `params["auth"]` (the skill's own when it has
 * no connections).
 */
function bindValue(
  loaded: LoadedCredentials,
  name: string | null,
  connection: ConnectionInfo | undefined,
  found: FoundCredential,
): void {
  const { row, fields, scope } = found;
  const view = loaded.credentials.add({
    domain: row.domain,
    value: fields,
    scope,
  }) as Record<string, string>;
  // A template may send one part of a field: the guard knows each part too.
  for (const part of Object.values(fields).flatMap(sendableParts)) {
    loaded.credentials.add({ domain: row.domain, value: part, scope });
  }
  if (name === null) {
    loaded.skillAuth = view;
    return;
  }
  loaded.connectionsAuth[name] = view;
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
