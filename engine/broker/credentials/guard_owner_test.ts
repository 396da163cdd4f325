/**
 * A call's response bodies share one queue on the guard workers (the
 * call's credentials own it), so a call that pushes many large bodies
 * waits behind itself, not in front of every other call. Deterministic,
 * on one worker: `guard_pool_test.ts` holds the pool's turns, this the
 * owner a call's bodies are queued under; `tests/hostile_guard_queue_test.ts`
 * shows the same end to end, but only under load.
 */
import assert from "node:assert/strict";
import { CallCredentials } from "./call_credentials.ts";
import { GuardPool } from "./guard_pool.ts";

const KEY = "sk-owner/KEY+42=a1b2";

function masked(): CallCredentials {
  const credentials = new CallCredentials(true);
  credentials.add({
    domain: "example.com",
    value: KEY,
    scope: { domain: "example.com" },
  });
  return credentials;
}

/** A body in a buffer of its own (the pool takes the buffer). */
function body(text: string): { bytes: Uint8Array; charset: string } {
  return { bytes: new TextEncoder().encode(text), charset: "utf-8" };
}

Deno.test("one call's response bodies wait in one queue: another call's body is served in turn", async () => {
  const pool = new GuardPool(1);
  try {
    const guard = { pool, budgetMs: 600_000 };
    const hog = masked();
    const other = masked();
    const big = "%252525&amp;\u4e00".repeat(40_000);
    const done: string[] = [];
    const hogs = Array.from(
      { length: 6 },
      (_, i) =>
        hog.maskBodyOffThread(body(big), guard).then(() =>
          done.push(`hog${i}`)
        ),
    );
    const small = await other.maskBodyOffThread(body(`x ${KEY} y`), guard)
      .then((answer) => {
        done.push("other");
        return new TextDecoder().decode(answer.json);
      });
    assert.ok(!small.includes(KEY), small);
    await Promise.all(hogs);
    // The hog's first body was running and its second taken before the
    // other call's turn; a queue per body (or first come, first served)
    // puts the other call's body after all six.
    assert.deepEqual(done.slice(0, 3), ["hog0", "hog1", "other"], done.join());
  } finally {
    pool.close();
  }
});
