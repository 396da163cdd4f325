import { pathOf } from "./paths.ts";
import type { DatabaseSync } from "node:sqlite";
import type { Engine } from "./engine.ts";

const DENO_CONFIG = pathOf(new URL("../deno.json", import.meta.url));
const REPO_ROOT = pathOf(new URL("..", import.meta.url));
const DEFAULT_PORT = 3456;
const MAX_BACKOFF_MS = 30_000;

/**
 * Starts the web bridge beside the engine when the owner asked for it
 * (`agentos prefs set bridge.autostart true`, port from `bridge.port`,
 * default 3456), with exactly the flags of `deno task bridge`, restarts it
 * with backoff if it dies, and stops it at shutdown. The bridge keeps its
 * own narrow permissions: the engine only runs it.
 *
 * @param engine the engine being started
 * @param db the graph database, for the preferences
 */
export function launchBridgeIfWanted(engine: Engine, db: DatabaseSync): void {
  if (readPref(db, "bridge.autostart") !== true) return;
  const port = Number(readPref(db, "bridge.port") ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    engine.log.warn(
      "Not starting the bridge: bridge.port is not a port number",
      { port },
    );
    return;
  }
  if (Deno.build.standalone) {
    engine.log.warn(
      "Not starting the bridge: a compiled engine has no bridge task; run it from a checkout",
    );
    return;
  }
  const bridge = superviseBridge(
    engine,
    bridgeTaskArgs(engine.paths.home, port),
    port,
  );
  engine.addService({
    status: () => ({
      bridge: { url: `http://127.0.0.1:${port}/`, pid: bridge.pid() },
    }),
    close: () => bridge.stop(),
  });
}

/** A preference as `agentos prefs set` stored it, read straight from the settings table. */
function readPref(db: DatabaseSync, key: string): unknown {
  const row = db.prepare("SELECT value FROM settings WHERE key = ?").get(
    `prefs.${key}`,
  ) as
    | { value: string }
    | undefined;
  return row ? JSON.parse(row.value) : undefined;
}

/** The arguments of `deno task bridge`'s last command, after `deno`, with the home and port filled in. */
function bridgeTaskArgs(home: string, port: number): string[] {
  const task: string =
    JSON.parse(Deno.readTextFileSync(DENO_CONFIG)).tasks.bridge;
  return task.split(" && ").at(-1)!
    .replaceAll("$AGENTOS_HOME", home)
    .replaceAll("$AGENTOS_BRIDGE_PORT", String(port))
    .split(/\s+/).filter((word) => word !== "").slice(1); // drop "deno"
}

/** The running bridge: its pid for `engine.status`, and how to stop it for good. */
interface SupervisedBridge {
  pid: () => number | null;
  stop: () => Promise<void>;
}

/** Starts the bridge and starts it again, with backoff, whenever it exits until stopped. */
function superviseBridge(
  engine: Engine,
  args: string[],
  port: number,
): SupervisedBridge {
  let child: Deno.ChildProcess | undefined;
  let stopping = false;
  let backoff = 1000;
  const start = () => {
    if (stopping) return;
    const started = Date.now();
    child = spawnBridge(args, engine.paths.home, port);
    engine.log.info("Bridge started", {
      pid: child.pid,
      url: `http://127.0.0.1:${port}/`,
    });
    child.status.then((status) => {
      if (stopping) return;
      // A bridge that ran a while gets a fresh backoff; one that keeps dying waits longer each time.
      backoff = Date.now() - started > 60_000
        ? 1000
        : Math.min(backoff * 2, MAX_BACKOFF_MS);
      engine.log.warn("Bridge exited; restarting", {
        code: status.code,
        inMs: backoff,
      });
      setTimeout(start, backoff);
    });
  };
  start();
  return {
    pid: () => child?.pid ?? null,
    stop: async () => {
      stopping = true;
      try {
        child?.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child?.status;
    },
  };
}

/** One bridge process, with only its home and port in its environment. */
function spawnBridge(
  args: string[],
  home: string,
  port: number,
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO_ROOT,
    clearEnv: true,
    env: {
      AGENTOS_HOME: home,
      AGENTOS_BRIDGE_PORT: String(port),
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}
