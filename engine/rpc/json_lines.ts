import { readLines } from "./line_reader.ts";
import { encodeJsonLineParts } from "./made_json.ts";

/** One item received on a {@linkcode JsonLines} channel. */
export type Incoming =
  | {
    kind: "message";
    value: unknown; /** The line's length in UTF-16 units. */
    chars: number;
  }
  | { kind: "invalid"; reason: string }
  | { kind: "oversized"; bytes: number };

/**
 * What a {@linkcode JsonLines} channel runs over: a connection with direct
 * reads and writes (a Deno.Conn; they skip the stream machinery, which costs
 * more than the rest of a round trip), or chunks supplied whole (a child's
 * pipes). `close` releases the resource; it is called once, on close.
 */
export type ByteEndpoint =
  | {
    read(buffer: Uint8Array): Promise<number | null>;
    write(bytes: Uint8Array): Promise<number>;
    close?(): void;
  }
  | { chunks: ByteChunks; close?(): void };

/**
 * Chunked reads and writes. A chunk read is valid until the next read (its
 * buffer may be reused); the line reader copies what it keeps.
 */
export interface ByteChunks {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  write(bytes: Uint8Array): Promise<void>;
  /** Ends a pending read. */
  cancel(): void;
}

function chunksOf(endpoint: ByteEndpoint): ByteChunks {
  if ("chunks" in endpoint) return endpoint.chunks;
  const buffer = new Uint8Array(64 * 1024);
  return {
    async read() {
      const n = await endpoint.read(buffer);
      return n === null
        ? { done: true, value: undefined }
        : { done: false, value: buffer.subarray(0, n) };
    },
    async write(bytes) {
      for (let written = 0; written < bytes.length;) {
        written += await endpoint.write(bytes.subarray(written));
      }
    },
    cancel() {},
  };
}

/** Options for {@linkcode JsonLines}. */
export interface JsonLinesOptions {
  /** Longest accepted incoming line in bytes. */
  maxLineBytes: number;
  /** Outgoing bytes allowed to queue for a slow reader before the channel closes. */
  maxQueuedBytes?: number;
  /**
   * Lines of at least `bytes` are handed undecoded to `parse` (which may
   * run on another thread) and their items yielded in order, the next
   * line read only once `parse` settled.
   */
  large?: LargeLines;
}

/** How a {@linkcode JsonLines} channel reads its large lines. */
export interface LargeLines {
  /** The size from which a line is large. */
  bytes: number;
  /**
   * Reads one large line (its buffer may be transferred).
   *
   * @param line the line without its newline: its parts, each in a
   *   buffer of its own, and its size
   * @returns the item it holds; undefined for a blank line (skipped)
   */
  parse(line: { parts: Uint8Array[]; size: number }): Promise<
    Incoming | undefined
  >;
}

/**
 * Newline-delimited JSON over a byte stream pair: the framing shared by the
 * engine socket, its clients and the Python worker pipe. Writes are queued
 * in order; a peer that stops reading is cut off once its queue passes the
 * limit rather than growing the engine's memory.
 */
export class JsonLines {
  #chunks: ByteChunks;
  #release: () => void;
  #options: JsonLinesOptions & { maxQueuedBytes: number };
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;
  #closed = false;

  /**
   * @param endpoint the byte streams and how to release them
   * @param options size limits
   */
  constructor(endpoint: ByteEndpoint, options: JsonLinesOptions) {
    this.#chunks = chunksOf(endpoint);
    this.#release = () => endpoint.close?.();
    this.#options = { maxQueuedBytes: 64 * 1024 * 1024, ...options };
  }

  /** Bytes queued for the peer and not yet written. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** Whether the channel has been closed (by us or by a failed write). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Incoming items, until the peer closes its side or the channel is closed.
   *
   * @returns parsed JSON values, unparseable lines and oversize reports
   */
  async *receive(): AsyncGenerator<Incoming> {
    try {
      const { maxLineBytes, large } = this.#options;
      for await (
        const line of readLines(this.#chunks, {
          maxBytes: maxLineBytes,
          largeBytes: large?.bytes,
        })
      ) {
        if (line.kind === "oversized") {
          yield line;
          continue;
        }
        if (line.kind === "bytes") {
          const item = await large!.parse(line);
          if (item !== undefined) yield item;
          continue;
        }
        if (line.text.trim() === "") continue;
        try {
          yield {
            kind: "message",
            value: JSON.parse(line.text),
            chars: line.text.length,
          };
        } catch (error) {
          yield { kind: "invalid", reason: (error as Error).message };
        }
      }
    } catch (error) {
      // A reset connection ends the stream like a close does.
      if (!this.#closed && !isDisconnect(error)) throw error;
    }
  }

  /**
   * Queues one value as a JSON line, the JSON made ahead of its long
   * strings spliced in (`made_json.ts`). Resolves once written; never
   * rejects (a write to a gone peer just closes the channel).
   *
   * @param value any JSON-serialisable value
   * @throws {TypeError} when the value cannot be serialised (a cycle)
   */
  send(value: unknown): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.sendLine(encodeJsonLineParts(value));
  }

  /**
   * Queues one line already encoded (a JSON value and its newline, as
   * `encodeJsonLine` makes it), whole or in parts written one after the
   * other. Resolves once written; never rejects.
   *
   * @param line the line's UTF-8 bytes, ending in a newline, or its parts
   */
  sendLine(line: Uint8Array | Uint8Array[]): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const parts = Array.isArray(line) ? line : [line];
    let size = 0;
    for (const part of parts) size += part.length;
    this.#queued += size;
    if (this.#queued > this.#options.maxQueuedBytes) {
      this.close();
      return Promise.resolve();
    }
    // Nothing queued before this line: write now rather than a tick later.
    this.#tail = this.#queued === size
      ? this.#write(parts, size)
      : this.#tail.then(() => this.#write(parts, size));
    return this.#tail;
  }

  async #write(parts: Uint8Array[], size: number): Promise<void> {
    if (this.#closed) return;
    try {
      for (const part of parts) await this.#chunks.write(part);
    } catch {
      this.close();
    } finally {
      this.#queued -= size;
    }
  }

  /** Waits until every queued line has been written. */
  flush(): Promise<void> {
    return this.#tail;
  }

  /** Closes both directions; pending writes are dropped. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chunks.cancel();
    try {
      this.#release();
    } catch {
      // Already released by the peer.
    }
  }
}

function isDisconnect(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.BadResource ||
    error instanceof Deno.errors.Interrupted;
}
