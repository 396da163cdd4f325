import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../errors.ts";
import { method, param, readParams, registerTable } from "./method_table.ts";
import { RpcDispatcher } from "./rpc_dispatcher.ts";

const request = {
  connectionId: 1,
  notify: () => {},
  signal: new AbortController().signal,
};

Deno.test("readParams reads each parameter by its reader, in the schema's order", () => {
  const schema = { id: param.string(4), limit: param.optionalInteger(10) };
  assert.deepEqual(readParams(schema, { id: "abcd", limit: 3 }), {
    id: "abcd",
    limit: 3,
  });
  // Both are wrong: the first in the schema's order is the one named.
  assert.throws(
    () => readParams(schema, { id: "toolong", limit: -1 }),
    (e: unknown) =>
      e instanceof RpcError && e.code === ErrorCode.InvalidParams &&
      e.message.startsWith('"id" must be a string of 1 to 4 characters'),
  );
});

Deno.test("a registered table serves each method with its parameters checked", async () => {
  const dispatcher = new RpcDispatcher();
  registerTable(dispatcher, {
    "t.echo": method({ text: param.string() }, ({ text }) => ({ text })),
    "t.all": method({ all: param.all() }, ({ all }) => Object.keys(all)),
  });
  assert.deepEqual(dispatcher.methods(), ["t.all", "t.echo"]);
  const ok = await dispatcher.handle(
    { jsonrpc: "2.0", id: 1, method: "t.echo", params: { text: "hi" } },
    request,
  );
  assert.deepEqual(ok, { jsonrpc: "2.0", id: 1, result: { text: "hi" } });
  const bad = await dispatcher.handle(
    { jsonrpc: "2.0", id: 2, method: "t.echo", params: { text: 5 } },
    request,
  );
  assert.equal(
    (bad as { error: { code: number } }).error.code,
    ErrorCode.InvalidParams,
  );
  assert.throws(
    () => registerTable(dispatcher, { "t.echo": method({}, () => null) }),
    TypeError,
  );
});
