import { ErrorCode, RpcError } from "../rpc/mod.ts";
import type { Discovery } from "./skill_discovery.ts";

/** The hosts one skill may reach through the HTTP broker. */
export interface EgressPolicy {
  /** Exact host names: connections' `base_url` hosts and URL literals. */
  hosts: string[];
  /** Connections' `domain`s: the domain and its subdomains. */
  domains: string[];
  /** The skill declares `open_web` (a page reader): any host. */
  openWeb: boolean;
}

/** Who asks to connect: a skill and its egress set. */
export interface EgressSubject {
  /** The skill id (for messages). */
  skillId: string;
  /** Its egress set. */
  egress: EgressPolicy;
}

/** The front-matter need that asks for any host (`capabilities: [open_web]`). */
export const OPEN_WEB = "open_web";

/**
 * Computes a skill's egress set from its discovery: the hosts of its
 * connections' `base_url` and `domain`, and of the absolute URL literals
 * in its source.
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
  for (const literal of discovery.url_literals) {
    const host = hostOf(literal);
    if (host) hosts.add(host);
  }
  const needs = discovery.front_matter.capabilities;
  return {
    hosts: [...hosts].sort(),
    domains: [...domains].sort(),
    openWeb: Array.isArray(needs) && needs.includes(OPEN_WEB),
  };
}

/**
 * The one egress check: may this skill send a request to this URL? (The
 * URL as the skill named it, before any origin mapping.) Issue #5 grows it:
 * owner grants, and private-address checks after DNS resolution.
 *
 * @param subject the skill and its egress set
 * @param url the requested URL
 * @throws {RpcError} Forbidden naming the host and how to allow it
 */
export function checkEgress(subject: EgressSubject, url: URL): void {
  const { skillId, egress: policy } = subject;
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skillId}" may not fetch "${url.protocol}" URLs: only http and https`,
    );
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (policy.openWeb) return;
  if (policy.hosts.includes(host)) return;
  if (policy.domains.some((d) => host === d || host.endsWith(`.${d}`))) return;
  throw new RpcError(
    ErrorCode.Forbidden,
    `Skill "${skillId}" may not reach host "${host}": it is not in the skill's egress set (its connections' base_url and domain, and the URLs written in its source). Declare a connection for it in the skill`,
    { host, egress: policy },
  );
}

function hostOf(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const url = new URL(text);
    return url.hostname.toLowerCase().replace(/\.$/, "") || undefined;
  } catch {
    return undefined;
  }
}
