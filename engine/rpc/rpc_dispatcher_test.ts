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
  await new Promise((resolve) => setTimeout(resolve, 20));
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
