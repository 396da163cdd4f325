/** Longest CONNECT request head the tunnel reads. */
const MAX_HEAD_BYTES = 8192;

/** Longest wait for a CONNECT head, and for the upstream connection. */
const HANDSHAKE_TIMEOUT_MS = 15_000;

const encoder = new TextEncoder();

/** Options for {@linkcode PinnedConnector}. */
export interface PinnedConnectorOptions {
  /** Extra root certificates (PEM), for tests with a private CA. */
  caCerts?: string[];
}

/** Most pinned HTTPS clients kept for reuse (one per checked address). */
const MAX_KEPT_CLIENTS = 64;

/** How to send one request to a checked address. */
export interface PinnedRoute {
  /** The URL to fetch (plain HTTP: the address in place of the name). */
  target: URL;
  /** The client to fetch with. */
  client: Deno.HttpClient;
  /** The Host header to send (plain HTTP), the URL's own host. */
  host?: string;
  /** Call once the response has been read. */
  release(): void;
}

/**
 * Makes `fetch` connect to one address the broker checked, never to a
 * fresh DNS answer, so a name cannot resolve to a public address for the
 * check and to 127.0.0.1 for the connection (DNS rebinding).
 *
 * Plain `http:` fetches the address itself with the URL's Host header (a
 * client with `allowHost`). `https:` cannot do that (the certificate is
 * checked against the name), so it goes through a CONNECT tunnel that the
 * connector serves on 127.0.0.1: `fetch` asks it to tunnel to the URL's
 * host, and the tunnel connects to the address carried in that client's
 * proxy credentials instead of resolving anything. TLS runs end to end
 * between `fetch` and the server, checking the certificate against the
 * URL's host name. The tunnel answers only this engine's random token.
 * One HTTPS client is kept per address, so its connections are reused.
 *
 * (Deno's `proxy: {transport: "tcp"}` would pin plain HTTP too, but it
 * still looks the name up, and a lost DNS answer stalls it 5 s.)
 */
export class PinnedConnector {
  #options: PinnedConnectorOptions;
  #token = Array.from(
    crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  #listener: Deno.TcpListener | undefined;
  #accepting: Promise<void> | undefined;
  #conns = new Set<Deno.Conn>();
  #tunnels = new Set<Promise<void>>();
  #plain: Deno.HttpClient | undefined;
  #kept = new Map<string, Deno.HttpClient>();

  /** @param options extra root certificates */
  constructor(options: PinnedConnectorOptions = {}) {
    this.#options = options;
  }

  /**
   * How to send a request for `url` to `address`.
   *
   * @param url the request URL, as the skill named it
   * @param address the checked IP address
   * @returns the URL, client and Host header to fetch with
   */
  route(url: URL, address: string): PinnedRoute {
    if (url.protocol === "http:") {
      this.#plain ??= Deno.createHttpClient({ allowHost: true });
      const target = new URL(url.href);
      target.hostname = address.includes(":") ? `[${address}]` : address;
      return { target, client: this.#plain, host: url.host, release() {} };
    }
    const kept = this.#kept.get(address);
    if (kept) return { target: url, client: kept, release() {} };
    const tunnel = this.#tunnel();
    const client = Deno.createHttpClient({
      ...(this.#options.caCerts ? { caCerts: this.#options.caCerts } : {}),
      proxy: {
        url: `http://127.0.0.1:${tunnel.port}`,
        basicAuth: { username: this.#token, password: address },
      },
    });
    if (this.#kept.size < MAX_KEPT_CLIENTS) {
      this.#kept.set(address, client);
      return { target: url, client, release() {} };
    }
    return { target: url, client, release: () => client.close() };
  }

  /** Closes the clients, stops the tunnel and closes every connection it holds. */
  async close(): Promise<void> {
    this.#plain?.close();
    this.#plain = undefined;
    for (const client of this.#kept.values()) client.close();
    this.#kept.clear();
    this.#listener?.close();
    for (const conn of this.#conns) closeQuietly(conn);
    await this.#accepting;
    await Promise.allSettled([...this.#tunnels]);
    this.#listener = undefined;
  }

  #tunnel(): Deno.NetAddr {
    if (!this.#listener) {
      this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      this.#accepting = this.#accept(this.#listener);
    }
    return this.#listener.addr;
  }

  async #accept(listener: Deno.TcpListener): Promise<void> {
    try {
      for await (const conn of listener) {
        this.#conns.add(conn);
        const tunnel = this.#serve(conn).finally(() => {
          this.#conns.delete(conn);
          this.#tunnels.delete(tunnel);
        });
        this.#tunnels.add(tunnel);
      }
    } catch {
      // The listener was closed.
    }
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    let upstream: Deno.Conn | undefined;
    const timer = setTimeout(() => closeQuietly(conn), HANDSHAKE_TIMEOUT_MS);
    try {
      const target = await this.#readHead(conn);
      if (!target) {
        await conn.write(encoder.encode("HTTP/1.1 407 Refused\r\n\r\n"));
        return;
      }
      try {
        upstream = await Deno.connect({
          hostname: target.address,
          port: target.port,
        });
      } catch {
        await conn.write(encoder.encode("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
        return;
      }
      this.#conns.add(upstream);
      clearTimeout(timer);
      // Small TLS records both ways: Nagle's delay would stall every handshake.
      noDelay(conn);
      noDelay(upstream);
      await conn.write(
        encoder.encode("HTTP/1.1 200 Connection Established\r\n\r\n"),
      );
      await Promise.allSettled([
        conn.readable.pipeTo(upstream.writable),
        upstream.readable.pipeTo(conn.writable),
      ]);
    } catch {
      // A peer went away; both ends are closed below.
    } finally {
      clearTimeout(timer);
      if (upstream) {
        this.#conns.delete(upstream);
        closeQuietly(upstream);
      }
      closeQuietly(conn);
    }
  }

  /** Reads the CONNECT head; returns the pinned target, or undefined to refuse. */
  async #readHead(
    conn: Deno.Conn,
  ): Promise<{ address: string; port: number } | undefined> {
    const buffer = new Uint8Array(MAX_HEAD_BYTES);
    let size = 0;
    while (true) {
      const n = await conn.read(buffer.subarray(size));
      if (n === null) return undefined;
      size += n;
      const text = new TextDecoder().decode(buffer.subarray(0, size));
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        // Bytes after the head would be TLS from fetch, which waits for our 200.
        if (end + 4 !== size) return undefined;
        return this.#target(text.slice(0, end));
      }
      if (size === MAX_HEAD_BYTES) return undefined;
    }
  }

  #target(head: string): { address: string; port: number } | undefined {
    const [requestLine, ...headers] = head.split("\r\n");
    const port = Number(
      /^CONNECT \S+:(\d{1,5}) HTTP\/1\.[01]$/.exec(
        requestLine ?? "",
      )?.[1],
    );
    if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
    const auth = headers.find((h) => /^proxy-authorization:/i.test(h));
    const encoded = /^proxy-authorization:\s*basic\s+(\S+)$/i.exec(auth ?? "")
      ?.[1];
    if (!encoded) return undefined;
    let decoded: string;
    try {
      decoded = atob(encoded);
    } catch {
      return undefined;
    }
    const colon = decoded.indexOf(":");
    if (!sameText(decoded.slice(0, colon), this.#token)) return undefined;
    const address = decoded.slice(colon + 1);
    if (!/^[0-9a-f.:]+$/i.test(address)) return undefined;
    return { address, port };
  }
}

function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function noDelay(conn: Deno.Conn): void {
  try {
    (conn as Deno.TcpConn).setNoDelay(true);
  } catch {
    // Not a TCP connection.
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
