/**
 * The guard pool serves its owners in turn: one call that queues many
 * texts does not keep another call's text waiting behind all of them
 * (a hostile call pushed 24 crafted bodies and held another call's
 * response for 16 s while the queue was first come, first served).
 */
import assert from "node:assert/strict";
import { GuardPool } from "./mod.ts";

const SECRETS = [{ value: "sk-turn/KEY+42=a1b2", replacement: "[S]" }];
const BODY = "%252525&amp;\u4e00".repeat(40_000);

Deno.test("the guard pool serves each owner's queue in turn", async () => {
  const pool = new GuardPool(1);
  try {
    const hog = {};
    const other = {};
    const done: string[] = [];
    const hogs = Array.from(
      { length: 6 },
      (_, i) =>
        pool.scrub(SECRETS, BODY, 600_000, hog).then(() =>
          done.push(`hog${i}`)
        ),
    );
    const waited = pool.scrub(SECRETS, "small", 600_000, other).then((r) => {
      done.push("other");
      return r.text;
    });
    assert.equal(await waited, "small");
    await Promise.all(hogs);
    // The hog's first job was running; its second was taken before the
    // other owner's job, then the other owner's turn came.
    assert.deepEqual(done.slice(0, 3), ["hog0", "hog1", "other"], done.join());
  } finally {
    pool.close();
  }
});

Deno.test("one owner's jobs keep their order", async () => {
  const pool = new GuardPool(1);
  try {
    const owner = {};
    const done: number[] = [];
    await Promise.all(
      Array.from(
        { length: 5 },
        (_, i) =>
          pool.scrub(SECRETS, `${i} ${BODY}`, 600_000, owner).then(() =>
            done.push(i)
          ),
      ),
    );
    assert.deepEqual(done, [0, 1, 2, 3, 4]);
  } finally {
    pool.close();
  }
});

Deno.test("close fails every waiting job of every owner", async () => {
  const pool = new GuardPool(1);
  const jobs = [{}, {}, {}].flatMap((owner) =>
    [0, 1].map(() => pool.scrub(SECRETS, BODY, 600_000, owner))
  );
  pool.close();
  const results = await Promise.allSettled(jobs);
  assert.ok(results.every((r) => r.status === "rejected"));
});
