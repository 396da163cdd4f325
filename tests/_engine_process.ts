/**
 * A real engine process on a real socket in a temporary home, for
 * cross-process tests.
 *
 * @module
 */
import { type HomePaths, homePaths } from "../engine/home.ts";
import { RpcClient } from "../engine/rpc/mod.ts";
import { REPO_ROOT, taskCommand, taskEnv } from "./_task_command.ts";
import { within } from "./_wait.ts";

/** How long an engine gets to exit on SIGTERM before it is killed. */
const STOP_MS = 20_000;

/** Options for {@linkcode EngineProcess.start}. */
export interface EngineProcessOptions {
  /** Reuse this home instead of a fresh temporary one. */
  home?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Wait for the socket to answer (default true). */
  waitReady?: boolean;
  /** A command the engine's command line is appended to (e.g. a shell that opens descriptors first). */
  wrap?: string[];
}

/** A running engine started exactly like `deno task engine`. */
export class EngineProcess implements AsyncDisposable {
  /** The home's paths. */
  readonly paths: HomePaths;
  /** The engine's child process. */
  readonly child: Deno.ChildProcess;
  #stderr: Promise<string>;
  #ownsHome: boolean;
  #clients: RpcClient[] = [];

  private constructor(
    paths: HomePaths,
    child: Deno.ChildProcess,
    ownsHome: boolean,
  ) {
    this.paths = paths;
    this.child = child;
    this.#ownsHome = ownsHome;
    this.#stderr = new Response(child.stderr).text();
  }

  /**
   * Starts an engine.
   *
   * @param options home and environment
   * @returns the process, answering on its socket
   */
  static async start(
    options: EngineProcessOptions = {},
  ): Promise<EngineProcess> {
    const home = options.home ??
      await Deno.makeTempDir({ prefix: "agentos-test-" });
    const [program, ...args] = [
      ...options.wrap ?? [],
      ...taskCommand("engine", home),
    ];
    const child = new Deno.Command(program!, {
      args,
      cwd: REPO_ROOT,
      clearEnv: true,
      env: { ...taskEnv(home), ...options.env },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const engine = new EngineProcess(
      homePaths(home),
      child,
      options.home === undefined,
    );
    if (options.waitReady !== false) {
      try {
        await engine.waitReady();
      } catch (error) {
        // Never leave an engine running behind a failed start.
        await engine.kill9();
        if (engine.#ownsHome) {
          await Deno.remove(home, { recursive: true }).catch(() => {});
        }
        throw error;
      }
    }
    return engine;
  }

  /** Resolves once `engine.status` answers; throws if the process exits first. */
  async waitReady(timeoutMs = 20_000): Promise<void> {
    let exited = false;
    this.child.status.then(() => exited = true);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited) {
        throw new Error(`Engine exited during start-up: ${await this.#stderr}`);
      }
      try {
        const client = await RpcClient.connect(this.paths.socket);
        try {
          await client.call("engine.status", {}, { timeoutMs: 2000 });
          return;
        } finally {
          await client.close();
        }
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    throw new Error(
      `Timed out after ${timeoutMs} ms waiting for the engine to answer engine.status`,
    );
  }

  /** A new client; closed automatically on dispose. */
  async client(
    options: Parameters<typeof RpcClient.connect>[1] = {},
  ): Promise<RpcClient> {
    const client = await RpcClient.connect(this.paths.socket, options);
    this.#clients.push(client);
    return client;
  }

  /** Everything the engine wrote to stderr (resolves after it exits). */
  stderr(): Promise<string> {
    return this.#stderr;
  }

  /**
   * Waits for exit and returns the code.
   *
   * @throws {Error} when the engine has not exited within 20 s (it is then
   *   killed, so a test that expected it to stop fails instead of hanging)
   */
  async exitCode(): Promise<number> {
    try {
      return (await within("the engine to exit", this.child.status, {
        timeoutMs: STOP_MS,
      })).code;
    } catch (error) {
      await this.kill9();
      throw error;
    }
  }

  /** Kills with SIGKILL and waits, leaving socket and pid file behind. */
  async kill9(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await this.child.status;
    await this.#stderr;
  }

  /** Closes clients, stops the engine (SIGTERM) and removes its home. */
  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.#clients.map((client) => client.close()));
    try {
      this.child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    // An engine that ignores SIGTERM (a bug under test) must not hang the
    // suite: it is killed, and the test that stopped it fails saying so.
    let stuck = false;
    await within("the engine to exit on SIGTERM", this.child.status, {
      timeoutMs: STOP_MS,
    }).catch(() => stuck = true);
    if (stuck) await this.kill9();
    await this.#stderr;
    if (this.#ownsHome) {
      await Deno.remove(this.paths.home, { recursive: true });
    }
    if (stuck) {
      throw new Error(
        `The engine did not exit within ${STOP_MS} ms of SIGTERM; it was killed`,
      );
    }
  }
}
