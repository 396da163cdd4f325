import assert from "node:assert/strict";
import {
  type AgentOS,
  createClient,
  type ObserverEvent,
} from "../bridge/static/sdk.js";
import { type BridgeFixture, bridgeFixture } from "./bridge_fixture.ts";
import { waitFor } from "./_wait.ts";

function sdk(fx: BridgeFixture, token?: string): AgentOS {
  return createClient({
    baseUrl: "http://127.0.0.1:3456/",
    token,
    fetch: (input, init) => Promise.resolve(fx.app.request(input, init)),
  });
}

Deno.test("the SDK reads the graph, shapes and user through the bridge", async () => {
  await using fx = await bridgeFixture();
  // Reads need the token too.
  await assert.rejects(
    sdk(fx).shapes(),
    (error: Error & { status?: number }) => error.status === 401,
  );
  const agentos = sdk(fx, fx.token);
  const { items, cursor } = await agentos.graph.list({
    shape: "task",
    where: { priority: 2 },
    limit: 10,
  });
  assert.deepEqual(items.map((item) => item.id), [fx.seed.task]);
  assert.equal(cursor, null);
  const ada = await agentos.graph.get(fx.seed.ada);
  assert.equal(ada.edges_in[0]?.from, fx.seed.task);
  const { changes } = await agentos.graph.history(fx.seed.ada, { limit: 2 });
  assert.equal(changes.length, 2);
  const shapes = await agentos.shapes();
  assert.equal(shapes.find((shape) => shape.name === "person")?.count, 1);
  assert.equal((await agentos.user()).id, fx.seed.ada);
  await assert.rejects(
    () => agentos.graph.get("0000000000zzzzzzzzzzzz"),
    (error: Error & { status?: number; code?: string }) =>
      error.status === 404 && error.code === "not_found",
  );
});

Deno.test("the SDK writes only with the token, and its writes reach the engine", async () => {
  await using fx = await bridgeFixture();
  const anonymous = sdk(fx);
  await assert.rejects(
    () => anonymous.graph.create({ shape: "note", values: { name: "x" } }),
    (error: Error & { status?: number }) => error.status === 401,
  );
  anonymous.setToken(fx.token);
  const { id } = await anonymous.graph.create({
    shape: "note",
    values: { name: "A note" },
  });
  await anonymous.graph.update(id, { name: "Renamed" });
  await anonymous.graph.link(id, "about", fx.seed.task);
  assert.equal((await anonymous.graph.get(id)).edges_out[0]?.to, fx.seed.task);
  assert.equal((await anonymous.graph.delete(id)).deleted, true);
  assert.equal((await anonymous.graph.restore(id)).restored, true);
  const node = await fx.client.call<{ values: { name: string } }>("graph.get", {
    id,
  });
  assert.equal(node.values.name, "Renamed");
});

Deno.test("the SDK's observe() delivers changes and, after a dropped stream, resumes without loss", async () => {
  await using fx = await bridgeFixture({ limits: { retryMs: 20 } });
  const agentos = sdk(fx, fx.token);
  const events: ObserverEvent[] = [];
  const observation = agentos.observe((event) => events.push(event));
  try {
    await waitFor(
      "the ready event",
      () => events.some((event) => event.kind === "ready"),
    );
    await fx.client.call("graph.update", {
      id: fx.seed.task,
      values: { priority: 1 },
    });
    await waitFor(
      "the first change",
      () => events.some((event) => event.kind === "change"),
    );

    // Drop every engine connection: the stream ends and the SDK reconnects
    // with Last-Event-ID; changes made meanwhile must arrive exactly once.
    await fx.link.close();
    await fx.client.call("graph.update", {
      id: fx.seed.task,
      values: { priority: 2 },
    });
    await fx.client.call("graph.update", {
      id: fx.seed.task,
      values: { priority: 3 },
    });
    await waitFor(
      "three changes",
      () => events.filter((event) => event.kind === "change").length >= 3,
    );
    await waitFor(
      "the second ready event (the reconnection)",
      () => events.filter((event) => event.kind === "ready").length >= 2,
    );
    const changes = events.filter((event) => event.kind === "change") as {
      id: number;
      new: unknown;
    }[];
    assert.deepEqual(changes.map((change) => change.new), [1, 2, 3]);
    const ids = changes.map((change) => change.id);
    assert.deepEqual(ids, [ids[0]!, ids[0]! + 1, ids[0]! + 2]);
    assert.equal(observation.lastEventId, ids[2]);
  } finally {
    await observation.close();
  }
});

Deno.test("the SDK's observe() stops and reports when the bridge refuses the stream", async () => {
  await using fx = await bridgeFixture({ origins: ["http://localhost:5173"] });
  const agentos = createClient({
    baseUrl: "http://127.0.0.1:3456",
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set("origin", "http://localhost:5173");
      return Promise.resolve(fx.app.request(input, { ...init, headers }));
    },
  });
  const errors: unknown[] = [];
  const observation = agentos.observe(() => {}, {
    onError: (error) => errors.push(error),
  });
  await waitFor("the refusal to reach onError", () => errors.length > 0);
  await observation.close();
  assert.equal((errors[0] as { status: number }).status, 401);
});
