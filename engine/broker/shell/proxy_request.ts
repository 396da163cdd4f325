/**
 * The head of one request a `--net` program sends its proxy, read and
 * understood strictly: `CONNECT host:port` (a tunnel: what https, git and
 * gh use) or a plain-HTTP request in absolute form (`GET http://host/…`),
 * rewritten to origin form with `Connection: close` so the upstream
 * connection carries one request to the one host that was checked. Anything
 * else is refused before any check or connection.
 *
 * @module
 */
import { invalidParams } from "../../errors.ts";
import { urlHost, urlPort } from "../../grants/mod.ts";

/** Longest request head read (request line and headers). */
export const MAX_PROXY_HEAD_BYTES = 16 * 1024;

/** One understood proxy request. */
export interface ProxyRequest {
  /** `tunnel` (CONNECT) or `forward` (plain HTTP in absolute form). */
  kind: "tunnel" | "forward";
  /** The URL the egress check sees (`https://host:port/` for a tunnel). */
  url: URL;
  /** The host as the checks compare it (lower case, IPv6 without brackets). */
  host: string;
  port: number;
  /** What goes upstream before the rest of the stream (empty for a tunnel). */
  head: Uint8Array;
}

/** Headers a proxy consumes or replaces; never sent upstream. */
const HOP_HEADERS = new Set([
  "host",
  "connection",
  "proxy-connection",
  "keep-alive",
  "proxy-authorization",
  "proxy-authenticate",
]);

const AUTHORITY = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/@[\]?#]+):(\d{1,5})$/;
const METHOD = /^[A-Z]{1,20}$/;

/**
 * Reads a request head (everything before the blank line).
 *
 * @param text the head, without the final empty line
 * @returns the request
 * @throws {RpcError} InvalidParams for anything but CONNECT host:port or an absolute http URL
 */
export function parseProxyHead(text: string): ProxyRequest {
  const [requestLine = "", ...headers] = text.split("\r\n");
  const parts = requestLine.split(" ");
  if (parts.length !== 3 || !/^HTTP\/1\.[01]$/.test(parts[2]!)) {
    throw invalidParams(
      `Not an HTTP/1 proxy request: "${requestLine.slice(0, 100)}"`,
    );
  }
  const [method, target] = parts as [string, string, string];
  if (!METHOD.test(method)) {
    throw invalidParams(`Bad method "${method.slice(0, 20)}"`);
  }
  if (method === "CONNECT") return tunnel(target);
  return forward(method, target, headers);
}

function tunnel(authority: string): ProxyRequest {
  const match = AUTHORITY.exec(authority);
  const port = Number(match?.[2]);
  if (!match || !(port >= 1 && port <= 65535)) {
    throw invalidParams(
      `CONNECT needs host:port, not "${authority.slice(0, 100)}"`,
    );
  }
  const url = new URL(`https://${match[1]}:${port}/`);
  return {
    kind: "tunnel",
    url,
    host: urlHost(url),
    port,
    head: new Uint8Array(),
  };
}

function forward(method: string, target: string, headers: string[]) {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    url = new URL("invalid:");
  }
  if (
    url.protocol !== "http:" || !target.toLowerCase().startsWith("http://") ||
    url.username !== "" || url.password !== "" || url.hostname === ""
  ) {
    throw invalidParams(
      `A proxy request names an absolute http:// URL (https goes through CONNECT), not "${
        target.slice(0, 100)
      }"`,
    );
  }
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`];
  for (const header of headers) {
    const colon = header.indexOf(":");
    if (colon < 1 || /^\s/.test(header) || /[\r\n]/.test(header)) {
      throw invalidParams(`Bad header line "${header.slice(0, 100)}"`);
    }
    const name = header.slice(0, colon).trim().toLowerCase();
    if (!HOP_HEADERS.has(name)) lines.push(header);
  }
  lines.push(`Host: ${url.host}`, "Connection: close", "", "");
  return {
    kind: "forward" as const,
    url,
    host: urlHost(url),
    port: urlPort(url),
    head: new TextEncoder().encode(lines.join("\r\n")),
  };
}
