/**
 * The only way out of a `--net` program's private network namespace: an
 * engine-run proxy on a Unix socket bound into the sandbox (see
 * `program_forwarder.ts`), one per program run. Each connection names its
 * destination (`CONNECT host:port` or an absolute `http://` URL); the proxy
 * checks it as the HTTP broker checks a skill's request — the skill's
 * egress set and the owner's host grants (`checkEgress`), then the address
 * guard on every address the host resolves to (`checkAddress`) — connects
 * to the very address it checked (no second lookup), relays the bytes and
 * writes one audit line per connection. A refusal answers `403` with the
 * reason, which the program's result also lists (`refused`).
 *
 * @module
 */
import { ErrorCode, RpcError } from "../../errors.ts";
import { checkEgress, type EgressSubject } from "../../grants/mod.ts";
import { checkAddress, type Resolver } from "../../net/mod.ts";
import type { AuditEntry } from "../../audit/mod.ts";
import { join } from "../../paths.ts";
import {
  MAX_PROXY_HEAD_BYTES,
  parseProxyHead,
  type ProxyRequest,
} from "./proxy_request.ts";

/** Longest wait for a request head, and for the upstream connection. */
const HANDSHAKE_MS = 15_000;
/** Connections open at once per program run; more are closed unanswered. */
const MAX_OPEN = 32;
/** Audit lines per program run; past it connections are counted in one line. */
const MAX_AUDITED = 200;
/** Refusal reasons kept for the program's result. */
const MAX_REFUSED = 20;

/** What one program run's proxy needs. */
export interface ProgramProxyOptions {
  /** A directory of the engine's own (the socket is made there). */
  socketDir: string;
  /** The program's name, for the audit. */
  program: string;
  /** The skill, its egress set and the owner's host grants. */
  subject: EgressSubject;
  resolve: Resolver;
  /** Receives one line per connection. */
  audit?: (entry: AuditEntry) => void;
}

/** One program run's proxy: listening until {@linkcode ProgramProxy.close}. */
export class ProgramProxy {
  /** The host path of the socket (bound into the sandbox). */
  readonly socketPath: string;
  /** Why connections were refused (at most {@linkcode MAX_REFUSED}). */
  readonly refused: string[] = [];
  #options: ProgramProxyOptions;
  #listener: Deno.Listener;
  #open = new Set<Deno.Conn>();
  #serving = new Set<Promise<void>>();
  #accepting: Promise<void>;
  #audited = 0;
  #closed = false;

  private constructor(
    options: ProgramProxyOptions,
    socketPath: string,
    listener: Deno.Listener,
  ) {
    this.#options = options;
    this.socketPath = socketPath;
    this.#listener = listener;
    this.#accepting = this.#accept();
  }

  /**
   * Listens on a fresh socket in `socketDir` (made 0700; the socket 0666 so
   * the sandbox's user can connect whatever uid it runs as).
   *
   * @param options where, for whom, and what to check
   * @returns the listening proxy
   */
  static async open(options: ProgramProxyOptions): Promise<ProgramProxy> {
    await Deno.mkdir(options.socketDir, { recursive: true, mode: 0o700 });
    const name = Array.from(
      crypto.getRandomValues(new Uint8Array(8)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const path = join(options.socketDir, `${name}.sock`);
    const listener = Deno.listen({ transport: "unix", path });
    await Deno.chmod(path, 0o666);
    return new ProgramProxy(options, path, listener);
  }

  /** Stops listening, ends every connection, removes the socket. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listener.close();
    for (const conn of this.#open) closeQuietly(conn);
    await this.#accepting;
    await Promise.all(this.#serving);
    if (this.#audited > MAX_AUDITED) {
      this.#options.audit?.({
        op: "shell.connect",
        status: "ok",
        target: this.#options.program,
        reason: `${
          this.#audited - MAX_AUDITED
        } more connections past ${MAX_AUDITED} lines`,
      });
    }
    await Deno.remove(this.socketPath).catch(() => {});
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        if (this.#open.size >= MAX_OPEN) {
          closeQuietly(conn);
          continue;
        }
        this.#open.add(conn);
        const serving = this.#serve(conn).finally(() => {
          this.#open.delete(conn);
          this.#serving.delete(serving);
        });
        this.#serving.add(serving);
      }
    } catch {
      // Closed.
    }
  }

  /** One connection: read, check, connect, relay; one audit line. */
  async #serve(conn: Deno.Conn): Promise<void> {
    const started = performance.now();
    const checks: Record<string, string> = { program: this.#options.program };
    const line: AuditEntry = { op: "shell.connect", status: "failed", checks };
    let upstream: Deno.Conn | undefined;
    try {
      const { head, rest } = await readHead(conn);
      const request = parseProxyHead(head);
      line.target = `${
        request.host.includes(":") ? `[${request.host}]` : request.host
      }:${request.port}`;
      upstream = await this.#connect(request, checks);
      this.#open.add(upstream);
      if (this.#closed) throw new Error("The program has ended");
      line.status = "ok";
      if (request.kind === "tunnel") {
        await writeAll(
          conn,
          encode("HTTP/1.1 200 Connection established\r\n\r\n"),
        );
      }
      const out = await writeAll(upstream, request.head) +
        await writeAll(upstream, rest);
      const [sent, received] = await Promise.all([
        pump(conn, upstream),
        pump(upstream, conn),
      ]);
      line.bytesOut = out + sent;
      line.bytesIn = received;
    } catch (error) {
      if (line.status === "ok") {
        line.status = "failed";
        line.reason = String(error).slice(0, 500);
      } else line.reason = await this.#refuse(conn, error, line);
    } finally {
      closeQuietly(conn);
      if (upstream) {
        closeQuietly(upstream);
        this.#open.delete(upstream);
      }
      line.ms = Math.round(performance.now() - started);
      if (++this.#audited <= MAX_AUDITED) this.#options.audit?.(line);
    }
  }

  /** Egress, then the address guard, then a connection to the checked address. */
  async #connect(
    request: ProxyRequest,
    checks: Record<string, string>,
  ): Promise<Deno.Conn> {
    const { subject, resolve } = this.#options;
    checks.egress = "refused";
    const decision = checkEgress(subject, request.url);
    checks.egress = decision.rule;
    checks.address = "refused";
    const signal = AbortSignal.timeout(HANDSHAKE_MS);
    const checked = await checkAddress(request.host, {
      resolve,
      privateAllowed: decision.privateAllowed,
      skillId: subject.skillId,
      port: request.port,
      signal,
    });
    checks.address = `${checked.kind} ${checked.address}`;
    return await Deno.connect({
      hostname: checked.address,
      port: request.port,
      signal,
    });
  }

  /** Answers a refusal (403) or a failure (400/502); returns the audit's reason. */
  async #refuse(
    conn: Deno.Conn,
    error: unknown,
    line: AuditEntry,
  ): Promise<string> {
    const message = error instanceof Error ? error.message : String(error);
    let status = 502;
    if (error instanceof RpcError && error.code === ErrorCode.Forbidden) {
      status = 403;
      line.status = "refused";
      if (this.refused.length < MAX_REFUSED) this.refused.push(message);
    } else if (error instanceof RpcError) {
      status = 400;
      line.status = "refused";
    }
    const body = `${message}\n`;
    // The reason phrase carries the message too: clients print that line.
    const phrase = message.replace(/[^\x20-\x7e]/g, " ").slice(0, 300);
    await writeAll(
      conn,
      encode(
        `HTTP/1.1 ${status} ${phrase}\r\nContent-Type: text/plain\r\nContent-Length: ${
          encode(body).length
        }\r\nConnection: close\r\n\r\n${body}`,
      ),
    ).catch(() => {});
    return message.slice(0, 500);
  }
}

/** Reads up to the blank line after the head; returns the head and what followed. */
async function readHead(
  conn: Deno.Conn,
): Promise<{ head: string; rest: Uint8Array }> {
  const timer = setTimeout(() => closeQuietly(conn), HANDSHAKE_MS);
  try {
    const buffer = new Uint8Array(MAX_PROXY_HEAD_BYTES);
    let size = 0;
    while (size < buffer.length) {
      const n = await conn.read(buffer.subarray(size));
      if (n === null) break;
      size += n;
      const end = indexOfBlankLine(buffer.subarray(0, size));
      if (end >= 0) {
        return {
          head: new TextDecoder().decode(buffer.subarray(0, end)),
          rest: buffer.slice(end + 4, size),
        };
      }
    }
    throw new RpcError(
      ErrorCode.InvalidParams,
      `No proxy request head within ${MAX_PROXY_HEAD_BYTES} bytes`,
    );
  } finally {
    clearTimeout(timer);
  }
}

function indexOfBlankLine(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (
      bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 &&
      bytes[i + 3] === 10
    ) return i;
  }
  return -1;
}

/** Copies until end of stream, then half-closes; returns the bytes copied. */
async function pump(from: Deno.Conn, to: Deno.Conn): Promise<number> {
  const buffer = new Uint8Array(64 * 1024);
  let total = 0;
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      total += await writeAll(to, buffer.subarray(0, n));
    }
  } catch {
    // A side failed or the program ended: the relay ends both ways.
    closeQuietly(from);
    closeQuietly(to);
    return total;
  }
  try {
    await to.closeWrite();
  } catch {
    // Already closed.
  }
  return total;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<number> {
  let at = 0;
  while (at < bytes.length) at += await conn.write(bytes.subarray(at));
  return bytes.length;
}

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
