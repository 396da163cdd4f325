/**
 * Shared pieces of the bridge tests: a real engine with a seeded
 * graph and a bridge app over it, the real bridge process, and a reader of
 * Server-Sent Events.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type { HomePaths } from "../engine/home.ts";
import type { RpcClient } from "../engine/rpc/mod.ts";
import {
  AppToken,
  type BridgeLimits,
  createBridgeApp,
  EngineLink,
  GraphReader,
  TOKEN_FILE,
} from "../bridge/mod.ts";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT, taskCommand, taskEnv } from "./_task_command.ts";
import { within } from "./_wait.ts";

/** The `Host` a browser sends to the default bridge. */
export const HOST = "127.0.0.1:3456";

/** Ids of the seeded records. */
export interface Seed {
  ada: string;
  task: string;
  edge: string;
}

/** Options for {@linkcode bridgeFixture}. */
export interface FixtureOptions {
  /** Origins allowed cross-origin. */
  origins?: string[];
  /** Limit overrides. */
  limits?: Partial<BridgeLimits>;
  /** Use this engine socket instead of the real engine's (a stub server). */
  socket?: string;
}

/** A real engine on a temporary home, a seeded graph, and the bridge app over it. */
export interface BridgeFixture extends AsyncDisposable {
  paths: HomePaths;
  engine: EngineProcess;
  client: RpcClient;
  reader: GraphReader;
  link: EngineLink;
  token: string;
  seed: Seed;
  app: ReturnType<typeof createBridgeApp>;
  /** `app.request` with a loopback `Host` and the app token unless given. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** `app.request` with a loopback `Host` unless given, and no token. */
  anonymous(path: string, init?: RequestInit): Promise<Response>;
  /** Messages the bridge logged. */
  logged: string[];
}

/**
 * Starts the fixture: engine, seed (a person marked `isSelf`, a task
 * assigned to her, preference settings), token file, reader and app.
 *
 * @param options origins, limits, a stub engine socket
 * @returns the fixture; dispose it
 */
export async function bridgeFixture(
  options: FixtureOptions = {},
): Promise<BridgeFixture> {
  // A real engine process (no spare workers: these tests run no skill),
  // so the bridge is tested against exactly what it talks to in use.
  const engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  try {
    return await overEngine(engine, options);
  } catch (error) {
    // Never leave the engine running behind a failed set-up.
    await engine[Symbol.asyncDispose]();
    throw error;
  }
}

async function overEngine(
  engine: EngineProcess,
  options: FixtureOptions,
): Promise<BridgeFixture> {
  const paths = engine.paths;
  const home = paths.home;
  const client = await engine.client();
  const seed = await seedGraph(client);
  writeSettings(paths.database, {
    "prefs.theme": '"dark"',
    "prefs.llm.provider": '"local"',
    "vault.probe": "x",
  });
  const tokenHolder = AppToken.open(`${home}/${TOKEN_FILE}`);
  const token = Deno.readTextFileSync(`${home}/${TOKEN_FILE}`).trim();
  const reader = new GraphReader(paths.database);
  const link = new EngineLink(options.socket ?? paths.socket);
  const logged: string[] = [];
  const anonymous = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has("host")) headers.set("host", HOST);
    return Promise.resolve(app.request(path, { ...init, headers }));
  };
  const app = createBridgeApp({
    reader,
    engine: link,
    token: tokenHolder,
    origins: options.origins,
    limits: options.limits,
    log: (message) => logged.push(message),
  });
  return {
    paths,
    engine,
    client,
    reader,
    link,
    token,
    seed,
    app,
    logged,
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) {
        headers.set("authorization", `Bearer ${token}`);
      }
      return anonymous(path, { ...init, headers });
    },
    anonymous,
    async [Symbol.asyncDispose]() {
      await link.close();
      reader.close();
      await engine[Symbol.asyncDispose]();
    },
  };
}

/**
 * Seeds a person (the owner), a task and an edge between them.
 *
 * @param client an engine client
 * @returns the ids
 */
export async function seedGraph(client: RpcClient): Promise<Seed> {
  const { id: ada } = await client.call<{ id: string }>("graph.create", {
    shape: "person",
    values: { name: "Ada Lovelace", email: "ada@example.com", isSelf: true },
  });
  const { id: task } = await client.call<{ id: string }>("graph.create", {
    shape: "task",
    values: { name: "Write the bridge", priority: "2" },
  });
  const { id: edge } = await client.call<{ id: string }>("graph.link", {
    from: task,
    label: "assigned_to",
    to: ada,
  });
  return { ada, task, edge };
}

function writeSettings(
  database: string,
  settings: Record<string, string>,
): void {
  const db = new DatabaseSync(database, { timeout: 5000 });
  try {
    const insert = db.prepare(
      "INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
    );
    for (const [key, value] of Object.entries(settings)) {
      insert.run(key, value, new Date().toISOString());
    }
  } finally {
    db.close();
  }
}

/** One Server-Sent Event. */
export interface SseMessage {
  event?: string;
  id?: string;
  data?: string;
  retry?: number;
  /** The text of a comment line (heartbeats), without the colon. */
  comment?: string;
}

/**
 * Reads Server-Sent Events from a response body, one at a time. A read that
 * gets nothing for 30 s fails rather than hanging the test.
 */
export class SseReader implements AsyncDisposable {
  #reader: ReadableStreamDefaultReader<string>;
  #partial = "";
  #lines: string[] = [];
  #next = 0;

  /** @param body the response body */
  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /**
   * The next message (a comment line comes as `{comment}`).
   *
   * @returns the message, or undefined when the stream ended
   */
  async next(): Promise<SseMessage | undefined> {
    const message: SseMessage = {};
    while (true) {
      if (this.#next === this.#lines.length) {
        const { done, value } = await within(
          "the next Server-Sent Event",
          this.#reader.read(),
        );
        if (done) return undefined;
        const lines = (this.#partial + value).split(/\r\n|\r|\n/);
        this.#partial = lines.pop() ?? "";
        this.#lines = lines;
        this.#next = 0;
        continue;
      }
      const line = this.#lines[this.#next++]!;
      if (line === "") {
        if (Object.keys(message).length > 0) return message;
        continue;
      }
      if (line.startsWith(":")) {
        if (Object.keys(message).length === 0) {
          return { comment: line.slice(1).trim() };
        }
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") {
        message.data = message.data === undefined
          ? value
          : `${message.data}\n${value}`;
      }
      if (field === "event") message.event = value;
      if (field === "id") message.id = value;
      if (field === "retry") message.retry = Number(value);
    }
  }

  /**
   * Reads until an event of a kind arrives, skipping others.
   *
   * @param event the event name
   * @returns the event and its parsed data
   */
  async until(
    event: string,
  ): Promise<{ message: SseMessage; data: Record<string, unknown> }> {
    return await within(
      `a "${event}" event`,
      (async () => {
        while (true) {
          const message = await this.next();
          if (!message) {
            throw new Error(`The stream ended before a "${event}" event`);
          }
          if (message.event === event) {
            return { message, data: JSON.parse(message.data ?? "null") };
          }
        }
      })(),
    );
  }

  /** Cancels the stream. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The real bridge, started exactly like `deno task bridge`. */
export interface BridgeProcess extends AsyncDisposable {
  port: number;
  base: string;
  child: Deno.ChildProcess;
  /** Stops it with SIGTERM and returns the exit code. */
  stop(): Promise<number>;
  /** What it wrote to stderr (complete after it exits). */
  stderr(): Promise<string>;
}

/**
 * Starts the bridge task's command for a home on a free port and waits until
 * it listens.
 *
 * @param home the AGENTOS_HOME (an engine should run there)
 * @param env extra environment (e.g. `AGENTOS_BRIDGE_ORIGINS`)
 * @returns the running process
 */
export async function startBridgeProcess(
  home: string,
  env: Record<string, string> = {},
): Promise<BridgeProcess> {
  const port = freePort();
  const [program, ...args] = taskCommand("bridge", home)
    .map((word) => word.replaceAll("$AGENTOS_BRIDGE_PORT", String(port)));
  const child = new Deno.Command(program!, {
    args,
    cwd: REPO_ROOT,
    clearEnv: true,
    env: { ...taskEnv(home), AGENTOS_BRIDGE_PORT: String(port), ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const [forUs, forLog] = child.stderr.tee();
  const stderr = new Response(forLog).text();
  const lines = forUs.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  try {
    await within(
      "the bridge to say it listens",
      (async () => {
        while (!/listening on http:\/\/127\.0\.0\.1:\d+\//.test(seen)) {
          const { done, value } = await lines.read();
          if (done) {
            throw new Error(`The bridge exited before listening: ${seen}`);
          }
          seen += value;
        }
      })(),
    );
  } catch (error) {
    // Never leave a bridge running behind a failed start.
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
    throw error;
  } finally {
    await lines.cancel();
  }
  let stopped: Promise<number> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      try {
        const { code } = await within(
          "the bridge to exit on SIGTERM",
          child.status,
        );
        await stderr;
        return code;
      } catch (error) {
        child.kill("SIGKILL");
        await child.status;
        throw error;
      }
    })();
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    child,
    stop,
    stderr: () => stderr,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}
