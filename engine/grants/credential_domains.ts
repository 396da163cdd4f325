import { getDomain } from "tldts";
import { isIpLiteral } from "../net/mod.ts";
import type { DeclaredConnection } from "./declared_skill.ts";

/**
 * The Public Suffix List as the `tldts` package ships it, private section
 * included (`github.io`, `herokuapp.com`, `blogspot.com`): there unrelated
 * owners share a parent, so a credential, a vault write or a cookie must
 * stop below it exactly as at `co.uk`.
 */
const PSL = { allowPrivateDomains: true } as const;

/** Where one connection's credential is looked up, most specific first. */
export interface CredentialDomains {
  /** The connection name, or null for a skill without connections. */
  connection: string | null;
  /** Vault domains tried in order; none for a credential keyed by the skill. */
  candidates: string[];
  /**
   * True when the credential is the skill's own (no base_url or domain):
   * it lives in the vault's skill namespace under the skill id, never
   * among the domains, whatever the id looks like (`localhost`, `nas`).
   */
  keyedBySkill: boolean;
  /** The skill whose own row serves it (only when keyed by the skill). */
  skill?: string;
}

/**
 * The registrable domain of a host (`api.openai.com` → `openai.com`,
 * `www.bbc.co.uk` → `bbc.co.uk`, `alice.github.io` stays), by the Public
 * Suffix List. IP addresses, `localhost` and names the list has no
 * registrable domain for (a single label, a public suffix) are their own.
 *
 * @param host a lower-case host
 * @returns the registrable domain
 */
export function registrableDomain(host: string): string {
  if (ownDomain(host)) return host;
  return getDomain(host, PSL) ?? host;
}

/**
 * Whether a name is a public suffix or lies above every registrable domain
 * (`test`, `com`, `co.uk`, `github.io`, a malformed name): nothing a skill
 * may file a credential or set a cookie under. IP addresses and
 * `localhost` are not.
 *
 * @param domain a lower-case name without a trailing dot
 * @returns true when no one owner holds the name
 */
export function isPublicSuffix(domain: string): boolean {
  if (ownDomain(domain)) return false;
  return getDomain(domain, PSL) === null;
}

/** IP addresses and `localhost` are registrable domains of their own. */
function ownDomain(host: string): boolean {
  return isIpLiteral(host) || host === "localhost";
}

/**
 * Where a connection's credential lives: its explicit `domain=` (or its
 * auth's `domain`); else the
 * host of its `base_url` and each parent up to the registrable domain
 * (`api.openai.com`, then `openai.com`); else the skill's own row (the
 * vault's skill namespace), and then no domain at all: a skill id is never
 * a domain candidate, or a skill named `localhost` would be handed the key
 * the owner stored for a local server.
 *
 * @param skillId the skill
 * @param connection the connection, or undefined for a skill without one
 * @returns the candidates
 */
export function credentialDomains(
  skillId: string,
  connection:
    | Pick<DeclaredConnection, "name" | "base_url" | "domain"> & {
      auth?: unknown;
    }
    | undefined,
): CredentialDomains {
  const name = connection?.name ?? null;
  // A cookie session names its domain inside auth (`auth={"domain": ".x.com"}`).
  const auth = connection?.auth as { domain?: unknown } | null | undefined;
  const declared = connection?.domain ??
    (typeof auth?.domain === "string" ? auth.domain : null);
  const domain = typeof declared === "string"
    ? declared.toLowerCase().replace(/^\*?\./, "").replace(/\.$/, "")
    : "";
  if (domain !== "") {
    return { connection: name, candidates: [domain], keyedBySkill: false };
  }
  // URL.parse, not a caught `new URL`: a skill without a base_url is the
  // common case, and every call of one threw (0.1 ms in the engine).
  const host = (URL.parse(String(connection?.base_url ?? ""))?.hostname ?? "")
    .toLowerCase().replace(/\.$/, "").replace(/^\[(.*)\]$/, "$1");
  if (host === "") {
    return {
      connection: name,
      candidates: [],
      keyedBySkill: true,
      skill: skillId,
    };
  }
  const top = registrableDomain(host);
  const candidates = [host];
  let current = host;
  while (current !== top && current.includes(".")) {
    current = current.slice(current.indexOf(".") + 1);
    candidates.push(current);
  }
  return { connection: name, candidates, keyedBySkill: false };
}

/**
 * Every connection's credential domains for a skill (one entry keyed by
 * the skill when it declares no connection).
 *
 * @param skillId the skill
 * @param connections its declared connections
 * @returns one entry per connection
 */
export function skillCredentialDomains(
  skillId: string,
  connections: (Pick<DeclaredConnection, "name" | "base_url" | "domain"> & {
    auth?: unknown;
  })[],
): CredentialDomains[] {
  if (connections.length === 0) return [credentialDomains(skillId, undefined)];
  return connections.map((c) => credentialDomains(skillId, c));
}

/**
 * Whether a host is inside a credential's domain (the domain or a
 * subdomain).
 *
 * @param host a lower-case host
 * @param domain the credential's domain
 * @returns true when the credential may be sent there
 */
export function inDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}
