import assert from "node:assert/strict";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { seedGraph, SseReader, startBridgeProcess } from "./bridge_fixture.ts";
import { waitFor } from "./_wait.ts";

/** Sends one raw HTTP/1.1 request, so the Host header is exactly ours. */
async function rawRequest(
  port: number,
  path: string,
  host: string,
): Promise<{ status: number; body: string }> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ),
  );
  const text = await new Response(conn.readable).text();
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]),
    body: text.slice(text.indexOf("\r\n\r\n") + 4),
  };
}

Deno.test("deno task bridge serves a real engine's graph on 127.0.0.1 with its narrow permissions, and refuses foreign hosts and origins", async () => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const seed = await seedGraph(client);
  await using bridge = await startBridgeProcess(engine.paths.home, {
    AGENTOS_BRIDGE_ORIGINS: "http://localhost:5173",
  });

  const tokenFile = `${engine.paths.home}/bridge.token`;
  const auth = {
    authorization: `Bearer ${Deno.readTextFileSync(tokenFile).trim()}`,
  };
  const shapes = await fetch(`${bridge.base}/shapes`, { headers: auth });
  assert.equal(shapes.status, 200);
  assert.equal(
    (await shapes.json()).shapes.find((shape: { name: string }) =>
      shape.name === "task"
    ).count,
    1,
  );
  const node = await (await fetch(`${bridge.base}/graph/${seed.ada}`, {
    headers: auth,
  })).json();
  assert.equal(node.edges_in[0].from, seed.task);

  assert.equal(Deno.statSync(tokenFile).mode! & 0o777, 0o600);
  const printed = await runAgentos(engine.paths.home, ["bridge", "token"]);
  assert.equal(printed.code, 0, printed.stderr);
  const token = printed.stdout.trim();
  assert.equal(token, Deno.readTextFileSync(tokenFile).trim());

  const rebinding = await rawRequest(bridge.port, "/graph", "evil.example");
  assert.equal(rebinding.status, 403);
  assert.match(rebinding.body, /Refused Host/);
  assert.equal(
    (await rawRequest(bridge.port, "/sdk.js", `localhost:${bridge.port}`))
      .status,
    200,
  );

  const crossOrigin = { origin: "http://localhost:5173" };
  const withoutToken = await fetch(`${bridge.base}/graph`, {
    headers: crossOrigin,
  });
  assert.equal(withoutToken.status, 401);
  await withoutToken.body?.cancel();
  const withToken = await fetch(`${bridge.base}/graph`, {
    headers: { ...crossOrigin, authorization: `Bearer ${token}` },
  });
  assert.equal(withToken.status, 200);
  assert.equal(
    withToken.headers.get("access-control-allow-origin"),
    "http://localhost:5173",
  );
  await withToken.body?.cancel();

  const invoke = await fetch(`${bridge.base}/capability/llm`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ prompt: "Hi" }),
  });
  const invoked = await invoke.json();
  // The engine's answer, whichever it is (501 until it can invoke, then the
  // provider's result or "no provider"), came through the bridge as JSON:
  // not a bridge failure (500) and not an unreachable engine (503).
  assert.ok(![500, 503].includes(invoke.status), JSON.stringify(invoked));
  assert.ok(
    invoke.status === 200
      ? "result" in invoked
      : typeof invoked.error.message === "string",
  );

  const rotated = await runAgentos(engine.paths.home, [
    "bridge",
    "token",
    "--rotate",
  ]);
  const newToken = rotated.stdout.trim();
  assert.notEqual(newToken, token);
  const stale = await fetch(`${bridge.base}/graph`, {
    headers: { ...crossOrigin, authorization: `Bearer ${token}` },
  });
  assert.equal(
    stale.status,
    401,
    "a rotated token takes effect without a restart",
  );
  await stale.body?.cancel();
  const fresh = await fetch(`${bridge.base}/graph`, {
    headers: { ...crossOrigin, authorization: `Bearer ${newToken}` },
  });
  assert.equal(fresh.status, 200);
  await fresh.body?.cancel();

  assert.equal(await bridge.stop(), 0);
});

Deno.test("the bridge process's observer stream resumes with Last-Event-ID after a disconnect, without loss or duplicates", async () => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const seed = await seedGraph(client);
  await using bridge = await startBridgeProcess(engine.paths.home);
  const { stdout } = await runAgentos(engine.paths.home, ["bridge", "token"]);
  const auth = { authorization: `Bearer ${stdout.trim()}` };
  const subscribers = async () =>
    (await client.call<{ counts: { subscribers: number } }>("engine.status"))
      .counts.subscribers;
  const update = (priority: number) =>
    client.call("graph.update", { id: seed.task, values: { priority } });

  const first = new AbortController();
  const response = await fetch(`${bridge.base}/observer/stream`, {
    headers: auth,
    signal: first.signal,
  });
  const events = new SseReader(response.body!);
  await events.until("ready");
  await update(1);
  const seen = Number((await events.until("change")).message.id);
  first.abort();
  await events[Symbol.asyncDispose]();
  await waitFor(
    "the bridge to release its engine subscription",
    async () => await subscribers() === 0,
  );

  await update(2);
  await update(3);
  const resumed = await fetch(`${bridge.base}/observer/stream`, {
    headers: { ...auth, "last-event-id": String(seen) },
  });
  await using again = new SseReader(resumed.body!);
  const replayed = [await again.until("change"), await again.until("change")];
  assert.deepEqual(replayed.map(({ message }) => Number(message.id)), [
    seen + 1,
    seen + 2,
  ]);
  assert.deepEqual(replayed.map(({ data }) => data.new), [2, 3]);
  await update(4);
  const live = await again.until("change");
  assert.equal(Number(live.message.id), seen + 3);

  const future = await fetch(`${bridge.base}/observer/stream`, {
    headers: { ...auth, "last-event-id": String(seen + 1000) },
  });
  await using reset = new SseReader(future.body!);
  const resetEvent = await reset.until("reset");
  assert.equal(resetEvent.data.reason, "unknown");
  assert.equal(resetEvent.message.id, String(seen + 3));

  // Shutting down ends the open streams instead of waiting for them.
  assert.equal(await bridge.stop(), 0);
  assert.match(
    await bridge.stderr(),
    /listening on http:\/\/127\.0\.0\.1:\d+\//,
  );
});
