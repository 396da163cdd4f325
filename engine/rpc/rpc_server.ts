import { JsonLines } from "./json_lines.ts";
import { ErrorCode } from "../errors.ts";
import type { RequestContext, RpcDispatcher } from "./rpc_dispatcher.ts";

/** Options for {@linkcode RpcServer}. */
export interface RpcServerOptions {
  /** Path of the Unix socket to listen on. */
  path: string;
  /** Longest request line in bytes. */
  maxLineBytes: number;
  /** Most simultaneous connections; more are refused with an error line. */
  maxConnections?: number;
  /** Backlog of unread notifications, in bytes, at which a connection is dropped. */
  maxNotificationBacklog?: number;
  /** Called when a connection is dropped for not reading its notifications. */
  onSlowConsumer?: (connectionId: number) => void;
  /** Called when a connection closes, e.g. to drop its subscriptions. */
  onDisconnect?: (connectionId: number) => void;
}

/** The live state of one client connection. */
interface Connection {
  id: number;
  lines: JsonLines;
  abort: AbortController;
}

/**
 * Serves a {@linkcode RpcDispatcher} on a Unix socket: one JSON-RPC request
 * per line, requests of one connection served concurrently, responses
 * written as they complete. Tracks in-flight work so shutdown can wait for it.
 */
export class RpcServer {
  #listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>;
  #dispatcher: RpcDispatcher;
  #options: RpcServerOptions;
  #connections = new Map<number, Connection>();
  #inFlight = new Set<Promise<void>>();
  #nextId = 1;
  #accepting: Promise<void>;
  #readers = new Set<Promise<void>>();
  #draining = false;

  /**
   * Starts listening at once; the socket file is created with mode 0600.
   *
   * @param dispatcher the method table
   * @param options socket path and limits
   */
  constructor(dispatcher: RpcDispatcher, options: RpcServerOptions) {
    this.#dispatcher = dispatcher;
    this.#options = options;
    this.#listener = Deno.listen({ transport: "unix", path: options.path });
    Deno.chmodSync(options.path, 0o600);
    this.#accepting = this.#acceptLoop();
  }

  /** Open connections right now. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Requests being served right now. */
  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /**
   * Sends a notification to one connection, if it is still open.
   *
   * @param connectionId the target
   * @param method notification method, e.g. `observer.event`
   * @param params its params
   */
  notify(connectionId: number, method: string, params: unknown): void {
    const connection = this.#connections.get(connectionId);
    if (!connection) return;
    // A subscriber that stops reading is dropped once its backlog passes the
    // limit: the engine never buffers without bound or waits for it.
    if (
      connection.lines.queuedBytes >
        (this.#options.maxNotificationBacklog ?? 8 * 1024 * 1024)
    ) {
      this.#options.onSlowConsumer?.(connectionId);
      connection.lines.close();
      return;
    }
    connection.lines.send({ jsonrpc: "2.0", method, params });
  }

  /**
   * Stops taking connections and requests, waits for in-flight requests
   * (up to `graceMs`), flushes their responses, then closes every connection.
   *
   * @param graceMs longest wait for in-flight work
   */
  async close(graceMs = 30_000): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    this.#listener.close();
    await this.#accepting;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise((resolve) => timer = setTimeout(resolve, graceMs)),
    ]);
    clearTimeout(timer);
    await Promise.allSettled(
      [...this.#connections.values()].map((c) => c.lines.flush()),
    );
    for (const connection of this.#connections.values()) {
      connection.abort.abort();
      connection.lines.close();
    }
    await Promise.allSettled([...this.#readers]);
  }

  async #acceptLoop(): Promise<void> {
    const maxConnections = this.#options.maxConnections ?? 1024;
    while (true) {
      let conn: Deno.UnixConn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return; // listener closed
      }
      const lines = new JsonLines(conn, {
        maxLineBytes: this.#options.maxLineBytes,
      });
      if (this.#connections.size >= maxConnections) {
        lines.send(
          errorLine(
            ErrorCode.Overloaded,
            `Too many connections (limit ${maxConnections})`,
          ),
        )
          .then(() => lines.close());
        continue;
      }
      const connection = {
        id: this.#nextId++,
        lines,
        abort: new AbortController(),
      };
      this.#connections.set(connection.id, connection);
      const reader = this.#serve(connection).finally(() => {
        this.#readers.delete(reader);
      });
      this.#readers.add(reader);
    }
  }

  async #serve(connection: Connection): Promise<void> {
    const { lines } = connection;
    const context: RequestContext = {
      connectionId: connection.id,
      notify: (method, params) => this.notify(connection.id, method, params),
      signal: connection.abort.signal,
    };
    try {
      for await (const item of lines.receive()) {
        if (item.kind === "oversized") {
          lines.send(errorLine(
            ErrorCode.RequestTooLarge,
            `Request line of ${item.bytes} bytes exceeds the limit of ${this.#options.maxLineBytes}; discarded`,
          ));
        } else if (item.kind === "invalid") {
          lines.send(
            errorLine(ErrorCode.ParseError, `Parse error: ${item.reason}`),
          );
        } else if (this.#draining) {
          lines.send(
            errorLine(ErrorCode.ShuttingDown, "Engine is shutting down"),
          );
        } else {
          this.#track(() => this.#respond(item.value, context, lines));
        }
      }
    } finally {
      connection.abort.abort();
      this.#connections.delete(connection.id);
      lines.close();
      this.#options.onDisconnect?.(connection.id);
    }
  }

  async #respond(
    message: unknown,
    context: RequestContext,
    lines: JsonLines,
  ): Promise<void> {
    const response = await this.#dispatcher.handle(message, context);
    if (response === undefined) return;
    try {
      await lines.send(response);
    } catch {
      // A result that cannot be serialised (too deep, a cycle) is a bug in
      // a handler; the client still gets an answer.
      const ids = (Array.isArray(response) ? response : [response]).map((r) =>
        r.id
      );
      for (const id of ids) {
        await lines.send({
          jsonrpc: "2.0",
          id,
          error: {
            code: ErrorCode.InternalError,
            message: "Internal error: the result could not be serialised",
          },
        });
      }
    }
  }

  // Counted before the request starts: a handler that runs synchronously
  // (engine.status reading inFlightCount) sees its own request counted.
  #track(start: () => Promise<void>): void {
    const { promise: tracked, resolve } = Promise.withResolvers<void>();
    this.#inFlight.add(tracked);
    start().catch(() => {}).finally(() => {
      this.#inFlight.delete(tracked);
      resolve();
    });
  }
}

function errorLine(code: number, message: string) {
  return { jsonrpc: "2.0", id: null, error: { code, message } };
}
