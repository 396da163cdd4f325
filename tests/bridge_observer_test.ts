import assert from "node:assert/strict";
import { RpcDispatcher, RpcServer } from "../engine/rpc/mod.ts";
import { planResume } from "../bridge/mod.ts";
import { bridgeFixture, SseReader } from "./bridge_fixture.ts";
import { waitFor, within } from "./_wait.ts";

Deno.test("planResume() resumes inside the replay window and resets beyond it or past the newest change", () => {
  const bounds = { oldest: 1, latest: 100 };
  assert.deepEqual(planResume(undefined, bounds, 50), {});
  assert.deepEqual(planResume(60, bounds, 50), { since: 60 });
  assert.deepEqual(planResume(100, bounds, 50), { since: 100 });
  const gap = planResume(10, bounds, 50);
  assert.equal(gap.since, 100);
  assert.equal(gap.reset?.reason, "gap");
  assert.match(gap.reset?.message ?? "", /90 changes happened since event 10/);
  assert.equal(planResume(150, bounds, 50).reset?.reason, "unknown");
  assert.equal(
    planResume(3, { oldest: 10, latest: 12 }, 50).reset?.reason,
    "gap",
    "older than the oldest kept",
  );
});

Deno.test("GET /observer/stream sends live changes with their ids, after a ready event", async () => {
  await using fx = await bridgeFixture();
  const response = await fx.request("/observer/stream");
  assert.equal(response.status, 200);
  assert.match(
    response.headers.get("content-type") ?? "",
    /text\/event-stream/,
  );
  await using events = new SseReader(response.body!);
  const first = await events.next();
  assert.equal(first?.retry, 2000);
  const ready = await events.until("ready");
  const after = ready.data.after as number;
  assert.equal(after, fx.reader.changeBounds().latest);

  await fx.client.call("graph.update", {
    id: fx.seed.task,
    values: { priority: 1 },
  });
  const { message, data } = await events.until("change");
  assert.equal(Number(message.id), after + 1);
  assert.equal(data.id, after + 1);
  assert.equal(data.kind, "change");
  assert.equal(data.targetId, fx.seed.task);
  assert.equal(data.key, "priority");
  assert.equal(data.new, 1);
});

Deno.test("GET /observer/stream with Last-Event-ID replays exactly the missed changes, in order", async () => {
  await using fx = await bridgeFixture();
  const start = fx.reader.changeBounds().latest;
  for (const priority of [3, 4, 5]) {
    await fx.client.call("graph.update", {
      id: fx.seed.task,
      values: { priority },
    });
  }
  const response = await fx.request("/observer/stream", {
    headers: { "last-event-id": String(start + 1) },
  });
  await using events = new SseReader(response.body!);
  const ids: number[] = [];
  let ready = false;
  await within(
    "two replayed changes",
    (async () => {
      while (ids.length < 2) {
        const message = await events.next();
        if (message === undefined) throw new Error("The stream ended early");
        if (message.event === "ready") ready = true;
        if (message.event === "change") ids.push(Number(message.id));
      }
    })(),
  );
  assert.equal(ready, true);
  assert.deepEqual(ids, [start + 2, start + 3]);

  const since = await fx.request(`/observer/stream?since=${start + 2}`);
  await using fromQuery = new SseReader(since.body!);
  assert.equal(Number((await fromQuery.until("change")).message.id), start + 3);
});

Deno.test("GET /observer/stream says reset, with the newest id, when the gap is beyond the replay window", async () => {
  await using fx = await bridgeFixture({ limits: { replayWindow: 2 } });
  const latest = fx.reader.changeBounds().latest;
  assert.ok(latest > 3);
  const response = await fx.request("/observer/stream", {
    headers: { "last-event-id": "1" },
  });
  await using events = new SseReader(response.body!);
  const reset = await events.until("reset");
  assert.equal(
    reset.message.id,
    String(latest),
    "a reconnect resumes from now",
  );
  assert.equal(reset.data.reason, "gap");
  assert.equal(reset.data.lastEventId, 1);
  assert.match(String(reset.data.message), /reload your data/);
  await events.until("ready");

  const unknown = await fx.request("/observer/stream", {
    headers: { "last-event-id": String(latest + 1000) },
  });
  await using other = new SseReader(unknown.body!);
  assert.equal((await other.until("reset")).data.reason, "unknown");
});

Deno.test("GET /observer/stream refuses a bad Last-Event-ID and too many streams, and sends heartbeats", async () => {
  await using fx = await bridgeFixture({
    limits: { maxStreams: 1, heartbeatMs: 20 },
  });
  const bad = await fx.request("/observer/stream", {
    headers: { "last-event-id": "abc" },
  });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /Last-Event-ID/);

  const response = await fx.request("/observer/stream");
  await using events = new SseReader(response.body!);
  await events.until("ready");
  const second = await fx.request("/observer/stream");
  assert.equal(second.status, 503);
  assert.match(
    (await second.json()).error.message,
    /Too many observer streams/,
  );
  const heartbeat = await within(
    "a heartbeat comment",
    (async () => {
      let message = await events.next();
      while (message && message.comment === undefined) {
        message = await events.next();
      }
      return message;
    })(),
  );
  assert.match(heartbeat?.comment ?? "", /^heartbeat /);
});

Deno.test("GET /observer/stream shares one engine subscription between streams and releases it when the last goes", async () => {
  await using fx = await bridgeFixture();
  const subscribers = async () =>
    (await fx.client.call<{ counts: { subscribers: number } }>("engine.status"))
      .counts.subscribers;
  const streams = [];
  for (let i = 0; i < 3; i++) {
    const response = await fx.request("/observer/stream");
    const events = new SseReader(response.body!);
    await events.until("ready");
    streams.push(events);
  }
  assert.equal(await subscribers(), 1);
  await fx.client.call("graph.update", {
    id: fx.seed.task,
    values: { priority: 9 },
  });
  for (const events of streams) {
    assert.equal((await events.until("change")).data.new, 9);
  }
  for (const events of streams) await events[Symbol.asyncDispose]();
  await waitFor(
    "the engine subscription to be released",
    async () => await subscribers() === 0,
  );
});

Deno.test("GET /observer/stream passes call events on without an id and strips credential fields", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agentos-stub-" });
  const dispatcher = new RpcDispatcher();
  dispatcher.register("observer.subscribe", (_params, request) => {
    // Calls go on while the bridge listens; the stream shows those after it joined.
    const timer = setInterval(() => {
      request.notify("observer.event", {
        kind: "call",
        phase: "started",
        at: new Date().toISOString(),
        capability: "llm",
        params: {
          prompt: "hi",
          auth: { key: "sk-secret" },
          nested: [{ api_key: "sk-2", keep: 1 }],
        },
      });
    }, 5);
    request.signal.addEventListener("abort", () => clearInterval(timer));
    return { subscribed: true, after: 0 };
  });
  const server = new RpcServer(dispatcher, {
    path: `${dir}/stub.sock`,
    maxLineBytes: 1 << 20,
  });
  try {
    await using fx = await bridgeFixture({ socket: `${dir}/stub.sock` });
    const response = await fx.request("/observer/stream");
    await using events = new SseReader(response.body!);
    const call = await events.until("call");
    assert.equal(
      call.message.id,
      undefined,
      "call events are not persisted, so they carry no id",
    );
    assert.equal(call.data.phase, "started");
    assert.deepEqual(call.data.params, { prompt: "hi", nested: [{ keep: 1 }] });
    assert.equal(call.message.data?.includes("sk-"), false);
  } finally {
    await server.close(0);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a slow SSE client is cut off at its backlog bound, and the bridge and its other streams go on", async () => {
  await using fx = await bridgeFixture({
    limits: { maxStreamBacklog: 20, coalesceMs: 0 },
  });
  // A stream nobody reads: its events pile up until the bound cuts it off.
  const stalled = await fx.request("/observer/stream");
  assert.equal(stalled.status, 200);
  const reading = await fx.request("/observer/stream");
  const events = new SseReader(reading.body!);
  await events.until("ready");
  // The reading stream is consumed while the changes land.
  let seen = 0;
  let ended = false;
  const consuming = (async () => {
    for (;;) {
      const message = await events.next();
      if (!message) return void (ended = true);
      if (message.id !== undefined) seen = Number(message.id);
    }
  })();
  for (let i = 0; i < 300; i++) {
    await fx.client.call("graph.update", {
      id: fx.seed.task,
      values: { priority: i },
    });
  }
  const last = fx.reader.changeBounds().latest;
  await waitFor(
    `the reading stream to reach change ${last}`,
    () => seen >= last || ended,
  );
  assert.equal(seen, last, "the stream that kept reading got every change");
  const reader = stalled.body!.getReader();
  let closed = false;
  for (let i = 0; i < 10_000 && !closed; i++) {
    closed = (await within("the stalled stream's next chunk", reader.read()))
      .done;
  }
  assert.ok(
    closed,
    "the stalled stream was closed rather than buffered without bound",
  );
  const shapes = await fx.request("/shapes");
  assert.equal(shapes.status, 200);
  await shapes.body?.cancel();
  await events[Symbol.asyncDispose]();
  await consuming;
});
