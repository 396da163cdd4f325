import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import { cryptoOp, MAX_ITERATIONS } from "./crypto_ops.ts";

Deno.test("cryptoOp() pbkdf2 matches RFC 6070 (PBKDF2-HMAC-SHA1)", async () => {
  assert.equal(
    await cryptoOp("pbkdf2", {
      password: "password",
      salt: "salt",
      iterations: 2,
      length: 20,
    }),
    "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957",
  );
  // Defaults: one iteration, 16 bytes (the first 16 of RFC 6070 case 1).
  assert.equal(
    await cryptoOp("pbkdf2", { password: "password", salt: "salt" }),
    "0c60c80f961f0e71f3a9b524af601206",
  );
});

Deno.test("cryptoOp() hkdf matches RFC 5869 test case 3 (no salt, no info)", async () => {
  assert.equal(
    await cryptoOp("hkdf", { key: "0b".repeat(22), length: 42 }),
    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
  );
});

Deno.test("cryptoOp() aes decrypts NIST SP 800-38A CBC-AES128 block 1", async () => {
  const key = "2b7e151628aed2a6abf7158809cf4f3c";
  const iv = "000102030405060708090a0b0c0d0e0f";
  const plain = "6bc1bee22e409f96e93d7e117393172a";
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      {
        name: "AES-CBC",
        iv: Uint8Array.from(iv.match(/../g)!, (h) => parseInt(h, 16)),
      },
      await crypto.subtle.importKey(
        "raw",
        Uint8Array.from(key.match(/../g)!, (h) => parseInt(h, 16)),
        "AES-CBC",
        false,
        ["encrypt"],
      ),
      Uint8Array.from(plain.match(/../g)!, (h) => parseInt(h, 16)),
    ),
  );
  const data = Array.from(sealed, (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  // The first block is the standard's ciphertext: our input is the real thing.
  assert.equal(data.slice(0, 32), "7649abac8119b246cee98e9b12e9197d");
  assert.equal(await cryptoOp("aes", { key, data, iv }), plain);
});

Deno.test("cryptoOp() refuses malformed and unbounded input with InvalidParams", async () => {
  const cases: [
    Parameters<typeof cryptoOp>[0],
    Record<string, unknown>,
    RegExp,
  ][] = [
    ["aes", { key: "zz", data: "00" }, /"key" must be hex/],
    ["aes", { key: "00".repeat(15), data: "00".repeat(16) }, /16 or 32 bytes/],
    [
      "aes",
      { key: "00".repeat(16), data: "00".repeat(16), iv: "00" },
      /"iv" must be 16 bytes/,
    ],
    ["pbkdf2", { password: 1, salt: "s" }, /"password" must be a string/],
    [
      "pbkdf2",
      { password: "p", salt: "s", iterations: MAX_ITERATIONS + 1 },
      /"iterations" must be an integer/,
    ],
    [
      "pbkdf2",
      { password: "p", salt: "s", length: 0 },
      /"length" must be an integer/,
    ],
    [
      "aes_gcm",
      { key: "00".repeat(16), data: "00".repeat(16), iv: "" },
      /"iv" must not be empty/,
    ],
  ];
  for (const [op, params, message] of cases) {
    await assert.rejects(cryptoOp(op, params), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.InvalidParams, error.message);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("cryptoOp() aes_gcm with a damaged tag fails as SkillFailed naming the cause", async () => {
  await assert.rejects(
    cryptoOp("aes_gcm", {
      key: "00".repeat(32),
      data: "00".repeat(32),
      iv: "00".repeat(12),
    }),
    (error: unknown) =>
      error instanceof RpcError && error.code === ErrorCode.SkillFailed &&
      /tag mismatch/.test(error.message),
  );
});
