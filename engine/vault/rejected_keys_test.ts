import assert from "node:assert/strict";
import {
  MAX_REJECTED,
  REJECTED_KEEP_MS,
  RejectedKeys,
} from "./rejected_keys.ts";

const row = (domain: string, identifier = "", status = 401) => ({
  domain,
  identifier,
  status,
});

Deno.test("rejected keys: the newest refusal of a skill, kept 10 minutes, forgotten once replaced", () => {
  let now = 1_000_000;
  const keys = new RejectedKeys(() => now);
  assert.equal(keys.latest("a"), undefined);
  keys.note("a", row("one.test"));
  now += 1;
  keys.note("a", row("two.test", "me", 403));
  keys.note("b", row("one.test"));
  assert.equal(keys.latest("a")?.domain, "two.test");
  assert.equal(keys.latest("a")?.status, 403);
  assert.equal(keys.latest("c"), undefined);
  // Another row of the same domain is a different credential.
  keys.forget("two.test", "");
  assert.equal(keys.latest("a")?.domain, "two.test");
  keys.forget("two.test", "me");
  assert.equal(keys.latest("a")?.domain, "one.test");
  keys.forget("one.test", "");
  assert.equal(keys.latest("a"), undefined);
  assert.equal(keys.latest("b"), undefined);
  keys.note("a", row("one.test"));
  now += REJECTED_KEEP_MS - 1;
  assert.equal(keys.latest("a")?.domain, "one.test");
  now += 1;
  assert.equal(keys.latest("a"), undefined);
});

Deno.test("rejected keys: a noted row again replaces the older note; a flood keeps the newest", () => {
  let now = 0;
  const keys = new RejectedKeys(() => ++now);
  keys.note("a", row("one.test", "", 401));
  keys.note("a", row("one.test", "", 403));
  assert.equal(keys.latest("a")?.status, 403);
  keys.note("first", row("first.test"));
  for (let i = 0; i < MAX_REJECTED; i++) keys.note(`s${i}`, row(`d${i}.test`));
  assert.equal(keys.latest("first"), undefined);
  assert.equal(keys.latest("a"), undefined);
  assert.equal(
    keys.latest(`s${MAX_REJECTED - 1}`)?.domain,
    `d${MAX_REJECTED - 1}.test`,
  );
  assert.equal(keys.latest("s0")?.domain, "d0.test");
});
