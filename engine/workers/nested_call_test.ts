import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../errors.ts";
import { NestedSlots } from "./nested_call.ts";

Deno.test("NestedSlots runs at most its size at once; a wait ends with the call and gives up its place", async () => {
  const slots = new NestedSlots(1);
  let release!: () => void;
  const first = slots.run(
    undefined,
    () => new Promise<string>((resolve) => release = () => resolve("first")),
  );
  const ended = new AbortController();
  let secondRan = false;
  const second = slots.run(ended.signal, () => {
    secondRan = true;
    return Promise.resolve("second");
  });
  const third = slots.run(undefined, () => Promise.resolve("third"));
  ended.abort();
  await assert.rejects(
    second,
    (error: unknown) =>
      error instanceof RpcError && error.code === ErrorCode.SkillFailed &&
      /ended while it waited/.test(error.message),
  );
  release();
  assert.equal(await first, "first");
  assert.equal(await third, "third");
  assert.equal(secondRan, false, "the abandoned wait never ran");
  await assert.rejects(
    slots.run(ended.signal, () => Promise.resolve("late")),
    /ended while it waited/,
  );
});
