import { ensureHome, type HomePaths } from "./home.ts";
import { EngineLock } from "./engine_lock.ts";
import { Logger, type LogLevel } from "./logger.ts";
import { ErrorCode, RpcError } from "./errors.ts";
import { registerTable, RpcDispatcher, RpcServer } from "./rpc/mod.ts";
import { engineMethods } from "./engine_methods.ts";
import { VERSION } from "./version.ts";

/** Longest request line the socket accepts: 16 MiB. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** Options for {@linkcode Engine.start}. */
export interface EngineOptions {
  /** Echo log lines to stderr (foreground runs). */
  echoLog?: boolean;
  /** Lowest log level written. */
  logLevel?: LogLevel;
  /** Longest wait for in-flight calls at shutdown. */
  shutdownGraceMs?: number;
}

/** A part of the engine with resources to release at shutdown. */
export interface EngineService {
  /** Counts for `engine.status`. */
  counts?(): Record<string, number>;
  /** Extra `engine.status` fields. */
  status?(): Record<string, unknown>;
  /** Releases resources; called in reverse order of registration. */
  close?(): void | Promise<void>;
}

/**
 * The daemon: holds the singleton lock, serves JSON-RPC on `engine.sock`,
 * owns the services (graph store, skill runtime…) and shuts them down in
 * order. {@linkcode Engine.start} returns once the socket accepts clients.
 */
export class Engine {
  /** The home's paths. */
  readonly paths: HomePaths;
  /** The engine log. */
  readonly log: Logger;
  /** The method table every subsystem registers into. */
  readonly dispatcher: RpcDispatcher;
  #lock: EngineLock;
  #server: RpcServer | undefined;
  #services: EngineService[] = [];
  #startedAt = Date.now();
  #options: EngineOptions;
  #stopping: Promise<void> | undefined;
  #stopped: PromiseWithResolvers<void> = Promise.withResolvers();
  #memorySample: { at: number; usage: Deno.MemoryUsage } | undefined;

  private constructor(
    paths: HomePaths,
    lock: EngineLock,
    log: Logger,
    options: EngineOptions,
  ) {
    this.paths = paths;
    this.#lock = lock;
    this.log = log;
    this.#options = options;
    this.dispatcher = new RpcDispatcher({
      onInternalError: (method, error) =>
        this.log.error(`Internal error in "${method}"`, { error }),
    });
  }

  /**
   * Creates the home, takes the lock, and prepares the method table. Call
   * {@linkcode Engine.listen} after registering services.
   *
   * @param paths the home's paths
   * @param options logging and shutdown settings
   * @returns the engine, not yet listening
   * @throws {EngineLockedError} when another engine runs on this home
   */
  static open(paths: HomePaths, options: EngineOptions = {}): Engine {
    ensureHome(paths);
    const lock = EngineLock.acquire(paths);
    const log = new Logger(paths.engineLog, {
      level: options.logLevel,
      // deno-lint-ignore no-console
      echo: options.echoLog ? (line) => console.error(line) : undefined,
    });
    if (lock.stale.pid !== undefined || lock.stale.socket) {
      log.warn("Replaced state left by an engine that did not shut down", {
        stalePid: lock.stale.pid ?? null,
        staleSocket: lock.stale.socket,
      });
    }
    const engine = new Engine(paths, lock, log, options);
    engine.#registerOwnMethods();
    return engine;
  }

  /**
   * Adds a service whose counts and status `engine.status` reports and
   * which is closed at shutdown.
   *
   * @param service the service
   */
  addService(service: EngineService): void {
    this.#services.push(service);
  }

  /** Starts serving on `engine.sock` (mode 0600). */
  listen(): void {
    this.#server = new RpcServer(this.dispatcher, {
      path: this.paths.socket,
      maxLineBytes: MAX_REQUEST_BYTES,
      onDisconnect: (id) => this.onDisconnect?.(id),
      onSlowConsumer: (id) =>
        this.log.warn("Dropped a subscriber that stopped reading", {
          connection: id,
        }),
    });
    this.log.info("Engine listening", {
      version: VERSION,
      pid: Deno.pid,
      socket: this.paths.socket,
    });
  }

  /** Hook for services that keep per-connection state (subscriptions). */
  onDisconnect?: (connectionId: number) => void;

  /** The server, for notifications to one connection. */
  get server(): RpcServer | undefined {
    return this.#server;
  }

  /** Resolves when the engine has fully shut down. */
  get stopped(): Promise<void> {
    return this.#stopped.promise;
  }

  /** Whether a shutdown has begun. */
  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /**
   * Graceful shutdown: stop accepting, finish in-flight calls, close
   * services (the database last), remove socket and pid file, unlock.
   *
   * @param reason why, for the log
   */
  shutdown(reason: string): Promise<void> {
    this.#stopping ??= this.#shutdown(reason);
    return this.#stopping;
  }

  async #shutdown(reason: string): Promise<void> {
    this.log.info("Engine shutting down", { reason });
    try {
      await this.#server?.close(this.#options.shutdownGraceMs ?? 30_000);
      for (const service of [...this.#services].reverse()) {
        try {
          await service.close?.();
        } catch (error) {
          this.log.error("A service failed to close", { error });
        }
      }
    } finally {
      this.#lock.release();
      this.log.info("Engine stopped");
      this.log.close();
      this.#stopped.resolve();
    }
  }

  #registerOwnMethods(): void {
    registerTable(
      this.dispatcher,
      engineMethods({
        status: () => this.#status(),
        shutdown: (reason) => this.shutdown(reason),
        methods: () => this.dispatcher.methods(),
      }),
    );
  }

  // Reading it costs ~7 µs (it reads /proc), more than the rest of a status
  // call; a sample at most a second old is as good for a status line.
  #memory(): Deno.MemoryUsage {
    const now = Date.now();
    if (!this.#memorySample || now - this.#memorySample.at > 1000) {
      this.#memorySample = { at: now, usage: Deno.memoryUsage() };
    }
    return this.#memorySample.usage;
  }

  #status(): Record<string, unknown> {
    if (this.#stopping) {
      throw new RpcError(ErrorCode.ShuttingDown, "Engine is shutting down");
    }
    const counts: Record<string, number> = {
      connections: this.#server?.connectionCount ?? 0,
      inFlight: Math.max(0, (this.#server?.inFlightCount ?? 1) - 1),
    };
    let status: Record<string, unknown> = {};
    for (const service of this.#services) {
      Object.assign(counts, service.counts?.());
      status = { ...status, ...service.status?.() };
    }
    return {
      version: VERSION,
      pid: Deno.pid,
      uptimeMs: Date.now() - this.#startedAt,
      memory: this.#memory(),
      startedAt: new Date(this.#startedAt).toISOString(),
      home: this.paths.home,
      socket: this.paths.socket,
      ...status,
      counts,
    };
  }
}
