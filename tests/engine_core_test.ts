import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { RawSocket } from "./_raw_socket.ts";
import { waitFor } from "./_wait.ts";
import type { RpcClient } from "../engine/rpc/mod.ts";

function mode(path: string): number {
  return Deno.statSync(path).mode! & 0o777;
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("engine.status reports version, pid, uptime, home and counts; home is 0700 and socket 0600", async () => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const status = await client.call<Record<string, unknown>>("engine.status");
  assert.equal(status.pid, engine.child.pid);
  assert.equal(status.home, engine.paths.home);
  assert.match(String(status.version), /^\d+\.\d+\.\d+$/);
  assert.equal(typeof status.uptimeMs, "number");
  assert.equal(
    typeof (status.counts as Record<string, number>).connections,
    "number",
  );
  assert.ok(status.sandbox, "status names the sandbox kind");
  assert.equal(mode(engine.paths.home), 0o700);
  assert.equal(mode(engine.paths.socket), 0o600);
  assert.equal(mode(engine.paths.database), 0o600);
  assert.equal(mode(`${engine.paths.database}-wal`), 0o600);
  assert.equal(
    Deno.readTextFileSync(engine.paths.pidFile).trim(),
    String(engine.child.pid),
  );
});

Deno.test("a second engine on the same home exits with code 3 naming the pid that holds the lock", async () => {
  await using first = await EngineProcess.start();
  const second = await EngineProcess.start({
    home: first.paths.home,
    waitReady: false,
  });
  assert.equal(await second.exitCode(), 3);
  assert.match(await second.stderr(), new RegExp(`pid ${first.child.pid}`));
  // The first one is unharmed.
  const client = await first.client();
  assert.equal(
    (await client.call<{ pid: number }>("engine.status")).pid,
    first.child.pid,
  );
});

Deno.test("after kill -9 the next start replaces the stale socket and pid file", async () => {
  const crashed = await EngineProcess.start();
  const home = crashed.paths.home;
  await crashed.kill9();
  assert.ok(exists(crashed.paths.socket), "kill -9 leaves the socket behind");
  assert.ok(
    exists(crashed.paths.pidFile),
    "kill -9 leaves the pid file behind",
  );
  {
    await using restarted = await EngineProcess.start({ home });
    const client = await restarted.client();
    assert.equal(
      (await client.call<{ pid: number }>("engine.status")).pid,
      restarted.child.pid,
    );
    assert.equal(
      Deno.readTextFileSync(restarted.paths.pidFile).trim(),
      String(restarted.child.pid),
    );
    const log = Deno.readTextFileSync(restarted.paths.engineLog);
    assert.match(log, new RegExp(`stalePid=${crashed.child.pid}`));
  }
  await Deno.remove(home, { recursive: true });
});

Deno.test("engine.shutdown finishes in-flight calls, then removes socket and pid file and exits 0", async () => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const slow = client.call("engine.ping", { delayMs: 2000, echo: "in flight" });
  const other = await engine.client();
  await inFlight(other, 1);
  assert.deepEqual(await other.call("engine.shutdown"), {
    ok: true,
    pid: engine.child.pid,
  });
  assert.deepEqual(await slow, { pong: true, echo: "in flight" });
  assert.equal(await engine.exitCode(), 0);
  assert.ok(!exists(engine.paths.socket));
  assert.ok(!exists(engine.paths.pidFile));
  assert.match(Deno.readTextFileSync(engine.paths.engineLog), /Engine stopped/);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`${signal} shuts the engine down gracefully`, async () => {
    await using engine = await EngineProcess.start();
    const client = await engine.client();
    const slow = client.call("engine.ping", { delayMs: 2000 });
    await inFlight(await engine.client(), 1);
    engine.child.kill(signal);
    assert.deepEqual(await slow, { pong: true, echo: null });
    assert.equal(await engine.exitCode(), 0);
    assert.ok(!exists(engine.paths.socket));
    assert.ok(!exists(engine.paths.pidFile));
  });
}

Deno.test("every malformed request gets the right JSON-RPC error and the connection stays usable", async () => {
  await using engine = await EngineProcess.start();
  await using raw = await RawSocket.connect(engine.paths.socket);
  const cases: [string, number, unknown][] = [
    ["{not json", -32700, null],
    ["42", -32600, null],
    ['"text"', -32600, null],
    ["null", -32600, null],
    ['{"jsonrpc":"1.0","id":1,"method":"engine.status"}', -32600, 1],
    ['{"id":2,"method":"engine.status"}', -32600, 2],
    ['{"jsonrpc":"2.0","id":3}', -32600, 3],
    ['{"jsonrpc":"2.0","id":{"x":1},"method":"engine.status"}', -32600, null],
    ['{"jsonrpc":"2.0","id":4,"method":"no.such"}', -32601, 4],
    [
      '{"jsonrpc":"2.0","id":5,"method":"engine.ping","params":[1,2]}',
      -32602,
      5,
    ],
    [
      '{"jsonrpc":"2.0","id":6,"method":"engine.ping","params":{"delayMs":"soon"}}',
      -32602,
      6,
    ],
    ["[]", -32600, null],
  ];
  for (const [line, code, id] of cases) {
    await raw.write(line + "\n");
    const reply = await raw.readJson() as {
      id: unknown;
      error: { code: number; message: string };
    };
    assert.equal(reply.error?.code, code, `${line} → ${JSON.stringify(reply)}`);
    assert.equal(reply.id, id, line);
    assert.ok(reply.error.message.length > 0);
    // Still usable after each bad line.
    const ok = await raw.roundTrip({
      jsonrpc: "2.0",
      id: "after",
      method: "engine.ping",
    }) as {
      result: unknown;
    };
    assert.deepEqual(ok.result, { pong: true, echo: null });
  }
});

Deno.test("batches answer each request, skip notifications, and a notification alone gets no reply", async () => {
  await using engine = await EngineProcess.start();
  await using raw = await RawSocket.connect(engine.paths.socket);
  await raw.write('{"jsonrpc":"2.0","method":"engine.ping"}\n');
  await raw.write('{"jsonrpc":"2.0","method":"no.such.method"}\n');
  const batch = await raw.roundTrip([
    { jsonrpc: "2.0", id: 1, method: "engine.ping", params: { echo: "a" } },
    { jsonrpc: "2.0", method: "engine.ping" },
    { jsonrpc: "2.0", id: 2, method: "missing" },
    7,
    { jsonrpc: "2.0", id: 3, method: "engine.ping", params: { echo: "c" } },
  ]) as { id: unknown; result?: { echo: string }; error?: { code: number } }[];
  // The two notifications sent first produced nothing: the batch reply is next.
  assert.ok(Array.isArray(batch));
  assert.equal(batch.length, 4);
  const byId = new Map(batch.map((r) => [r.id, r]));
  assert.equal(byId.get(1)?.result?.echo, "a");
  assert.equal(byId.get(2)?.error?.code, -32601);
  assert.equal(byId.get(null)?.error?.code, -32600);
  assert.equal(byId.get(3)?.result?.echo, "c");
  await raw.write(
    JSON.stringify([{ jsonrpc: "2.0", method: "engine.ping" }]) + "\n",
  );
  const onlyNotifications = await raw.readJson(500).catch((error) => error);
  assert.ok(
    onlyNotifications instanceof Error,
    "an all-notification batch gets no reply",
  );
});

Deno.test("a 200 MB line is refused without buffering it, and other clients are served meanwhile", async () => {
  await using engine = await EngineProcess.start();
  const rss = () => {
    const status = Deno.readTextFileSync(`/proc/${engine.child.pid}/status`);
    return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
  };
  const before = rss();
  await using raw = await RawSocket.connect(engine.paths.socket);
  const chunk = new Uint8Array(1024 * 1024).fill(0x61); // "aaaa…"
  const other = await engine.client();
  for (let i = 0; i < 200; i++) {
    await raw.write(chunk);
    if (i % 50 === 0) {
      assert.deepEqual(await other.call("engine.ping"), {
        pong: true,
        echo: null,
      });
    }
  }
  await raw.write("\n");
  const reply = await raw.readJson() as {
    error: { code: number; message: string };
  };
  assert.equal(reply.error.code, -32001);
  assert.match(reply.error.message, /exceeds the limit of 16777216\b/);
  const grown = rss() - before;
  // Buffering the line would cost at least 200 MB; the reader holds at most
  // the 16 MiB limit plus stream chunks not yet collected.
  assert.ok(
    grown < 100 * 1024 * 1024,
    `engine grew by ${grown} bytes reading a 200 MB line`,
  );
  const ok = await raw.roundTrip({
    jsonrpc: "2.0",
    id: 1,
    method: "engine.ping",
  }) as { result: unknown };
  assert.deepEqual(ok.result, { pong: true, echo: null });
});

Deno.test("silent clients and clients that vanish mid-request do not disturb the others", async () => {
  await using engine = await EngineProcess.start();
  await using silent = await RawSocket.connect(engine.paths.socket);
  await using halfLine = await RawSocket.connect(engine.paths.socket);
  await halfLine.write('{"jsonrpc":"2.0","id":1,"meth');
  const leaver = await RawSocket.connect(engine.paths.socket);
  await leaver.write(
    '{"jsonrpc":"2.0","id":1,"method":"engine.ping","params":{"delayMs":300}}\n',
  );
  await leaver[Symbol.asyncDispose]();
  halfLine.conn.close();
  const client = await engine.client();
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(await client.call("engine.ping", { echo: i }), {
      pong: true,
      echo: i,
    });
  }
  // The leaver's ping ends and its reply goes nowhere: nothing in flight.
  await waitFor(
    "the departed client's ping to finish",
    async () =>
      (await client.call<{ counts: { inFlight: number } }>("engine.status"))
        .counts.inFlight === 0,
  );
  assert.deepEqual(await client.call("engine.ping", { echo: "still" }), {
    pong: true,
    echo: "still",
  });
  assert.ok(silent.conn.remoteAddr);
});

Deno.test("50 concurrent clients × 200 requests are all answered correctly", async () => {
  await using engine = await EngineProcess.start();
  const clients = await Promise.all(
    Array.from({ length: 50 }, () => engine.client()),
  );
  const results = await Promise.all(clients.map(async (client, c) => {
    const replies = await Promise.all(
      Array.from(
        { length: 200 },
        (_, r) =>
          client.call<{ echo: string }>("engine.ping", { echo: `${c}:${r}` }),
      ),
    );
    return replies.every((reply, r) => reply.echo === `${c}:${r}`);
  }));
  assert.equal(results.filter(Boolean).length, 50);
  const status = await clients[0]!.call<{ counts: { connections: number } }>(
    "engine.status",
  );
  assert.ok(status.counts.connections >= 50);
});

/** Waits until the engine counts `n` calls in flight (besides the asking one). */
async function inFlight(client: RpcClient, n: number): Promise<void> {
  await waitFor(
    `${n} call(s) in flight in the engine`,
    async () =>
      (await client.call<{ counts: { inFlight: number } }>("engine.status"))
        .counts.inFlight >= n,
    { intervalMs: 5 },
  );
}
