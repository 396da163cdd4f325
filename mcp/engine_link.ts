import {
  ErrorCode,
  type HomePaths,
  RpcClient,
  RpcError,
} from "../engine/mod.ts";
import { EngineStartError, startEngine } from "./start_engine.ts";

/** Options for {@linkcode EngineLink}. */
export interface EngineLinkOptions {
  /** Start the engine when none answers (default true). */
  autostart?: boolean;
  /** Starts the engine; a seam for tests (default: {@linkcode startEngine}). */
  start?: (paths: HomePaths) => Promise<void>;
  /** Hears connection events, for the log. */
  onEvent?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Options for {@linkcode EngineLink.call}. */
export interface LinkCallOptions {
  /** Abandons the call; on a dedicated connection it also aborts the engine's work. */
  signal?: AbortSignal;
  /** Fails the call after this many milliseconds. */
  timeoutMs?: number;
  /**
   * The call may be sent again if the engine went away while it ran: a read,
   * or a write that is idempotent. Other calls fail once instead.
   */
  retrySafe?: boolean;
  /**
   * Run on a connection of its own, closed when the call ends or is
   * cancelled. The engine aborts a request whose connection closes, which is
   * how cancellation reaches a skill's process.
   */
  dedicated?: boolean;
  /**
   * Notifications the engine sends on a dedicated connection (progress, a
   * sampling request); `reply` calls the engine on that same connection.
   */
  onNotification?: EngineNotificationHandler;
  /** Fail instead of starting an engine when none answers (background polls). */
  noStart?: boolean;
}

/** Calls the engine on the connection a notification came in on. */
export type EngineReply = (
  method: string,
  params: Record<string, unknown>,
) => Promise<unknown>;

/** Hears the engine's notifications on one call's connection. */
export type EngineNotificationHandler = (
  method: string,
  params: unknown,
  reply: EngineReply,
) => void;

/** No engine answers and none could be started. */
export class EngineUnavailableError extends Error {
  /**
   * @param message what failed and what to do
   * @param options the cause
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EngineUnavailableError";
  }
}

/** The engine went away while a call that must not be repeated was running. */
export class EngineRestartedError extends Error {
  /** The engine method that was running. */
  readonly method: string;

  /**
   * @param method the engine method
   * @param options the cause
   */
  constructor(method: string, options?: ErrorOptions) {
    super(
      `The engine stopped or restarted while "${method}" was running, so it may or may not have taken effect`,
      options,
    );
    this.name = "EngineRestartedError";
    this.method = method;
  }
}

/**
 * The proxy's connection to the engine. One shared connection serves the
 * quick calls (many may be in flight); long calls get one each. Nothing is
 * connected until the first call. When no engine answers, one is started;
 * when the engine restarts, the next call reconnects. A call caught in the
 * restart is sent again if it is safe to repeat, and fails once otherwise —
 * so a client sees at most one failed call per restart.
 */
export class EngineLink {
  #paths: HomePaths;
  #options: EngineLinkOptions;
  #shared: RpcClient | undefined;
  #connecting: Promise<RpcClient> | undefined;
  #starting: Promise<void> | undefined;
  #dedicated = new Set<RpcClient>();
  #closed = false;

  /**
   * @param paths the home whose engine to talk to
   * @param options autostart and event hook
   */
  constructor(paths: HomePaths, options: EngineLinkOptions = {}) {
    this.#paths = paths;
    this.#options = options;
  }

  /** Whether the shared connection is up right now. */
  get connected(): boolean {
    return this.#shared !== undefined && !this.#shared.closed;
  }

  /**
   * Calls an engine method, connecting (and starting the engine) if needed.
   *
   * @param method `namespace.verb`
   * @param params named parameters
   * @param options cancellation, timeout, retry and connection choice
   * @returns the method's result
   * @throws {RpcError} the engine's own error
   * @throws {EngineUnavailableError} when no engine answers and none could be started
   * @throws {EngineRestartedError} when the engine went away during an unsafe call
   */
  async call<T = unknown>(
    method: string,
    params: Record<string, unknown>,
    options: LinkCallOptions = {},
  ): Promise<T> {
    for (let attempt = 1;; attempt++) {
      const client = options.dedicated
        ? await this.#open(options.onNotification, options.noStart)
        : await this.#sharedClient(options.noStart);
      const onAbort = () => client.close();
      if (options.dedicated) {
        this.#dedicated.add(client);
        options.signal?.addEventListener("abort", onAbort, { once: true });
      }
      try {
        return await client.call<T>(method, params, {
          signal: options.signal,
          timeoutMs: options.timeoutMs,
        });
      } catch (error) {
        if (options.signal?.aborted || !isLost(error, client)) throw error;
        this.#options.onEvent?.("Engine connection lost during a call", {
          method,
          attempt,
        });
        // ShuttingDown means the engine refused the call: repeating it is safe.
        const repeatable = options.retrySafe ||
          (error as RpcError).code === ErrorCode.ShuttingDown;
        if (attempt >= 2 || !repeatable) {
          throw new EngineRestartedError(method, { cause: error });
        }
        if ((error as RpcError).code === ErrorCode.ShuttingDown) {
          await this.#waitForShutdown(client);
        }
      } finally {
        if (options.dedicated) {
          options.signal?.removeEventListener("abort", onAbort);
          this.#dedicated.delete(client);
          await client.close();
        }
      }
    }
  }

  /**
   * Connects the shared connection now, starting the engine if needed.
   *
   * @throws {EngineUnavailableError} when that fails
   */
  async connect(): Promise<void> {
    await this.#sharedClient();
  }

  /** Closes every connection (aborting long calls). The engine keeps running. */
  async close(): Promise<void> {
    this.#closed = true;
    const clients = [...this.#dedicated];
    if (this.#shared) clients.push(this.#shared);
    this.#shared = undefined;
    await Promise.all(clients.map((client) => client.close()));
  }

  #sharedClient(noStart = false): Promise<RpcClient> {
    if (this.#shared && !this.#shared.closed) {
      return Promise.resolve(this.#shared);
    }
    // A caller that may not start the engine does not join a start either.
    if (noStart && !this.#connecting) {
      return this.#open(undefined, true).then((client) => this.#adopt(client));
    }
    this.#connecting ??= this.#open().then((client) => this.#adopt(client))
      .finally(() => this.#connecting = undefined);
    return this.#connecting;
  }

  #adopt(client: RpcClient): RpcClient {
    if (this.#shared && !this.#shared.closed) {
      // Lost a race with another connect: keep the first connection.
      client.close();
      return this.#shared;
    }
    this.#shared = client;
    this.#options.onEvent?.("Connected to the engine", {
      socket: this.#paths.socket,
    });
    return client;
  }

  async #open(
    onNotification?: EngineNotificationHandler,
    noStart = false,
  ): Promise<RpcClient> {
    if (this.#closed) {
      throw new EngineUnavailableError("The proxy is shutting down");
    }
    let opened: RpcClient | undefined;
    // Answers go back on the connection the notification came in on.
    const reply: EngineReply = (method, params) =>
      opened
        ? opened.call(method, params, { timeoutMs: 30_000 })
        : Promise.reject(new Error("The engine connection is not open"));
    const connect = async () =>
      opened = await RpcClient.connect(this.#paths.socket, {
        onNotification: onNotification &&
          ((method, params) => onNotification(method, params, reply)),
        onClose: () => {
          if (this.#shared?.closed) {
            this.#shared = undefined;
            this.#options.onEvent?.("Engine connection closed");
          }
        },
      });
    try {
      return await connect();
    } catch (error) {
      if (!isUnreachable(error)) throw unavailable(this.#paths, error);
      if (noStart || this.#options.autostart === false) {
        throw new EngineUnavailableError(
          `No engine answers at "${this.#paths.socket}"; start it with: agentos engine start`,
          { cause: error },
        );
      }
    }
    await this.#start();
    try {
      return await connect();
    } catch (error) {
      throw unavailable(this.#paths, error);
    }
  }

  /** One start at a time, shared by every caller that found no engine. */
  #start(): Promise<void> {
    this.#starting ??= (async () => {
      try {
        await (this.#options.start ??
          ((paths) => startEngine(paths, { onEvent: this.#options.onEvent })))(
            this.#paths,
          );
        this.#options.onEvent?.("Engine started", {
          socket: this.#paths.socket,
        });
      } catch (error) {
        throw error instanceof EngineStartError
          ? new EngineUnavailableError(
            `No engine was running and starting one failed: ${error.message}`,
            { cause: error },
          )
          : unavailable(this.#paths, error);
      }
    })().finally(() => this.#starting = undefined);
    return this.#starting;
  }

  async #waitForShutdown(client: RpcClient): Promise<void> {
    // The old engine finishes its in-flight calls before it lets go of the
    // socket; reconnecting before that would reach it again.
    if (client === this.#shared) this.#shared = undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !client.closed) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Whether a call failed because the connection is gone (not the engine's verdict). */
function isLost(error: unknown, client: RpcClient): boolean {
  if (!(error instanceof RpcError)) return false;
  if (error.code === ErrorCode.ShuttingDown) return true;
  return error.code === ErrorCode.InternalError && client.closed;
}

function isUnreachable(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    error instanceof Deno.errors.ConnectionRefused;
}

function unavailable(paths: HomePaths, error: unknown): Error {
  if (error instanceof EngineUnavailableError) return error;
  return new EngineUnavailableError(
    `Cannot reach the engine at "${paths.socket}": ${(error as Error).message}`,
    { cause: error },
  );
}
