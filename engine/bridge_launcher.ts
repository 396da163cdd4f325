import { pathOf } from "./paths.ts";
import type { DatabaseSync } from "node:sqlite";
import type { Engine } from "./engine.ts";
import { ErrorCode, RpcError } from "./errors.ts";

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
  startBridge(engine, port);
}

/** The bridges this module started, by engine: their base URL. */
const started = new WeakMap<Engine, string>();

/** Supervises a bridge on `port` for the engine's life. */
function startBridge(engine: Engine, port: number): void {
  const url = `http://127.0.0.1:${port}/`;
  started.set(engine, url);
  const bridge = superviseBridge(
    engine,
    bridgeTaskArgs(engine.paths.home, port),
    port,
  );
  engine.addService({
    status: () => ({ bridge: { url, pid: bridge.pid() } }),
    close: () => bridge.stop(),
  });
}

/**
 * The bridge's base URL for a credential link (`bridge.port`, default
 * 3456), starting a bridge beside the engine when nothing listens there.
 *
 * @param engine the running engine
 * @param db the graph database, for the preferences
 * @returns e.g. `http://127.0.0.1:3456/`
 * @throws {RpcError} Unavailable when no bridge can run
 */
export async function ensureBridge(
  engine: Engine,
  db: DatabaseSync,
): Promise<string> {
  const port = Number(readPref(db, "bridge.port") ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RpcError(
      ErrorCode.Conflict,
      "bridge.port is not a port number; fix it with: agentos prefs set bridge.port 3456",
    );
  }
  const url = `http://127.0.0.1:${port}/`;
  if (started.get(engine) === url || await listens(port)) return url;
  if (Deno.build.standalone) {
    throw new RpcError(
      ErrorCode.Conflict,
      "No bridge runs and a compiled engine cannot start one; start it with: agentos bridge start",
    );
  }
  startBridge(engine, port);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await listens(port)) return url;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new RpcError(
    ErrorCode.Conflict,
    `The bridge did not start on port ${port}; read logs/engine.log`,
  );
}

/** Whether something accepts connections on 127.0.0.1:port. */
async function listens(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
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
