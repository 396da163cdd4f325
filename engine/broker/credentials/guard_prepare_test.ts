/**
 * The automata of a call's guards are built on a guard worker and sent to
 * the main thread: after `CallCredentials.ready()`, masking, redacting and
 * checking what a request carries build nothing on the main thread, and
 * what they find is what a set built here finds.
 */
import assert from "node:assert/strict";
import { CallCredentials, GuardPool } from "./mod.ts";
import { builtHere } from "./reflection_forms.ts";

function withValue(value: string): {
  credentials: CallCredentials;
  placeholder: string;
} {
  const credentials = new CallCredentials(true);
  const placeholder = credentials.add({
    domain: "example.com",
    value: { key: value, user: `${value}-user` },
    scope: { domain: "example.com" },
  }) as Record<string, string>;
  return { credentials, placeholder: placeholder.key! };
}

/** A value no other test prepared (the sets are cached by value). */
const fresh = () => `sk-prep/${crypto.randomUUID()}+K=1&z`;

Deno.test("after ready() a call's guards build no automaton on the main thread", async () => {
  const pool = new GuardPool(1);
  try {
    const value = fresh();
    const { credentials, placeholder } = withValue(value);
    await credentials.ready(pool);
    const before = builtHere();
    const echoed = `{"echo":"${btoa(encodeURIComponent(value))}"}`;
    assert.ok(credentials.mask(echoed).includes(placeholder));
    assert.equal(credentials.redact(`key=${value}`), "key=[secret]");
    assert.equal(credentials.carriedIn([`Bearer ${value}`]).length, 1);
    assert.equal(builtHere(), before, "the main thread built a set");
    // Without ready(), the same calls build here: the count can fail.
    const other = withValue(fresh());
    other.credentials.mask("anything");
    assert.ok(builtHere() > before);
  } finally {
    pool.close();
  }
});

Deno.test("two calls preparing the same values at once both find them prepared", async () => {
  const pool = new GuardPool(1);
  try {
    const value = fresh();
    const a = withValue(value), b = withValue(value);
    await Promise.all([a.credentials.ready(pool), b.credentials.ready(pool)]);
    const before = builtHere();
    assert.ok(a.credentials.mask(value).startsWith(a.placeholder));
    assert.ok(b.credentials.mask(value).startsWith(b.placeholder));
    assert.equal(builtHere(), before);
  } finally {
    pool.close();
  }
});
