/**
 * The `--net` proxy's own bounds, over its real Unix socket: its folder
 * 0700 and socket 0666; a refusal answered 403 with its reason and kept
 * (at most 20 reasons), a malformed head 400 (not kept), an unreachable
 * upstream 502; a long reason cut to 300 characters in the status line and
 * 500 in the audit, whole in the body and the result; one audit line per
 * connection up to 200, then one line counting the rest; and at most 32
 * connections open at once; a tunnel whose program hung up before the
 * answer audited as failed with the error.
 */
import assert from "node:assert/strict";
import type { AuditEntry } from "../../audit/mod.ts";
import { ProgramProxy } from "./program_proxy.ts";
import { waitFor } from "../../../tests/_wait.ts";

async function withProxy(
  fn: (
    proxy: ProgramProxy,
    send: (raw: string) => Promise<string>,
    audit: AuditEntry[],
    closedPort: number,
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-proxy-limits-" });
  // A port nothing listens on, granted: its connection fails (502).
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = probe.addr.port;
  probe.close();
  const audit: AuditEntry[] = [];
  const proxy = await ProgramProxy.open({
    socketDir: `${dir}/run`,
    program: "curl",
    subject: {
      skillId: "s",
      egress: { hosts: [], domains: [], openWeb: false },
      grants: { hosts: [`127.0.0.1:${closedPort}`], openWeb: false },
    },
    resolve: () => Promise.resolve([]),
    audit: (entry) => audit.push(entry),
  });
  const send = async (raw: string) => {
    const conn = await Deno.connect({
      transport: "unix",
      path: proxy.socketPath,
    });
    try {
      await conn.write(new TextEncoder().encode(raw));
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
    await fn(proxy, send, audit, closedPort);
  } finally {
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("program proxy: its folder is the engine's own (0700), its socket open to the sandbox's user (0666)", () =>
  withProxy(async (proxy) => {
    const folder = proxy.socketPath.slice(0, proxy.socketPath.lastIndexOf("/"));
    assert.equal((await Deno.stat(folder)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(proxy.socketPath)).mode! & 0o777, 0o666);
    assert.match(proxy.socketPath, /\/[0-9a-f]{16}\.sock$/);
  }));

Deno.test("program proxy: 403 with its reason (kept), 400 for a bad head (not kept), 502 when the upstream cannot be reached", () =>
  withProxy(async (proxy, send, audit, closedPort) => {
    const refused = await send("CONNECT evil.example:443 HTTP/1.1\r\n\r\n");
    const status = refused.split("\r\n")[0]!;
    assert.match(status, /^HTTP\/1\.1 403 Skill "s" may not /);
    assert.equal(proxy.refused.length, 1);
    assert.equal(status, `HTTP/1.1 403 ${proxy.refused[0]!.slice(0, 300)}`);
    assert.deepEqual(
      { status: audit[0]!.status, target: audit[0]!.target },
      { status: "refused", target: "evil.example:443" },
    );
    const bad = await send("NOT A HEAD\r\n\r\n");
    assert.match(bad, /^HTTP\/1\.1 400 /);
    assert.equal(audit[1]!.status, "refused");
    const down = await send(`CONNECT 127.0.0.1:${closedPort} HTTP/1.1\r\n\r\n`);
    assert.match(down, /^HTTP\/1\.1 502 /);
    assert.equal(audit[2]!.status, "failed");
    assert.equal(audit[2]!.target, `127.0.0.1:${closedPort}`);
    assert.equal(audit[2]!.checks?.address, "loopback 127.0.0.1");
    // Only the 403 is a refusal the program's result reports.
    assert.equal(proxy.refused.length, 1);
    const v6 = await send("CONNECT [2001:db8::1]:443 HTTP/1.1\r\n\r\n");
    assert.match(v6, /^HTTP\/1\.1 403 /);
    assert.equal(audit[3]!.target, "[2001:db8::1]:443");
  }));

Deno.test("program proxy: at most 20 reasons kept; 200 audit lines, then one counting the rest", async () => {
  let lines: AuditEntry[] = [];
  await withProxy(async (proxy, send, audit) => {
    for (let i = 0; i < 205; i++) {
      await send(`CONNECT evil${i}.example:443 HTTP/1.1\r\n\r\n`);
    }
    assert.equal(proxy.refused.length, 20);
    assert.match(proxy.refused[19]!, /evil19\.example/);
    assert.equal(audit.length, 200);
    lines = audit;
  });
  assert.equal(lines.length, 201);
  assert.deepEqual(lines[200], {
    op: "shell.connect",
    status: "ok",
    target: "curl",
    reason: "5 more connections past 200 lines",
  });
});

Deno.test("program proxy: a 33rd connection open at once is closed unanswered", () =>
  withProxy(async (proxy) => {
    const open: Deno.Conn[] = [];
    try {
      for (let i = 0; i < 32; i++) {
        open.push(
          await Deno.connect({ transport: "unix", path: proxy.socketPath }),
        );
      }
      const extra = await Deno.connect({
        transport: "unix",
        path: proxy.socketPath,
      });
      open.push(extra);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const read = await Promise.race([
        extra.read(new Uint8Array(16)).catch(() => null),
        new Promise<"open">((resolve) => {
          timer = setTimeout(() => resolve("open"), 3000);
        }),
      ]).finally(() => clearTimeout(timer));
      assert.equal(read, null, "the 33rd connection was kept open");
    } finally {
      for (const conn of open) conn.close();
    }
  }));

Deno.test("program proxy: a long refusal is cut to 300 characters in the status line and 500 in the audit, kept whole in the result", () =>
  withProxy(async (proxy, send, audit) => {
    // A 247-character host, named twice in the reason (over 500 in all).
    const host = Array.from(
      { length: 4 },
      (_, i) => `${"abcdefghij".repeat(6)}${i}`,
    ).join(".");
    const answer = await send(`CONNECT ${host}:443 HTTP/1.1\r\n\r\n`);
    const message = proxy.refused[0]!;
    assert.ok(message.length > 500, message);
    assert.ok(message.endsWith(host), message);
    const status = answer.split("\r\n")[0]!;
    assert.equal(status, `HTTP/1.1 403 ${message.slice(0, 300)}`);
    assert.equal(status.length, "HTTP/1.1 403 ".length + 300);
    assert.equal(audit[0]!.reason, message.slice(0, 500));
    assert.equal(audit[0]!.reason!.length, 500);
    // The body carries the whole reason.
    assert.ok(answer.endsWith(`\r\n\r\n${message}\n`), answer);
  }));

Deno.test("program proxy: a tunnel whose program hung up before the answer is audited as failed, with the error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agentos-proxy-hangup-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })().catch(() => {});
  const audit: AuditEntry[] = [];
  const target = `127.0.0.1:${listener.addr.port}`;
  const proxy = await ProgramProxy.open({
    socketDir: `${dir}/run`,
    program: "curl",
    subject: {
      skillId: "s",
      egress: { hosts: [], domains: [], openWeb: false },
      grants: { hosts: [target], openWeb: false },
    },
    resolve: () => Promise.resolve([]),
    audit: (entry) => audit.push(entry),
  });
  try {
    const conn = await Deno.connect({
      transport: "unix",
      path: proxy.socketPath,
    });
    await conn.write(
      new TextEncoder().encode(`CONNECT ${target} HTTP/1.1\r\n\r\n`),
    );
    conn.close();
    await waitFor("the connection's audit line", () => audit[0], {
      timeoutMs: 10_000,
    });
    assert.equal(audit[0]!.status, "failed", JSON.stringify(audit[0]));
    assert.equal(audit[0]!.target, target);
    assert.match(audit[0]!.reason ?? "", /^(BrokenPipe|ConnectionReset)/);
    assert.equal(audit[0]!.checks?.address, "loopback 127.0.0.1");
  } finally {
    await proxy.close();
    listener.close();
    await serving;
    for (const conn of accepted) conn.close();
    await Deno.remove(dir, { recursive: true });
  }
});
