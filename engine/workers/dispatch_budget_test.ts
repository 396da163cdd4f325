import assert from "node:assert/strict";
import { DispatchBudget } from "./dispatch_budget.ts";

Deno.test("DispatchBudget.take() refuses past its own limits and its parent's, counting nothing then", () => {
  const engine = new DispatchBudget({ dispatches: 3, bytes: 100 }, {
    what: "the engine",
  });
  const call = new DispatchBudget({ dispatches: 2, bytes: 60 }, {
    parent: engine,
  });
  const other = new DispatchBudget({ dispatches: 2, bytes: 60 }, {
    parent: engine,
  });
  assert.equal(call.take(30), undefined);
  assert.equal(call.take(30), undefined);
  assert.equal(call.take(0)?.scope, "this call", "a third dispatch");
  assert.match(call.take(0)!.message, /has 2 dispatches.*most allowed is 2/);
  call.release(30);
  assert.equal(call.take(31)?.scope, "this call", "60 bytes would be passed");
  assert.equal(call.take(30), undefined, "exactly the byte limit is allowed");
  assert.deepEqual([call.held, call.bytes], [2, 60]);
  // The engine holds 2 dispatches, 60 bytes: another call may add 40 bytes.
  assert.equal(other.take(41)?.scope, "the engine");
  assert.deepEqual([other.held, engine.held, engine.bytes], [0, 2, 60]);
  assert.equal(other.take(40), undefined);
  assert.equal(other.take(0)?.scope, "the engine", "a fourth dispatch");
  call.release(30);
  other.release(40);
  call.release(30);
  assert.deepEqual([engine.held, engine.bytes], [0, 0]);
});
