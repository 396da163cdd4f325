import { engineLaunch, type HomePaths, RpcClient } from "../engine/mod.ts";

/** Exit code of an engine that found another one holding the lock. */
const EXIT_LOCKED = 3;

/** Options for {@linkcode startEngine}. */
export interface StartEngineOptions {
  /** Give up after this many milliseconds (default 20 000). */
  timeoutMs?: number;
  /** Hears what happens, for the log. */
  onEvent?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Thrown when the engine could not be started; `message` says why and where to look. */
export class EngineStartError extends Error {
  /**
   * @param message what failed and where to look
   * @param options the cause
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EngineStartError";
  }
}

/**
 * Starts the engine in the background exactly like `agentos engine start`
 * (`deno task -q --config <repo>/deno.json engine`, detached, so it outlives
 * the proxy) and waits until its socket answers. Another engine winning the
 * lock race (exit code 3) is fine: the wait goes on for that one, and the
 * start is retried if the lock holder was an engine that is shutting down.
 *
 * @param paths the home
 * @param options timeout and event hook
 * @throws {EngineStartError} when the engine exits with another code or does not answer in time
 */
export async function startEngine(
  paths: HomePaths,
  options: StartEngineOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let exited: number | undefined = -1;
  let spawns = 0;
  while (Date.now() < deadline) {
    if (exited === EXIT_LOCKED || exited === -1) {
      if (spawns > 0) await delay(500);
      exited = undefined;
      const child = spawnEngine();
      spawns++;
      options.onEvent?.("Starting the engine", {
        pid: child.pid,
        attempt: spawns,
      });
      child.status.then((status) => {
        exited = status.code;
        options.onEvent?.("Engine start process exited", {
          pid: child.pid,
          code: status.code,
        });
      });
      child.unref();
    } else if (exited !== undefined) {
      throw new EngineStartError(
        `The engine exited during start-up with code ${exited}; read ${paths.engineLog} or run "agentos engine start --foreground" to see why`,
      );
    }
    await delay(50);
    if (await answers(paths.socket)) return;
  }
  throw new EngineStartError(
    `The engine did not answer within ${
      timeoutMs / 1000
    } s; read ${paths.engineLog}`,
  );
}

function spawnEngine(): Deno.ChildProcess {
  // The checkout's `deno task engine`, or a compiled agentos-engine.
  const launch = engineLaunch();
  try {
    return new Deno.Command(launch.program, {
      args: launch.args,
      stdin: "null",
      // Never stdout: that is the MCP protocol.
      stdout: "null",
      stderr: "null",
      detached: true,
    }).spawn();
  } catch (error) {
    throw new EngineStartError(
      `Cannot start the engine with "${
        [launch.program, ...launch.args].join(" ")
      }": ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Whether an engine answers `engine.status` on the socket.
 *
 * @param socket the socket path
 * @returns true when it answers
 */
export async function answers(socket: string): Promise<boolean> {
  let client: RpcClient | undefined;
  try {
    client = await RpcClient.connect(socket);
    await client.call("engine.status", {}, { timeoutMs: 2000 });
    return true;
  } catch {
    return false;
  } finally {
    await client?.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
