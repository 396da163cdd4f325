/**
 * The bridge's entry point (`deno task bridge`): serves the bridge of
 * `$AGENTOS_HOME` on 127.0.0.1:`$AGENTOS_BRIDGE_PORT` until SIGTERM or
 * SIGINT. Exit codes: 0 after a clean stop, 1 when it cannot start.
 *
 * @module
 */
import { resolveHome } from "../engine/mod.ts";
import { readBridgeConfig } from "./bridge_config.ts";
import { serveBridge } from "./serve_bridge.ts";

function say(message: string): void {
  // deno-lint-ignore no-console
  console.error(`agentos bridge: ${message}`);
}

let bridge;
try {
  const paths = resolveHome();
  const config = readBridgeConfig();
  bridge = serveBridge(paths, {
    port: config.port,
    origins: config.origins,
    onListen: ({ hostname, port }) =>
      say(
        `listening on http://${hostname}:${port}/ for ${paths.home} (pid ${Deno.pid})`,
      ),
  });
} catch (error) {
  say(
    error instanceof Deno.errors.AddrInUse
      ? `port ${
        Deno.env.get("AGENTOS_BRIDGE_PORT") ?? ""
      } is in use: stop the other bridge or set AGENTOS_BRIDGE_PORT`
      : (error as Error).message,
  );
  Deno.exit(1);
}
const running = bridge;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, async () => {
    await running.shutdown();
    Deno.exit(0);
  });
}
