/**
 * The one-time open code's rules on their own: made under the app token,
 * accepted once, only until it expires, never with an expiry further out
 * than a fresh code's, and only with a MAC that matches in every character.
 */
import assert from "node:assert/strict";
import { makeOpenCode, OPEN_CODE_TTL_S, OpenCodes } from "./mod.ts";

const TOKEN = "aos_app_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
const OTHER = "aos_app_ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjih";
const NOW = Date.UTC(2026, 0, 1);

Deno.test("OpenCodes.redeem() accepts a fresh code once, then refuses it", async () => {
  const codes = new OpenCodes();
  const code = await makeOpenCode(TOKEN, NOW);
  assert.equal(await codes.redeem(code, TOKEN, NOW), undefined);
  assert.equal(
    await codes.redeem(code, TOKEN, NOW + 1000),
    "the code was already used",
  );
  // Another fresh code still works.
  const second = await makeOpenCode(TOKEN, NOW);
  assert.equal(await codes.redeem(second, TOKEN, NOW), undefined);
});

Deno.test("OpenCodes.redeem() refuses a code past its expiry, and accepts it up to then", async () => {
  const code = await makeOpenCode(TOKEN, NOW);
  const ttl = OPEN_CODE_TTL_S * 1000;
  assert.equal(
    await new OpenCodes().redeem(code, TOKEN, NOW + ttl + 1000),
    "the code has expired",
  );
  assert.equal(await new OpenCodes().redeem(code, TOKEN, NOW + ttl), undefined);
});

Deno.test("OpenCodes.redeem() refuses a code whose expiry lies further out than a fresh code's", async () => {
  // Made (under the right token) as if an hour from now: its expiry is valid
  // in form and MAC, but longer than any code made now could live.
  const code = await makeOpenCode(TOKEN, NOW + 3600_000);
  assert.equal(
    await new OpenCodes().redeem(code, TOKEN, NOW),
    "the code is not valid",
  );
});

Deno.test("OpenCodes.redeem() refuses a code made under another token, or with any one MAC character changed", async () => {
  const codes = new OpenCodes();
  assert.equal(
    await codes.redeem(await makeOpenCode(OTHER, NOW), TOKEN, NOW),
    "the code is not valid",
  );
  const code = await makeOpenCode(TOKEN, NOW);
  const at = code.lastIndexOf(".") + 1;
  for (let i = at; i < code.length; i++) {
    const other = code[i] === "A" ? "B" : "A";
    const changed = code.slice(0, i) + other + code.slice(i + 1);
    assert.equal(
      await codes.redeem(changed, TOKEN, NOW),
      "the code is not valid",
      `MAC position ${i - at}`,
    );
  }
  assert.equal(await codes.redeem("1.2.3", TOKEN, NOW), "not an open code");
  assert.equal(await codes.redeem(42, TOKEN, NOW), "not an open code");
  // The original, untouched, is still good.
  assert.equal(await codes.redeem(code, TOKEN, NOW), undefined);
});

Deno.test("OpenCodes.redeem(): a code lives 120 s, and stays used until its last second is over", async () => {
  assert.equal(OPEN_CODE_TTL_S, 120);
  const code = await makeOpenCode(TOKEN, NOW);
  assert.equal(
    await new OpenCodes().redeem(code, TOKEN, NOW + 121_000),
    "the code has expired",
  );
  const codes = new OpenCodes();
  assert.equal(await codes.redeem(code, TOKEN, NOW + 120_000), undefined);
  // Redeemed in its last second, it is not forgotten within that second.
  assert.equal(
    await codes.redeem(code, TOKEN, NOW + 120_999),
    "the code was already used",
  );
});
