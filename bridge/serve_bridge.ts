import { type HomePaths } from "../engine/mod.ts";
import { createBridgeApp } from "./app.ts";
import { AppToken, TOKEN_FILE } from "./app_token.ts";
import type { BridgeLimits } from "./bridge_limits.ts";
import { EngineLink } from "./engine_link.ts";
import { GraphReader } from "./graph_reader.ts";

/** Options for {@linkcode serveBridge}. */
export interface ServeBridgeOptions {
  /** The TCP port on 127.0.0.1. */
  port: number;
  /** Origins allowed to call the API from a browser. */
  origins?: readonly string[];
  /** Overrides of the default limits. */
  limits?: Partial<BridgeLimits>;
  /** Called once listening, with the bound address. */
  onListen?: (address: Deno.NetAddr) => void;
}

/** A running bridge. */
export interface RunningBridge extends AsyncDisposable {
  /** The bound address. */
  address: Deno.NetAddr;
  /** Ends open streams, stops accepting, closes the database and engine connections. */
  shutdown(): Promise<void>;
}

/**
 * Serves the bridge of a home on 127.0.0.1 (never another interface).
 *
 * @param paths the home's paths
 * @param options port, origins and limits
 * @returns the running bridge
 * @throws {Deno.errors.AddrInUse} when the port is taken
 */
export function serveBridge(
  paths: HomePaths,
  options: ServeBridgeOptions,
): RunningBridge {
  const token = AppToken.open(`${paths.home}/${TOKEN_FILE}`);
  const reader = new GraphReader(paths.database);
  const engine = new EngineLink(paths.socket);
  const app = createBridgeApp({
    reader,
    engine,
    token,
    origins: options.origins,
    limits: options.limits,
  });
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port,
    onListen: (address) => options.onListen?.(address),
  }, app.fetch);
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      // SSE responses never finish on their own: ending their engine
      // connections ends them, so the server can drain.
      await engine.close();
      await server.shutdown();
      await engine.close();
      reader.close();
    })();
  return { address: server.addr, shutdown, [Symbol.asyncDispose]: shutdown };
}
