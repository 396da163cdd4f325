/**
 * `guardResponse()` with a real guard pool: a large body (64 KiB or more)
 * comes back decoded by its declared charset and masked as a small one
 * is, its JSON made on the guard worker and spliced into the line the
 * skill reads; a small body is decoded and masked here as before.
 */
import assert from "node:assert/strict";
import {
  CallCredentials,
  GuardPool,
  INLINE_GUARD_CHARS,
} from "../credentials/mod.ts";
import { encodeJsonLine } from "../../rpc/mod.ts";
import { guardResponse } from "./request_response.ts";
import { requestDeadline } from "./request_deadline.ts";

const VALUE = "sk-response/KEY+77=a1b2&c";
const URL_A = new URL("https://api.example.test/v1");

function credentials(): { credentials: CallCredentials; placeholder: string } {
  const credentials = new CallCredentials(true);
  const placeholder = credentials.add({
    domain: "example.test",
    value: VALUE,
    scope: { domain: "example.test" },
  }) as string;
  return { credentials, placeholder };
}

async function guarded(
  body: Uint8Array<ArrayBuffer>,
  contentType: string,
  pool: GuardPool,
  masking?: CallCredentials,
) {
  const trace = { checks: {}, bytesIn: 0, bytesOut: 0 };
  const response = new Response(body, {
    headers: { "content-type": contentType, "x-echo": VALUE },
  });
  const result = await guardResponse(
    response,
    { method: "GET", url: URL_A, headers: new Headers(), body: undefined },
    masking,
    requestDeadline({}, undefined),
    trace,
    { pool, budgetMs: 600_000 },
  );
  return { result, bytesIn: trace.bytesIn };
}

const latin1 = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(text, (c) => c.charCodeAt(0));

Deno.test("guardResponse() decodes and masks a large body off the main thread as a small one here, by the declared charset", async () => {
  const pool = new GuardPool(1);
  try {
    const { credentials: masking, placeholder } = credentials();
    for (const size of [100, INLINE_GUARD_CHARS + 100]) {
      const text = "caf\u00e9 ".repeat(size / 5) + VALUE + "\u00ff";
      const bytes = latin1(text);
      const { result, bytesIn } = await guarded(
        bytes,
        "text/plain; charset=iso-8859-1",
        pool,
        masking,
      );
      assert.equal(bytesIn, bytes.length);
      // Not assert.equal: its diff of a large text would take minutes.
      assert.ok(result.body === text.replace(VALUE, placeholder));
      assert.equal(result.headers["x-echo"], placeholder);
      const reply = { __type__: "dispatch_result", id: 1, result };
      const line = encodeJsonLine(reply);
      const expected = new TextEncoder().encode(JSON.stringify(reply) + "\n");
      assert.ok(
        line.length === expected.length &&
          line.every((byte, i) => byte === expected[i]),
      );
    }
  } finally {
    pool.close();
  }
});

Deno.test("guardResponse() without credentials decodes a large body on a guard worker, unmasked", async () => {
  const pool = new GuardPool(1);
  try {
    const text = "\u4e00".repeat(INLINE_GUARD_CHARS) + VALUE;
    const { result } = await guarded(
      new TextEncoder().encode(text),
      "text/plain",
      pool,
    );
    assert.ok(result.body === text);
  } finally {
    pool.close();
  }
});
