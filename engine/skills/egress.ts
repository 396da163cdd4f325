import { ErrorCode, RpcError } from "../errors.ts";
import type { Discovery } from "./skill_discovery.ts";
import type { GrantDefaults, SkillGrants } from "./skill_grants.ts";

/** The hosts one skill declares it reaches (the owner's grants are apart). */
export interface EgressPolicy {
  /** Exact host names: connections' `base_url` hosts, and (with `http`) URL literals. */
  hosts: string[];
  /** Connections' `domain`s: the domain and its subdomains. */
  domains: string[];
  /** The skill declares `open_web` (a page reader); effective only once granted. */
  openWeb: boolean;
}

/** Who asks to connect: a skill, what it declares and what the owner granted. */
export interface EgressSubject {
  /** The skill id (for messages). */
  skillId: string;
  /** Its declared egress set. */
  egress: EgressPolicy;
  /** The owner's grants (none when absent). */
  grants?: Pick<SkillGrants, "hosts" | "openWeb">;
}

/** Why a host was allowed. */
export interface EgressDecision {
  /** `declared host`, `declared domain`, `owner grant` or `open web`. */
  rule: string;
  /** Whether the host may resolve to a private address (the owner named it). */
  privateAllowed: boolean;
}

/** The front-matter need that asks for any host (`capabilities: [open_web]`). */
export const OPEN_WEB = "open_web";

/**
 * Computes a skill's declared egress set from its discovery: the hosts of
 * its connections' `base_url` and `domain`, and, when it declares `http`,
 * the hosts of the absolute URL literals in its source.
 *
 * @param discovery the skill's description
 * @returns the policy
 */
export function egressPolicy(discovery: Discovery): EgressPolicy {
  const hosts = new Set<string>();
  const domains = new Set<string>();
  for (const connection of discovery.connections) {
    const host = hostOf(connection.base_url);
    if (host) hosts.add(host);
    if (typeof connection.domain === "string" && connection.domain !== "") {
      domains.add(connection.domain.toLowerCase().replace(/^\*?\./, ""));
    }
  }
  const needs = declaredNeeds(discovery);
  if (needs.includes("http")) {
    for (const literal of discovery.url_literals) {
      const host = hostOf(literal);
      if (host) hosts.add(host);
    }
  }
  return {
    hosts: [...hosts].sort(),
    domains: [...domains].sort(),
    openWeb: needs.includes(OPEN_WEB),
  };
}

/**
 * What a bundled skill is granted until the owner says otherwise: open web
 * access when it declares it, and the loopback hosts its connections name
 * (the bundled LLM skill talks to Ollama on localhost).
 *
 * @param policy the skill's declared egress set
 * @returns the default grants
 */
export function bundledGrantDefaults(policy: EgressPolicy): GrantDefaults {
  return {
    hosts: policy.hosts.filter((h) =>
      h === "localhost" || h === "127.0.0.1" || h === "::1"
    ),
    openWeb: policy.openWeb,
  };
}

/**
 * The front matter's `capabilities` list.
 *
 * @param discovery the skill's description
 * @returns the declared needs (`http`, `secrets`, `sql`, `open_web`…)
 */
export function declaredNeeds(discovery: Discovery): string[] {
  const needs = discovery.front_matter.capabilities;
  return Array.isArray(needs)
    ? needs.filter((n): n is string => typeof n === "string")
    : [];
}

/**
 * The one host check: may this skill send a request to this URL? (The URL
 * as the skill named it, before any origin mapping.) The address check
 * after DNS resolution follows in the broker.
 *
 * @param subject the skill, its egress set and grants
 * @param url the requested URL
 * @returns which rule allowed it
 * @throws {RpcError} Forbidden naming the host and the command that allows it
 */
export function checkEgress(subject: EgressSubject, url: URL): EgressDecision {
  const { skillId, egress: policy } = subject;
  const grants = subject.grants ?? { hosts: [], openWeb: false };
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skillId}" may not fetch "${url.protocol}" URLs: only http and https`,
      { check: "scheme" },
    );
  }
  const host = urlHost(url);
  if (grants.hosts.includes(host)) {
    return { rule: "owner grant", privateAllowed: true };
  }
  if (policy.hosts.includes(host)) {
    return { rule: "declared host", privateAllowed: false };
  }
  if (policy.domains.some((d) => host === d || host.endsWith(`.${d}`))) {
    return { rule: "declared domain", privateAllowed: false };
  }
  if (policy.openWeb && grants.openWeb) {
    return { rule: "open web", privateAllowed: false };
  }
  const how = policy.openWeb
    ? `The skill declares open_web, but the owner has not granted it. To let it reach any public host run: agentos skills allow ${skillId} --open-web; or only this host: agentos skills allow ${skillId} ${host}`
    : `To allow it run: agentos skills allow ${skillId} ${host}`;
  throw new RpcError(
    ErrorCode.Forbidden,
    `Skill "${skillId}" may not reach host "${host}": it is not in the skill's egress set (its connections' base_url and domain, the URLs written in its source, and hosts the owner granted). ${how}`,
    { host, check: "egress" },
  );
}

/**
 * A URL's host as the checks compare it: lower case, no trailing dot,
 * IPv6 without brackets.
 *
 * @param url the URL
 * @returns the host
 */
export function urlHost(url: URL): string {
  return url.hostname.toLowerCase().replace(/\.$/, "").replace(
    /^\[(.*)\]$/,
    "$1",
  );
}

function hostOf(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  try {
    return urlHost(new URL(text)) || undefined;
  } catch {
    return undefined;
  }
}
