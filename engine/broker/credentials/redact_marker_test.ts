/**
 * What a recording keeps of a value: `[secret]` in its place, whether the
 * text is small (redacted inline) or large (redacted on a guard worker);
 * and a value with a character past U+FFFF echoed as a numeric character
 * reference (`&#128512;`, `&#x1F600;`) is found like the value itself.
 */
import assert from "node:assert/strict";
import { CallCredentials, GuardPool, INLINE_GUARD_CHARS } from "./mod.ts";
import { ReflectionGuard } from "./reflection_guard.ts";

const VALUE = "sk-rec/KEY+41=z9y8";

Deno.test("redactOffThread puts [secret] where each value was, small or large", async () => {
  const pool = new GuardPool(1);
  try {
    const credentials = new CallCredentials(true);
    credentials.add({
      domain: "example.com",
      value: VALUE,
      scope: { domain: "example.com" },
    });
    const guard = { pool, budgetMs: 10_000 };
    const small = `key=${VALUE}; again ${VALUE}.`;
    assert.equal(
      await credentials.redactOffThread(small, guard),
      "key=[secret]; again [secret].",
    );
    const filler = "x".repeat(INLINE_GUARD_CHARS);
    const large = `${filler}${VALUE}${filler}`;
    const redacted = await credentials.redactOffThread(large, guard);
    assert.ok(
      redacted === `${filler}[secret]${filler}`,
      `large text redacted as ${
        JSON.stringify(redacted.slice(filler.length - 4, -filler.length + 4))
      }`,
    );
  } finally {
    pool.close();
  }
});

Deno.test("reflection guard: a value holding a character past U+FFFF, echoed as a numeric reference, is masked", () => {
  const value = "Zq9x4W\u{1F600}Lm2Kw7";
  const guard = new ReflectionGuard([{ value, replacement: "[S]" }]);
  for (const reference of ["&#128512;", "&#x1F600;", "&#x1f600"]) {
    const text = `before Zq9x4W${reference}Lm2Kw7 after`;
    assert.equal(guard.scrub(text), "before [S] after", reference);
  }
  // A neighbouring code point is another character: nothing to mask.
  const other = "before Zq9x4W&#128513;Lm2Kw7 after";
  assert.equal(guard.scrub(other), other);
});
