/**
 * The guard off the main thread, with a real worker pool: a large text is
 * masked on a worker exactly as on the main thread; a call past its guard
 * budget gets the budget error, and so does every later text of the call,
 * large or small (the inline path checks the budget too).
 */
import assert from "node:assert/strict";
import { CallCredentials, GuardPool, INLINE_GUARD_CHARS } from "./mod.ts";
import { RpcError } from "../../errors.ts";

const VALUE = "sk-budget/KEY+77=a1b2&c";

function masked(): { credentials: CallCredentials; placeholder: string } {
  const credentials = new CallCredentials(true);
  const placeholder = credentials.add({
    domain: "example.com",
    value: VALUE,
    scope: { domain: "example.com" },
  }) as string;
  return { credentials, placeholder };
}

const large = (inner: string) =>
  "x".repeat(INLINE_GUARD_CHARS) + btoa(encodeURIComponent(inner)) +
  "%252525&amp;\u4e00".repeat(200_000);

Deno.test("a large text is masked on a guard worker as on the main thread", async () => {
  const pool = new GuardPool(1);
  try {
    const { credentials, placeholder } = masked();
    const text = large(VALUE);
    const off = await credentials.maskOffThread(text, {
      pool,
      budgetMs: 600_000,
    });
    assert.equal(off, credentials.mask(text));
    assert.ok(off.includes(placeholder));
  } finally {
    pool.close();
  }
});

Deno.test("past its guard budget a call's responses fail, the small ones too", async () => {
  const pool = new GuardPool(1);
  try {
    const { credentials } = masked();
    const guard = { pool, budgetMs: 1 };
    const budgetError = (error: unknown) =>
      error instanceof RpcError &&
      /spent this call's budget of 1 ms/.test(error.message);
    await assert.rejects(
      credentials.maskOffThread(large(VALUE), guard),
      budgetError,
    );
    await assert.rejects(
      credentials.maskOffThread("small", guard),
      budgetError,
    );
    await assert.rejects(
      credentials.redactOffThread("small", guard),
      budgetError,
    );
    // Another call is not affected.
    const other = masked().credentials;
    assert.equal(
      await other.maskOffThread("small", { pool, budgetMs: 60_000 }),
      "small",
    );
  } finally {
    pool.close();
  }
});
