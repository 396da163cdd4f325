import { ErrorCode, RpcError } from "../errors.ts";
import type { DeclaredSkill } from "./declared_skill.ts";
import { grantRefusal } from "./grant_need.ts";
import type { GrantDefaults, SkillGrants } from "./skill_grants.ts";
import {
  matchGrant,
  portsFor,
  privateByName,
  urlPort,
  withPort,
} from "./host_grant.ts";

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
export function egressPolicy(discovery: DeclaredSkill): EgressPolicy {
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
 * access when it declares it, and each loopback host its connections name
 * with that connection's port (the bundled LLM skill talks to Ollama on
 * `localhost:11434`), never the whole machine.
 *
 * @param discovery the skill's description
 * @returns the default grants
 */
export function bundledGrantDefaults(discovery: DeclaredSkill): GrantDefaults {
  const hosts = new Set<string>();
  const urls = discovery.connections.map((c) => c.base_url);
  for (const url of urls) {
    const host = hostOf(url);
    if (!host || !privateByName(host)) continue;
    for (const port of portsFor([url], host)) hosts.add(withPort(host, port));
  }
  return {
    hosts: [...hosts].sort(),
    openWeb: egressPolicy(discovery).openWeb,
  };
}

/**
 * The front matter's `capabilities` list.
 *
 * @param discovery the skill's description
 * @returns the declared needs (`http`, `secrets`, `sql`, `open_web`…)
 */
export function declaredNeeds(discovery: DeclaredSkill): string[] {
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
  const granted = matchGrant(grants.hosts, host, urlPort(url));
  if (granted) {
    return { rule: "owner grant", privateAllowed: granted === "host and port" };
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
    ? `The skill declares open_web, but the owner has not granted it. To let it reach any public host run: agentos skills allow ${skillId} --open-web; or only this host: agentos skills allow ${skillId} ${
      grantSuggestion(url)
    }`
    : `To allow it run: agentos skills allow ${skillId} ${
      grantSuggestion(url)
    }`;
  throw grantRefusal(
    `Skill "${skillId}" may not reach host "${host}": it is not in the skill's egress set (its connections' base_url and domain, the URLs written in its source, and hosts the owner granted). ${how}`,
    { host, check: "egress" },
    { kind: "host", skill: skillId, host: grantSuggestion(url) },
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

/**
 * What `agentos skills allow` needs to name for a URL: the host, with its
 * port when the host is private by name (see `host_grant.ts`).
 *
 * @param url the URL
 * @returns `host` or `host:port`
 */
export function grantSuggestion(url: URL): string {
  const host = urlHost(url);
  return privateByName(host) ? withPort(host, urlPort(url)) : host;
}

function hostOf(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  try {
    return urlHost(new URL(text)) || undefined;
  } catch {
    return undefined;
  }
}
