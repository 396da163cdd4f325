/**
 * The engine side of a `--net` program's way out, spoken to as a hostile
 * program would over its real Unix socket: malformed and oversized heads,
 * URLs with credentials, `https://` in absolute form, CONNECT without a
 * port — each a clear 400 with an audit line, the proxy still serving the
 * next connection; a plain request is sent upstream in origin form with
 * `Connection: close` (so one connection carries one checked host).
 */
import assert from "node:assert/strict";
import type { AuditEntry } from "../../audit/mod.ts";
import { ProgramProxy } from "./program_proxy.ts";
import { parseProxyHead } from "./proxy_request.ts";

async function withProxy(
  fn: (
    send: (raw: string | Uint8Array) => Promise<string>,
    upstream: { port: number; heads: string[] },
    audit: AuditEntry[],
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-proxy-" });
  const heads: string[] = [];
  // A raw upstream that records what arrives and answers once.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const conn of listener) {
      const buffer = new Uint8Array(65536);
      const n = await conn.read(buffer);
      heads.push(new TextDecoder().decode(buffer.subarray(0, n ?? 0)));
      await conn.write(
        new TextEncoder().encode(
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
        ),
      );
      conn.close();
    }
  })().catch(() => {});
  const audit: AuditEntry[] = [];
  const proxy = await ProgramProxy.open({
    socketDir: `${dir}/run`,
    program: "curl",
    subject: {
      skillId: "s",
      egress: { hosts: [], domains: [], openWeb: false },
      grants: { hosts: [`127.0.0.1:${listener.addr.port}`], openWeb: false },
    },
    resolve: () => Promise.resolve([]),
    audit: (entry) => audit.push(entry),
  });
  const send = async (raw: string | Uint8Array) => {
    const conn = await Deno.connect({
      transport: "unix",
      path: proxy.socketPath,
    });
    try {
      await conn.write(
        typeof raw === "string" ? new TextEncoder().encode(raw) : raw,
      ).catch(() => 0);
      let text = "";
      const buffer = new Uint8Array(65536);
      for (;;) {
        const n = await conn.read(buffer).catch(() => null);
        if (n === null) break;
        text += new TextDecoder().decode(buffer.subarray(0, n));
      }
      return text;
    } finally {
      conn.close();
    }
  };
  try {
    await fn(send, { port: listener.addr.port, heads }, audit);
  } finally {
    await proxy.close();
    listener.close();
    await serving;
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("program proxy: malformed and hostile heads get a 400 and an audit line, and the proxy keeps serving", () =>
  withProxy(async (send, upstream, audit) => {
    const port = upstream.port;
    const hostile = [
      "\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      `GET https://127.0.0.1:${port}/ HTTP/1.1\r\n\r\n`,
      `GET http://user:pw@127.0.0.1:${port}/ HTTP/1.1\r\n\r\n`,
      `GET ftp://127.0.0.1:${port}/ HTTP/1.1\r\n\r\n`,
      "CONNECT 127.0.0.1 HTTP/1.1\r\n\r\n",
      "CONNECT 127.0.0.1:0 HTTP/1.1\r\n\r\n",
      "CONNECT 127.0.0.1:99999 HTTP/1.1\r\n\r\n",
      "CONNECT user@127.0.0.1:80 HTTP/1.1\r\n\r\n",
      `GET http://127.0.0.1:${port}/ HTTP/2.0\r\n\r\n`,
      `GET http://127.0.0.1:${port}/ HTTP/1.1\r\n folded: header\r\n\r\n`,
      `get http://127.0.0.1:${port}/ HTTP/1.1\r\n\r\n`,
    ];
    for (const head of hostile) {
      const answer = await send(head);
      assert.match(answer, /^HTTP\/1\.1 400 /, JSON.stringify(head));
    }
    // Past the head's bound, without a blank line.
    const big = await send(
      `GET http://127.0.0.1:${port}/${"a".repeat(20_000)}`,
    );
    assert.match(big, /^HTTP\/1\.1 400 No proxy request head within 16384/);
    assert.deepEqual(upstream.heads, []);
    assert.equal(audit.length, hostile.length + 1);
    assert.ok(audit.every((line) => line.status === "refused"));
    // Still serving.
    const ok = await send(
      `GET http://127.0.0.1:${port}/after HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    assert.match(ok, /^HTTP\/1\.1 200 OK/);
  }));

Deno.test("program proxy: a plain request goes upstream in origin form, its own Host, Connection: close and no proxy headers", () =>
  withProxy(async (send, upstream) => {
    const port = upstream.port;
    await send(
      `POST http://127.0.0.1:${port}/path?q=1 HTTP/1.1\r\nHost: evil.example\r\nProxy-Authorization: Basic eA==\r\nProxy-Connection: keep-alive\r\nConnection: keep-alive\r\nX-Kept: yes\r\nContent-Length: 4\r\n\r\nbody`,
    );
    assert.equal(
      upstream.heads[0],
      `POST /path?q=1 HTTP/1.1\r\nX-Kept: yes\r\nContent-Length: 4\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\nbody`,
    );
  }));

Deno.test("parseProxyHead(): CONNECT to an IPv6 literal keeps the port and compares the host without brackets", () => {
  const request = parseProxyHead("CONNECT [::1]:8443 HTTP/1.1");
  assert.equal(request.kind, "tunnel");
  assert.equal(request.host, "::1");
  assert.equal(request.port, 8443);
  assert.equal(request.url.href, "https://[::1]:8443/");
});
