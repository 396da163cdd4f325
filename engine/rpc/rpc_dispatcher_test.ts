import assert from "node:assert/strict";
import { RpcDispatcher } from "./rpc_dispatcher.ts";
import { ErrorCode } from "../errors.ts";

const context = {
  connectionId: 1,
  notify() {},
  signal: new AbortController().signal,
};
const request = (id: number, method: string) => ({
  jsonrpc: "2.0",
  id,
  method,
});

Deno.test("hold() keeps requests until start-up is done, except the methods named", async () => {
  const dispatcher = new RpcDispatcher();
  dispatcher.register("engine.ping", () => ({ pong: true }));
  const started = Promise.withResolvers<void>();
  dispatcher.hold(started.promise, ["engine.ping"]);
  let answered = false;
  const held = dispatcher.handle(request(1, "graph.get"), context).then(
    (response) => {
      answered = true;
      return response;
    },
  );
  assert.deepEqual(
    await dispatcher.handle(request(2, "engine.ping"), context),
    {
      jsonrpc: "2.0",
      id: 2,
      result: { pong: true },
    },
  );
  // An unheld request is answered in microtasks, all of which run before
  // the next macrotask: after one, the held request would have answered.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(answered, false);
  // Registered while held, as the engine's services are.
  dispatcher.register("graph.get", () => ({ node: null }));
  started.resolve();
  assert.deepEqual(await held, {
    jsonrpc: "2.0",
    id: 1,
    result: { node: null },
  });
});

Deno.test("hold() answers held requests with ShuttingDown when start-up fails", async () => {
  const dispatcher = new RpcDispatcher();
  const started = Promise.withResolvers<void>();
  dispatcher.hold(started.promise, []);
  const held = dispatcher.handle(request(1, "graph.get"), context);
  started.reject(new Error("Engine failed to start: disk on fire"));
  assert.deepEqual(await held, {
    jsonrpc: "2.0",
    id: 1,
    error: {
      code: ErrorCode.ShuttingDown,
      message: "Engine failed to start: disk on fire",
    },
  });
});

Deno.test("handle() serves a batch of exactly the limit (1000 by default) and refuses one more with -32600", async () => {
  const dispatcher = new RpcDispatcher();
  dispatcher.register("engine.ping", () => ({ pong: true }));
  const batch = (size: number) =>
    Array.from({ length: size }, (_, i) => request(i + 1, "engine.ping"));
  const served = await dispatcher.handle(batch(1000), context);
  assert.ok(Array.isArray(served));
  assert.equal(served.length, 1000);
  assert.deepEqual(served[999], {
    jsonrpc: "2.0",
    id: 1000,
    result: { pong: true },
  });
  assert.deepEqual(await dispatcher.handle(batch(1001), context), {
    jsonrpc: "2.0",
    id: null,
    error: {
      code: ErrorCode.InvalidRequest,
      message: "Batch of 1001 requests exceeds the limit of 1000",
    },
  });
  const small = new RpcDispatcher({ maxBatch: 2 });
  small.register("engine.ping", () => ({ pong: true }));
  assert.equal((await small.handle(batch(2), context) as unknown[]).length, 2);
  assert.equal(
    (await small.handle(batch(3), context) as { error: { code: number } })
      .error.code,
    -32600,
  );
});
