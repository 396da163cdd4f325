import {
  type CallOptions,
  ErrorCode,
  RpcClient,
  RpcError,
} from "../engine/mod.ts";

/** The engine socket has no listener: the engine is not running. */
export class EngineUnavailableError extends Error {
  /** The socket path tried. */
  readonly socket: string;

  /**
   * @param socket the socket path
   * @param options the connection error
   */
  constructor(socket: string, options?: ErrorOptions) {
    super(
      `No engine answers at "${socket}"; start it with: agentos engine start`,
      options,
    );
    this.name = "EngineUnavailableError";
    this.socket = socket;
  }
}

/** One observer subscription on its own engine connection. */
export interface Subscription extends AsyncDisposable {
  /** The change id the engine replays after. */
  after: number;
  /** Ends the subscription and its connection. */
  close(): Promise<void>;
}

/** Callbacks of {@linkcode EngineLink.subscribe}. */
export interface SubscribeOptions {
  /** Replay changes after this id first (default: only new ones). */
  since?: number;
  /** Receives each `observer.event` payload, in order. */
  onEvent: (event: Record<string, unknown>) => void;
  /** Called once when the engine connection ends. */
  onClose?: () => void;
}

/**
 * The bridge's way to the engine: one shared connection for calls
 * (reconnected on demand after the engine restarts) and one dedicated
 * connection per observer subscription, so the engine's own replay-then-live
 * logic serves each SSE client without a gap.
 */
export class EngineLink {
  /** The engine socket path. */
  readonly socket: string;
  #client: Promise<RpcClient> | undefined;
  #subscriptions = new Set<RpcClient>();

  /** @param socket the engine socket, `$AGENTOS_HOME/engine.sock` */
  constructor(socket: string) {
    this.socket = socket;
  }

  /**
   * Calls an engine method on the shared connection.
   *
   * @param method `namespace.verb`
   * @param params named parameters
   * @param options timeout and cancellation
   * @returns the method's result
   * @throws {EngineUnavailableError} when no engine listens
   * @throws {RpcError} the engine's error
   */
  async call<T = unknown>(
    method: string,
    params: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<T> {
    const client = await this.#shared();
    try {
      return await client.call<T>(method, params, options);
    } catch (error) {
      // The engine went away mid-call: say so plainly rather than -32603.
      if (
        error instanceof RpcError && error.code === ErrorCode.InternalError &&
        client.closed
      ) {
        throw new EngineUnavailableError(this.socket, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Subscribes to the observer feed on a new connection.
   *
   * @param options where to start and where to deliver
   * @returns the live subscription
   * @throws {EngineUnavailableError} when no engine listens
   * @throws {RpcError} when the engine refuses the subscription
   */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const client = await this.#connect({
      onNotification: (method, params) => {
        if (
          method === "observer.event" && params !== null &&
          typeof params === "object"
        ) {
          options.onEvent(params as Record<string, unknown>);
        }
      },
      onClose: () => {
        this.#subscriptions.delete(client);
        options.onClose?.();
      },
    });
    this.#subscriptions.add(client);
    const close = () => client.close();
    try {
      const { after } = await client.call<{ after: number }>(
        "observer.subscribe",
        options.since === undefined ? {} : { since: options.since },
        { timeoutMs: 10_000 },
      );
      return { after, close, [Symbol.asyncDispose]: close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    const shared = this.#client;
    this.#client = undefined;
    await Promise.all([
      shared?.then((client) => client.close(), () => {}),
      ...[...this.#subscriptions].map((client) => client.close()),
    ]);
  }

  #shared(): Promise<RpcClient> {
    const current = this.#client;
    if (current) {
      return current.then((client) =>
        client.closed ? this.#reconnect(current) : client
      );
    }
    return this.#reconnect(current);
  }

  #reconnect(stale: Promise<RpcClient> | undefined): Promise<RpcClient> {
    // Concurrent callers that saw the same stale client share one reconnect.
    if (this.#client !== stale) return this.#shared();
    const next = this.#connect({});
    this.#client = next;
    next.catch(() => {
      if (this.#client === next) this.#client = undefined;
    });
    return next;
  }

  async #connect(
    options: Parameters<typeof RpcClient.connect>[1],
  ): Promise<RpcClient> {
    try {
      return await RpcClient.connect(this.socket, options);
    } catch (error) {
      if (
        error instanceof Deno.errors.NotFound ||
        error instanceof Deno.errors.ConnectionRefused
      ) {
        throw new EngineUnavailableError(this.socket, { cause: error });
      }
      throw error;
    }
  }
}
