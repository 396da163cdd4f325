import { invalidParams } from "../errors.ts";
import { addressKind, isIpLiteral } from "../net/mod.ts";
import type { DeclaredSkill } from "./declared_skill.ts";

const HOST =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,62}[a-z0-9_])?)*$/;

/** How a grant matched a URL: its host and port, or its host only. */
export type GrantMatch = "host and port" | "host";

/** Options for {@linkcode grantHost}. */
export interface GrantHostOptions {
  /** The skill (for the command a refusal shows). */
  skillId?: string;
  /** Ports the skill's own URLs name for this host (offered in a refusal). */
  declaredPorts?: (host: string) => number[];
  /** Taking a grant back: a private host without a port is accepted (grants made before ports). */
  removing?: boolean;
}

/**
 * Normalises a grant the owner names: a host, optionally with a port
 * (`api.example.com`, `localhost:11434`, `[::1]:8080`): lower case, no
 * trailing dot. A host that is private by its name alone (`localhost`,
 * `*.localhost`, a private or loopback IP) must name its port: a grant
 * of every port of this machine would include the bridge and every other
 * local service.
 *
 * @param value the `host` parameter
 * @param options the skill, and the ports its own URLs name (for the message)
 * @returns the grant: `host` or `host:port` (IPv6 in brackets when a port follows)
 * @throws {RpcError} InvalidParams for a URL, a wildcard, a bad port, or a private host without a port
 */
export function grantHost(
  value: unknown,
  options: GrantHostOptions = {},
): string {
  const text = typeof value === "string" ? value.trim().toLowerCase() : "";
  const parsed = splitPort(text);
  const host = parsed && canonical(parsed.host.replace(/\.$/, ""));
  if (!parsed || !host || (!HOST.test(host) && !isIpLiteral(host))) {
    throw invalidParams(
      `"host" must be a host name or IP address, optionally with a port, such as "api.example.com" or "localhost:11434" (no scheme, path or wildcard), got ${
        JSON.stringify(value)?.slice(0, 100)
      }`,
    );
  }
  if (parsed.port === undefined && privateByName(host) && !options.removing) {
    const skill = options.skillId ?? "<skill>";
    const ports = options.declaredPorts?.(host) ?? [];
    const commands = (ports.length > 0 ? ports : ["<port>"]).map((port) =>
      `agentos skills allow ${skill} ${withPort(host, port)}`
    );
    throw invalidParams(
      `"${host}" is on this machine or your network: a grant names its port too, so it does not open every local service (the bridge included). Run: ${
        commands.join(" or ")
      }`,
    );
  }
  return parsed.port === undefined ? host : withPort(host, parsed.port);
}

/**
 * {@linkcode grantHost} for one skill: a refusal offers the ports its own
 * URLs (connections' `base_url`, URL literals) name for the host.
 *
 * @param skill the skill's id and description
 * @param value the `host` parameter
 * @param removing true for `disallow`
 * @returns the grant
 * @throws {RpcError} InvalidParams as {@linkcode grantHost} does
 */
export function grantHostFor(
  skill: { id: string; discovery: DeclaredSkill },
  value: unknown,
  removing: boolean,
): string {
  const urls = [
    ...skill.discovery.connections.map((c) => c.base_url),
    ...skill.discovery.url_literals,
  ];
  return grantHost(value, {
    skillId: skill.id,
    declaredPorts: (host) => portsFor(urls, host),
    removing,
  });
}

/**
 * Whether a list of grants covers a URL's host and port.
 *
 * @param grants the owner's grants (`host` or `host:port`)
 * @param host the URL's host as the checks compare it (IPv6 without brackets)
 * @param port the URL's port, the scheme's default when it names none
 * @returns `host and port` (a private address is allowed), `host` (public addresses only), or undefined
 */
export function matchGrant(
  grants: readonly string[],
  host: string,
  port: number,
): GrantMatch | undefined {
  if (grants.includes(withPort(host, port))) return "host and port";
  if (grants.includes(host) && !privateByName(host)) return "host";
  return undefined;
}

/**
 * The grant that would allow a host: with its port for a private or
 * unknown-address host, so a refusal shows the exact command.
 *
 * @param host the host
 * @param port its port
 * @returns `host:port`
 */
export function withPort(host: string, port: number | string): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * A URL's port, or its scheme's default.
 *
 * @param url the URL
 * @returns the port number
 */
export function urlPort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/**
 * Whether a host is private by its name alone: `localhost`, `*.localhost`,
 * or an IP literal that is not public.
 *
 * @param host a lower-case host
 * @returns true when no public address can be behind it
 */
export function privateByName(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  return isIpLiteral(host) && addressKind(host) !== "public";
}

/**
 * Ports the given URLs name for a host (their scheme's default when none).
 *
 * @param urls URLs (base_url values, literals); unparsable ones are skipped
 * @param host the host
 * @returns the distinct ports, sorted
 */
export function portsFor(urls: unknown[], host: string): number[] {
  const ports = new Set<number>();
  for (const text of urls) {
    if (typeof text !== "string") continue;
    try {
      const url = new URL(text);
      const name = url.hostname.toLowerCase().replace(/\.$/, "").replace(
        /^\[(.*)\]$/,
        "$1",
      );
      if (name === host) ports.add(urlPort(url));
    } catch {
      // Not a URL.
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * The host as a URL would name it (`127.1` and `2130706433` are
 * 127.0.0.1, IDN names become punycode), so a grant compares with what
 * the egress check sees; undefined when no URL could name it.
 */
function canonical(host: string): string | undefined {
  if (host === "") return undefined;
  try {
    return new URL(`http://${host.includes(":") ? `[${host}]` : host}/`)
      .hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    return undefined;
  }
}

function splitPort(
  text: string,
): { host: string; port?: number } | undefined {
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return withValidPort(bracketed[1]!, bracketed[2]);
  // A bare IPv6 literal has no port.
  if (text.split(":").length > 2) return { host: text };
  const [host, port] = text.split(":");
  if (port === undefined) return { host: host! };
  if (!/^\d{1,5}$/.test(port)) return undefined;
  return withValidPort(host!, port);
}

function withValidPort(
  host: string,
  port: string | undefined,
): { host: string; port?: number } | undefined {
  if (port === undefined) return { host };
  const n = Number(port);
  return n >= 1 && n <= 65535 ? { host, port: n } : undefined;
}
