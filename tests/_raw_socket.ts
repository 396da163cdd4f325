/**
 * A raw Unix-socket client that writes arbitrary bytes and reads lines, for
 * hostile-input tests that a well-behaved RpcClient cannot express.
 *
 * @module
 */
import { readLines } from "../engine/rpc/mod.ts";

/** A raw line-oriented connection. */
export class RawSocket implements AsyncDisposable {
  readonly conn: Deno.UnixConn;
  #lines: AsyncGenerator<{ kind: string; text?: string }>;

  private constructor(conn: Deno.UnixConn) {
    this.conn = conn;
    this.#lines = readLines(conn.readable, { maxBytes: 64 * 1024 * 1024 });
  }

  /** Connects to a socket path. */
  static async connect(path: string): Promise<RawSocket> {
    return new RawSocket(await Deno.connect({ transport: "unix", path }));
  }

  /** Writes a string as-is (add the newline yourself). */
  async write(text: string | Uint8Array): Promise<void> {
    const bytes = typeof text === "string"
      ? new TextEncoder().encode(text)
      : text;
    let written = 0;
    while (written < bytes.length) {
      written += await this.conn.write(bytes.subarray(written));
    }
  }

  /** Reads the next line as JSON, failing after `timeoutMs`. */
  async readJson(timeoutMs = 10_000): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error("No reply in time")),
        timeoutMs,
      );
    });
    try {
      const next = await Promise.race([this.#lines.next(), timeout]);
      if (next.done) throw new Error("Connection closed");
      return JSON.parse(next.value.text!);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends one JSON value as a line and reads the reply. */
  async roundTrip(value: unknown): Promise<unknown> {
    await this.write(JSON.stringify(value) + "\n");
    return await this.readJson();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
    await this.#lines.return(undefined).catch(() => {});
  }
}
