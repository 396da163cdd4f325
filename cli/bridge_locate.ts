/**
 * Where the bridge is, for `bridge open`, `engine status` and `doctor`: the
 * port the engine's supervised bridge was started on, else
 * `AGENTOS_BRIDGE_PORT`, else the `bridge.port` preference, else 3456; and
 * whether the AgentOS bridge really answers there.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type { HomePaths } from "../engine/mod.ts";

/** The bridge's default port (docs/bridge.md). */
export const BRIDGE_PORT = 3456;
const PROBE_MS = 2_000;

/** The port the bridge should be on, and what said so. */
export interface BridgePort {
  port: number;
  source: "engine" | "AGENTOS_BRIDGE_PORT" | "bridge.port" | "default";
}

/** What listens on the port. */
export type BridgeProbe =
  | { kind: "bridge" }
  | { kind: "free" }
  | { kind: "other"; what: string };

/**
 * The bridge's port.
 *
 * @param paths the home (its database holds the `bridge.port` preference)
 * @param status the running engine's status, if any
 * @throws {RangeError} when `AGENTOS_BRIDGE_PORT` is not a port number
 */
export function bridgePort(
  paths: HomePaths,
  status?: Record<string, unknown>,
): BridgePort {
  const supervised = (status?.bridge as { url?: string } | undefined)?.url;
  if (supervised) {
    return { port: Number(new URL(supervised).port), source: "engine" };
  }
  const env = Deno.permissions.querySync({
      name: "env",
      variable: "AGENTOS_BRIDGE_PORT",
    }).state === "granted"
    ? Deno.env.get("AGENTOS_BRIDGE_PORT")
    : undefined;
  if (env) {
    const port = Number(env);
    if (!/^\d{1,5}$/.test(env) || port < 1 || port > 65535) {
      throw new RangeError(
        `AGENTOS_BRIDGE_PORT is "${env}", not a port number`,
      );
    }
    return { port, source: "AGENTOS_BRIDGE_PORT" };
  }
  const pref = preferredPort(paths);
  return pref === undefined
    ? { port: BRIDGE_PORT, source: "default" }
    : { port: pref, source: "bridge.port" };
}

function preferredPort(paths: HomePaths): number | undefined {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(paths.database, { readOnly: true });
    const row = db.prepare(
      "SELECT value FROM settings WHERE key = 'prefs.bridge.port'",
    ).get() as { value: string } | undefined;
    const port = row ? JSON.parse(row.value) : undefined;
    return Number.isInteger(port) && port >= 1 && port <= 65535
      ? port
      : undefined;
  } catch {
    return undefined; // No database yet: the default.
  } finally {
    db?.close();
  }
}

/**
 * What answers on 127.0.0.1:port. Only a connection: binding the port, even
 * for a moment, could make a bridge starting right now fail.
 *
 * @param port the port
 */
export async function probeBridge(port: number): Promise<BridgeProbe> {
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${port}/sdk.js`, {
      signal: AbortSignal.timeout(PROBE_MS),
    });
    await response.body?.cancel();
  } catch (error) {
    if (
      error instanceof TypeError &&
      /refused/i.test(String(error.cause ?? error.message))
    ) {
      return { kind: "free" };
    }
    const reason = error instanceof DOMException
      ? "does not answer HTTP"
      : (error as Error).message;
    return { kind: "other", what: `a program that ${reason}` };
  }
  if (response.headers.get("x-typescript-types") === "./sdk.d.ts") {
    return { kind: "bridge" };
  }
  return {
    kind: "other",
    what: `a program that is not the bridge (GET /sdk.js: ${response.status})`,
  };
}

/** How to get a bridge running on a port. */
export function howToStartBridge(port: number): string {
  return `start it with the engine: agentos prefs set bridge.autostart true (and bridge.port ${port}), then agentos engine stop && agentos engine start; or run one now from the checkout: AGENTOS_BRIDGE_PORT=${port} deno task bridge`;
}
