import type { Transport } from "./_sdk.ts";
import {
  ErrorCode,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
} from "./_sdk.ts";
import { readLines } from "../engine/mod.ts";

/** Longest accepted message line: 32 MiB (argument size is capped lower). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** Which way a message went, for {@linkcode StdioTransportOptions.onTraffic}. */
export type Direction = "in" | "out";

/** Options for {@linkcode StdioTransport}. */
export interface StdioTransportOptions {
  /** Incoming bytes (default: stdin). */
  readable?: ReadableStream<Uint8Array>;
  /** Outgoing bytes (default: stdout). */
  writable?: WritableStream<Uint8Array>;
  /** Longest accepted incoming line in bytes. */
  maxMessageBytes?: number;
  /** Sees every message with its size on the wire, before it is handled or after it is written. */
  onTraffic?: (
    direction: Direction,
    message: JSONRPCMessage,
    bytes: number,
  ) => void;
  /** Hears about lines that were refused (malformed, oversized). */
  onRefused?: (reason: string, bytes: number) => void;
}

const encoder = new TextEncoder();

/**
 * The MCP stdio transport over Deno's own stdin and stdout: one JSON-RPC
 * message per line. Unlike the SDK's Node-stream transport, a malformed
 * line gets a JSON-RPC error reply (the spec's -32700 / -32600) and an
 * oversized line is skipped as it streams past instead of closing the
 * session, so a hostile or buggy client cannot end it or make it buffer
 * without bound.
 */
export class StdioTransport implements Transport {
  /** Set by the SDK. */
  onmessage?: (message: JSONRPCMessage) => void;
  /** Set by the SDK. */
  onclose?: () => void;
  /** Set by the SDK. */
  onerror?: (error: Error) => void;

  #readable: ReadableStream<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #options: StdioTransportOptions;
  #tail: Promise<void> = Promise.resolve();
  #closed = false;
  #broken = false;
  #reading: Promise<void> | undefined;

  /** @param options streams, limits and observers */
  constructor(options: StdioTransportOptions = {}) {
    this.#options = options;
    this.#readable = options.readable ?? Deno.stdin.readable;
    this.#writer = (options.writable ?? Deno.stdout.writable).getWriter();
  }

  /** Starts reading; resolves at once. */
  start(): Promise<void> {
    if (this.#reading) throw new Error("StdioTransport already started");
    this.#reader = this.#readable.getReader();
    this.#reading = this.#read(this.#reader);
    return Promise.resolve();
  }

  /**
   * Writes one message as a line. Writes are queued in order.
   *
   * @param message the message
   */
  send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const bytes = encoder.encode(JSON.stringify(message) + "\n");
    this.#tail = this.#tail.then(async () => {
      if (this.#broken) return;
      try {
        await this.#writer.write(bytes);
        this.#options.onTraffic?.("out", message, bytes.length);
      } catch (error) {
        // The client went away: the session is over. Not awaited: close()
        // waits for this very queue.
        this.#broken = true;
        this.onerror?.(error as Error);
        this.close();
      }
    });
    return this.#tail;
  }

  /**
   * Stops reading, lets queued replies go out, closes the output and calls
   * `onclose` once.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#reader?.cancel().catch(() => {});
    await this.#tail;
    await this.#writer.close().catch(() => {});
    this.onclose?.();
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for await (
        const line of readLines(reader, {
          maxBytes: this.#options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
        })
      ) {
        if (this.#closed) break;
        if (line.kind === "oversized") {
          this.#refuse(
            null,
            ErrorCode.InvalidRequest,
            `Message of ${line.bytes} bytes exceeds the limit of ${
              this.#options.maxMessageBytes ?? MAX_MESSAGE_BYTES
            } bytes`,
            line.bytes,
          );
          continue;
        }
        if (line.text.trim() === "") continue;
        this.#receive(line.text);
      }
    } catch (error) {
      if (!this.#closed) this.onerror?.(error as Error);
    }
    await this.close();
  }

  #receive(text: string): void {
    // UTF-16 length: a close enough size for the log, without re-encoding.
    const bytes = text.length;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.#refuse(
        null,
        ErrorCode.ParseError,
        `Parse error: ${(error as Error).message}`,
        bytes,
      );
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      this.#refuse(
        requestId(value) ?? null,
        ErrorCode.InvalidRequest,
        "Invalid request: not a JSON-RPC 2.0 request, notification or response",
        bytes,
      );
      return;
    }
    this.#options.onTraffic?.("in", parsed.data, bytes);
    try {
      this.onmessage?.(parsed.data);
    } catch (error) {
      this.onerror?.(error as Error);
    }
  }

  #refuse(
    id: string | number | null,
    code: number,
    message: string,
    bytes: number,
  ): void {
    this.#options.onRefused?.(message, bytes);
    // The spec wants id null when the id cannot be read.
    this.send({ jsonrpc: "2.0", id, error: { code, message } } as never);
  }
}

function requestId(value: unknown): string | number | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === "string" || (typeof id === "number" && isFinite(id))
    ? id
    : undefined;
}
