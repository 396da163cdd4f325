/**
 * A large response body off the main thread, with a real worker pool: its
 * bytes go to a guard worker (transferred), are decoded there by their
 * charset exactly as `readBody` decodes them and masked exactly as on the
 * main thread, and only the masked text's JSON comes back; the call's guard
 * budget holds as for a text.
 */
import assert from "node:assert/strict";
import { CallCredentials, GuardPool, INLINE_GUARD_CHARS } from "./mod.ts";
import { RpcError } from "../../errors.ts";

const VALUE = "sk-body/KEY+77=a1b2&c";

function masked(flag = true): {
  credentials: CallCredentials;
  placeholder: string;
} {
  const credentials = new CallCredentials(flag);
  const placeholder = credentials.add({
    domain: "example.com",
    value: VALUE,
    scope: { domain: "example.com" },
  }) as string;
  return { credentials, placeholder };
}

/** A large text holding the value raw and encoded, in Latin-1 characters only. */
const text = "x".repeat(INLINE_GUARD_CHARS) + VALUE + " caf\u00e9 " +
  btoa(encodeURIComponent(VALUE)) + "%252525&amp;\u00ff".repeat(20_000);

/** Equal bytes (assert's diff of megabytes would take minutes). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function utf16le(of: string): Uint8Array {
  const bytes = new Uint8Array(of.length * 2);
  for (let i = 0; i < of.length; i++) {
    bytes[2 * i] = of.charCodeAt(i) & 0xff;
    bytes[2 * i + 1] = of.charCodeAt(i) >> 8;
  }
  return bytes;
}

/** The bytes and two that are not UTF-8 (each decoded to U+FFFD). */
function withInvalid(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 2);
  out.set(bytes);
  out.set([0xff, 0xc3], bytes.length);
  return out;
}

function latin1(of: string): Uint8Array {
  return Uint8Array.from(of, (c) => c.charCodeAt(0));
}

const BODIES: [string, Uint8Array][] = [
  ["utf-8", new TextEncoder().encode(text + "\u4e00\ud83d\ude00")],
  ["utf-8", withInvalid(new TextEncoder().encode(text))],
  ["windows-1252", latin1(text + "\x80\x9f")],
  ["utf-16le", utf16le(text + "\u4e00")],
];

Deno.test("a large body is decoded by its charset and masked on a guard worker as on the main thread, only its JSON sent back", async () => {
  const pool = new GuardPool(1);
  try {
    const { credentials, placeholder } = masked();
    for (const [charset, bytes] of BODIES) {
      const read = new TextDecoder(charset).decode(bytes);
      const off = await credentials.maskBodyOffThread(
        { bytes: bytes.slice(), charset },
        { pool, budgetMs: 600_000 },
      );
      const shown = credentials.mask(read);
      assert.ok(
        sameBytes(off.json, new TextEncoder().encode(JSON.stringify(shown))),
        charset,
      );
      assert.ok(shown.includes(placeholder), charset);
      assert.ok(!shown.includes(VALUE), charset);
    }
  } finally {
    pool.close();
  }
});

Deno.test("a body's bytes are transferred to the guard worker, not copied", async () => {
  const pool = new GuardPool(1);
  try {
    const bytes = new TextEncoder().encode(text);
    await masked().credentials.maskBodyOffThread(
      { bytes, charset: "utf-8" },
      { pool, budgetMs: 600_000 },
    );
    assert.equal(bytes.byteLength, 0);
  } finally {
    pool.close();
  }
});

Deno.test("a body past the call's guard budget fails, and so does every later text of the call", async () => {
  const pool = new GuardPool(1);
  try {
    const { credentials } = masked();
    const guard = { pool, budgetMs: 1 };
    const budgetError = (error: unknown) =>
      error instanceof RpcError &&
      /spent this call's budget of 1 ms/.test(error.message);
    await assert.rejects(
      credentials.maskBodyOffThread(
        { bytes: new TextEncoder().encode(text.repeat(8)), charset: "utf-8" },
        guard,
      ),
      budgetError,
    );
    await assert.rejects(
      credentials.maskOffThread("small", guard),
      budgetError,
    );
  } finally {
    pool.close();
  }
});

Deno.test("a call that masks nothing has its large body only decoded on a worker, its budget not counted", async () => {
  const pool = new GuardPool(1);
  try {
    const { credentials } = masked(false);
    const guard = { pool, budgetMs: 1 };
    for (const [charset, bytes] of BODIES) {
      const off = await credentials.maskBodyOffThread(
        { bytes: bytes.slice(), charset },
        guard,
      );
      assert.ok(
        JSON.parse(new TextDecoder().decode(off.json)) ===
          new TextDecoder(charset).decode(bytes),
        charset,
      );
    }
  } finally {
    pool.close();
  }
});
