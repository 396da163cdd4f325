/** The port the bridge listens on unless configured otherwise (docs/bridge.md). */
export const DEFAULT_PORT = 3456;

/** What the bridge reads from its environment. */
export interface BridgeConfig {
  /** The TCP port on 127.0.0.1. */
  port: number;
  /** Origins (`scheme://host[:port]`) allowed to call the API cross-origin. */
  origins: string[];
}

/**
 * Reads the bridge's settings: `AGENTOS_BRIDGE_PORT` (default 3456) and
 * `AGENTOS_BRIDGE_ORIGINS` (comma-separated origins that may call the API
 * from a browser, each still needing the app token).
 *
 * @param env reads one environment variable (a seam for tests)
 * @returns the settings
 * @throws {RangeError} for a port that is not an integer from 1 to 65535
 * @throws {TypeError} for an origin that is not `scheme://host[:port]`
 */
export function readBridgeConfig(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): BridgeConfig {
  return {
    port: parsePort(env("AGENTOS_BRIDGE_PORT")),
    origins: parseOrigins(env("AGENTOS_BRIDGE_ORIGINS") ?? ""),
  };
}

/**
 * Parses a port setting.
 *
 * @param text the setting, or undefined for the default
 * @returns the port
 * @throws {RangeError} when it is not an integer from 1 to 65535
 */
export function parsePort(text: string | undefined): number {
  if (text === undefined || text.trim() === "") return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text.trim()) || port < 1 || port > 65535) {
    throw new RangeError(
      `Invalid bridge port "${text}": use an integer from 1 to 65535`,
    );
  }
  return port;
}

/**
 * Parses and normalises a comma-separated origin list.
 *
 * @param text e.g. `http://localhost:5173, https://app.example`
 * @returns the origins, normalised by the URL parser, without duplicates
 * @throws {TypeError} for `*`, a path, credentials or a non-HTTP scheme
 */
export function parseOrigins(text: string): string[] {
  const origins = new Set<string>();
  for (const item of text.split(",").map((part) => part.trim())) {
    if (item === "") continue;
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      // Reported below.
    }
    if (
      !url || !/^https?:$/.test(url.protocol) || url.pathname !== "/" ||
      url.search !== "" || url.hash !== "" || url.username !== "" ||
      url.password !== "" || /^[a-z]+:\/\/[^/]*\/./i.test(item)
    ) {
      throw new TypeError(
        `Invalid origin "${item}" in AGENTOS_BRIDGE_ORIGINS: write scheme://host[:port], e.g. http://localhost:5173 (no path, no "*")`,
      );
    }
    origins.add(url.origin);
  }
  return [...origins];
}
