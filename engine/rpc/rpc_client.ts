import { JsonLines } from "./json_lines.ts";
import { isObject } from "../is_object.ts";
import { ErrorCode, RpcError } from "../errors.ts";

/** Options for {@linkcode RpcClient.connect}. */
export interface RpcClientOptions {
  /** Longest accepted response line in bytes. */
  maxLineBytes?: number;
  /** Receives every notification the engine sends on this connection. */
  onNotification?: (method: string, params: unknown) => void;
  /** Called once when the connection ends, for whatever reason. */
  onClose?: () => void;
}

/** Options for {@linkcode RpcClient.call}. */
export interface CallOptions {
  /** Fails the call with a timeout error after this many milliseconds. */
  timeoutMs?: number;
  /** Abandons the call (the engine may still finish it). */
  signal?: AbortSignal;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * A JSON-RPC client of the engine socket, used by the CLI, the MCP proxy,
 * the bridge and the tests. Many calls may be in flight at once.
 */
export class RpcClient {
  #lines: JsonLines;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #reading: Promise<void>;
  #options: RpcClientOptions;

  private constructor(conn: Deno.UnixConn, options: RpcClientOptions) {
    this.#options = options;
    this.#lines = new JsonLines(conn, {
      maxLineBytes: options.maxLineBytes ?? 64 * 1024 * 1024,
    });
    this.#reading = this.#read();
  }

  /**
   * Connects to the engine socket.
   *
   * @param path the socket path, e.g. `~/.agentos/engine.sock`
   * @param options notification and close callbacks
   * @returns a connected client
   * @throws {Deno.errors.NotFound | Deno.errors.ConnectionRefused} when no engine listens there
   */
  static async connect(
    path: string,
    options: RpcClientOptions = {},
  ): Promise<RpcClient> {
    const conn = await Deno.connect({ transport: "unix", path });
    return new RpcClient(conn, options);
  }

  /** Whether the connection has ended. */
  get closed(): boolean {
    return this.#lines.closed;
  }

  /**
   * Calls a method and waits for its result.
   *
   * @param method `namespace.verb`
   * @param params named parameters
   * @param options timeout and cancellation
   * @returns the method's result
   * @throws {RpcError} the engine's error, or a local one when the connection drops
   */
  call<T = unknown>(
    method: string,
    params: Record<string, unknown> = {},
    options: CallOptions = {},
  ): Promise<T> {
    if (this.closed) {
      return Promise.reject(
        new RpcError(
          ErrorCode.InternalError,
          "Connection to the engine is closed",
        ),
      );
    }
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.#pending.delete(id);
      };
      const onAbort = () => {
        settle();
        reject(
          new RpcError(ErrorCode.Timeout, `Call "${method}" was cancelled`),
        );
      };
      this.#pending.set(id, {
        resolve: (value) => {
          settle();
          resolve(value as T);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          settle();
          reject(
            new RpcError(
              ErrorCode.Timeout,
              `Call "${method}" timed out after ${options.timeoutMs} ms`,
            ),
          );
        }, options.timeoutMs);
      }
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.#lines.send({ jsonrpc: "2.0", id, method, params });
    });
  }

  /**
   * Sends a notification (no reply).
   *
   * @param method `namespace.verb`
   * @param params named parameters
   */
  notify(method: string, params: Record<string, unknown> = {}): Promise<void> {
    return this.#lines.send({ jsonrpc: "2.0", method, params });
  }

  /** Closes the connection and fails every pending call. */
  async close(): Promise<void> {
    this.#lines.close();
    await this.#reading;
  }

  async #read(): Promise<void> {
    try {
      for await (const item of this.#lines.receive()) {
        if (item.kind !== "message" || !isObject(item.value)) continue;
        const message = item.value;
        if (typeof message.method === "string" && !("id" in message)) {
          this.#options.onNotification?.(message.method, message.params);
          continue;
        }
        const pending = this.#pending.get(message.id as number);
        if (!pending) continue;
        if (isObject(message.error)) {
          const { code, message: text, data } = message.error;
          pending.reject(new RpcError(Number(code), String(text), data));
        } else {
          pending.resolve(message.result);
        }
      }
    } finally {
      this.#lines.close();
      for (const pending of this.#pending.values()) {
        pending.reject(
          new RpcError(
            ErrorCode.InternalError,
            "Connection to the engine closed before the reply",
          ),
        );
      }
      this.#pending.clear();
      this.#options.onClose?.();
    }
  }
}
