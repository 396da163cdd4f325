import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import { cryptoOp, isCryptoOp, MAX_ITERATIONS } from "./crypto_ops.ts";

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

Deno.test("isCryptoOp() knows exactly the five ops the engine performs", () => {
  for (const op of ["aes", "aes_gcm", "hkdf", "pbkdf2", "pbkdf2_sha256"]) {
    assert.ok(isCryptoOp(op), op);
  }
  for (const op of ["", "aes_cbc", "pbkdf2_sha1", "sha256", "hmac", "AES"]) {
    assert.ok(!isCryptoOp(op), op);
  }
});

Deno.test("cryptoOp() pbkdf2_sha256 matches the PBKDF2-HMAC-SHA256 vectors (salt in hex, 32 bytes by default)", async () => {
  const salt = "73616c74"; // "salt"
  assert.equal(
    await cryptoOp("pbkdf2_sha256", {
      password: "password",
      salt,
      iterations: 1,
    }),
    "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
  );
  assert.equal(
    await cryptoOp("pbkdf2_sha256", {
      password: "password",
      salt,
      iterations: 2,
      length: 20,
    }),
    "ae4d0c95af6b46d32d0adff928f06dd02a303f8e",
  );
});

Deno.test("cryptoOp() hkdf takes a hex salt and UTF-8 info as HKDF-SHA256 does, without salt is RFC 5869 case 3, 32 bytes by default", async () => {
  const key = "0b".repeat(22);
  // RFC 5869 case 1's salt; its info (bytes f0..f9) is not UTF-8 text, so
  // WebCrypto itself is the reference for the info.
  const salt = "000102030405060708090a0b0c";
  assert.equal(
    await cryptoOp("hkdf", { key, salt, length: 42 }),
    await webHkdf(key, salt, "", 42),
  );
  assert.equal(
    await cryptoOp("hkdf", { key, salt, info: "agentos", length: 42 }),
    await webHkdf(key, salt, "agentos", 42),
  );
  // Without a salt (or with ""), RFC 5869 case 3; 32 bytes by default.
  const case3 =
    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8";
  assert.equal(await cryptoOp("hkdf", { key }), case3.slice(0, 64));
  assert.equal(
    await cryptoOp("hkdf", { key, salt: "", length: 42 }),
    case3,
  );
});

async function webHkdf(
  key: string,
  salt: string,
  info: string,
  length: number,
): Promise<string> {
  const bytes = (h: string) =>
    Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
  const imported = await crypto.subtle.importKey(
    "raw",
    bytes(key),
    "HKDF",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: bytes(salt),
      info: new TextEncoder().encode(info),
    },
    imported,
    length * 8,
  );
  return Array.from(
    new Uint8Array(bits),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

Deno.test("cryptoOp() aes_gcm decrypts what AES-GCM sealed", async () => {
  const key = new Uint8Array(32).fill(9);
  const iv = new Uint8Array(12).fill(3);
  const plain = new TextEncoder().encode("agentos gcm");
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv },
      await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]),
      plain,
    ),
  );
  assert.equal(
    await cryptoOp("aes_gcm", {
      key: toHex(key),
      iv: toHex(iv),
      data: toHex(sealed),
    }),
    toHex(plain),
  );
});

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("cryptoOp() accepts every bound itself and refuses one past it", async () => {
  const p = { password: "p", salt: "s" };
  const s = { password: "p", salt: "73", iterations: 1 };
  const k = { key: "0b".repeat(22) };
  const accepted: [
    Parameters<typeof cryptoOp>[0],
    Record<string, unknown>,
    number,
  ][] = [
    ["pbkdf2", { ...p, iterations: 1, length: 1 }, 1],
    ["pbkdf2", { ...p, length: 1024 }, 1024],
    ["pbkdf2_sha256", { ...s, length: 1 }, 1],
    ["pbkdf2_sha256", { ...s, length: 1024 }, 1024],
    ["pbkdf2_sha256", s, 32],
    ["hkdf", { ...k, length: 1 }, 1],
    ["hkdf", { ...k, length: 255 * 32 }, 8160],
    ["hkdf", { ...k, info: "i".repeat(16 * 1024 * 1024) }, 32],
  ];
  for (const [op, params, bytes] of accepted) {
    assert.equal((await cryptoOp(op, params)).length, 2 * bytes, op);
  }
  const refused: [
    Parameters<typeof cryptoOp>[0],
    Record<string, unknown>,
    string,
  ][] = [
    [
      "pbkdf2",
      { ...p, iterations: 0 },
      `"iterations" must be an integer from 1 to 1000000, got 0`,
    ],
    [
      "pbkdf2",
      { ...p, iterations: 1_000_001 },
      `"iterations" must be an integer from 1 to 1000000, got 1000001`,
    ],
    [
      "pbkdf2",
      { ...p, length: 1025 },
      `"length" must be an integer from 1 to 1024, got 1025`,
    ],
    [
      "pbkdf2_sha256",
      { ...s, iterations: 0 },
      `"iterations" must be an integer from 1 to 1000000, got 0`,
    ],
    [
      "pbkdf2_sha256",
      { password: "p", salt: "73" },
      `"iterations" must be an integer from 1 to 1000000, got undefined`,
    ],
    [
      "pbkdf2_sha256",
      { ...s, iterations: 1_000_001 },
      `"iterations" must be an integer from 1 to 1000000, got 1000001`,
    ],
    [
      "pbkdf2_sha256",
      { ...s, length: 0 },
      `"length" must be an integer from 1 to 1024, got 0`,
    ],
    [
      "pbkdf2_sha256",
      { ...s, length: 1025 },
      `"length" must be an integer from 1 to 1024, got 1025`,
    ],
    [
      "pbkdf2_sha256",
      { ...s, salt: "s" },
      `"salt" must be hex (an even number of 0-9a-f digits)`,
    ],
    [
      "hkdf",
      { ...k, length: 0 },
      `"length" must be an integer from 1 to 8160, got 0`,
    ],
    [
      "hkdf",
      { ...k, length: 8161 },
      `"length" must be an integer from 1 to 8160, got 8161`,
    ],
    [
      "hkdf",
      { ...k, info: "i".repeat(16 * 1024 * 1024 + 1) },
      `"info" is longer than 16777216 characters`,
    ],
    ["hkdf", { ...k, info: 7 }, `"info" must be a string, got number`],
    [
      "pbkdf2",
      { password: null, salt: "s" },
      `"password" must be a string, got null`,
    ],
    [
      "pbkdf2",
      { password: ["p"], salt: "s" },
      `"password" must be a string, got an array`,
    ],
    [
      "pbkdf2",
      { ...p, iterations: "9".repeat(60) },
      `"iterations" must be an integer from 1 to 1000000, got "${
        "9".repeat(39)
      }`,
    ],
  ];
  for (const [op, params, message] of refused) {
    await assert.rejects(cryptoOp(op, params), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.InvalidParams, error.message);
      assert.equal(error.message, message);
      return true;
    });
  }
});

Deno.test("cryptoOp() names the op that could not decrypt and its likely cause", async () => {
  const cases: [
    Parameters<typeof cryptoOp>[0],
    Record<string, unknown>,
    string,
  ][] = [
    [
      "aes",
      { key: "00".repeat(16), data: "00".repeat(16) },
      "crypto.aes could not decrypt: wrong key or IV, or the data is damaged (bad padding)",
    ],
    [
      "aes_gcm",
      { key: "00".repeat(16), data: "00".repeat(32), iv: "00".repeat(12) },
      "crypto.aes_gcm could not decrypt: wrong key or IV, or the data is damaged (tag mismatch)",
    ],
  ];
  for (const [op, params, message] of cases) {
    await assert.rejects(cryptoOp(op, params), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.SkillFailed);
      assert.equal(error.message, message);
      return true;
    });
  }
});
