import { isIpLiteral } from "../net/mod.ts";
import type { DeclaredConnection } from "./declared_skill.ts";

/**
 * Public suffixes of more than one label that the registrable-domain
 * guess knows. Not the whole Public Suffix List (which is large and
 * changes): enough for common country second levels and hosting
 * platforms; an explicit `domain=` on the connection overrides the guess.
 */
const MULTI_LABEL_SUFFIXES = new Set([
  "co.uk",
  "org.uk",
  "ac.uk",
  "gov.uk",
  "me.uk",
  "com.au",
  "net.au",
  "org.au",
  "co.nz",
  "co.jp",
  "ne.jp",
  "or.jp",
  "co.kr",
  "co.in",
  "co.za",
  "com.br",
  "com.cn",
  "com.mx",
  "com.tr",
  "com.sg",
  "github.io",
  "gitlab.io",
  "herokuapp.com",
  "vercel.app",
  "netlify.app",
  "pages.dev",
  "workers.dev",
  "appspot.com",
  "azurewebsites.net",
  "cloudfront.net",
  "fly.dev",
  "onrender.com",
]);

/** Where one connection's credential is looked up, most specific first. */
export interface CredentialDomains {
  /** The connection name, or null for a skill without connections. */
  connection: string | null;
  /** Vault domains tried in order. */
  candidates: string[];
  /** True when the credential is keyed by the skill id (no base_url or domain). */
  keyedBySkill: boolean;
}

/**
 * The registrable domain of a host (`api.openai.com` → `openai.com`,
 * `www.bbc.co.uk` → `bbc.co.uk`), guessed with a short built-in suffix
 * list. IP addresses, `localhost` and single labels are their own.
 *
 * @param host a lower-case host
 * @returns the registrable domain
 */
export function registrableDomain(host: string): string {
  if (isIpLiteral(host) || !host.includes(".")) return host;
  const labels = host.split(".");
  const lastTwo = labels.slice(-2).join(".");
  const take = MULTI_LABEL_SUFFIXES.has(lastTwo) ? 3 : 2;
  return labels.slice(-take).join(".");
}

/**
 * Where a connection's credential lives: its explicit `domain=` (or its
 * auth's `domain`); else the
 * host of its `base_url` and each parent up to the registrable domain
 * (`api.openai.com`, then `openai.com`); else the skill id.
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
  let host = "";
  try {
    host = new URL(String(connection?.base_url ?? "")).hostname.toLowerCase()
      .replace(/\.$/, "").replace(/^\[(.*)\]$/, "$1");
  } catch {
    host = "";
  }
  if (host === "") {
    return { connection: name, candidates: [skillId], keyedBySkill: true };
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
 * the skill id when it declares no connection).
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
