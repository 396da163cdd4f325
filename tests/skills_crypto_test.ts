/**
 * `crypto.*`, `keychain.read` and `plist.parse` end to end: a
 * Chromium-style cookie decrypted by a skill that holds only a placeholder
 * for the keychain password (the engine derives and decrypts), HKDF and
 * AES-GCM called with positional arguments, a clear error for a wrong key,
 * a refusal for a skill that does not declare `crypto`, and plists parsed
 * inside the sandbox.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { fixture, rejectsWith } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const PASSWORD = "peanuts-PLANTED-4c1e";
const PLACEHOLDER = /^agentos-secret-[0-9a-f]{32}$/;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What Chromium stores: "v10" + AES-128-CBC(PBKDF2-SHA1(password, "saltysalt", 1003)). */
async function chromiumCookie(
  password: string,
  value: string,
): Promise<string> {
  const base = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  const key = await crypto.subtle.deriveKey(
    {
      name: "PBKDF2",
      hash: "SHA-1",
      salt: new TextEncoder().encode("saltysalt"),
      iterations: 1003,
    },
    base,
    { name: "AES-CBC", length: 128 },
    false,
    ["encrypt"],
  );
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-CBC", iv: new Uint8Array(16).fill(0x20) },
    key,
    new TextEncoder().encode(value),
  );
  return hex(new TextEncoder().encode("v10")) + hex(new Uint8Array(sealed));
}

Deno.test("crypto ops: a skill decrypts with a keychain key it never sees", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const client = await engine.client();
  for (const name of ["cookie-vault", "crypto-undeclared"]) {
    await client.call("skills.add", { path: fixture(name) });
  }
  // The readme declares the item; the owner grants it by name (#24).
  await client.call("skills.allow", {
    skill: "cookie-vault",
    keychain: "Test Safe Storage",
  });

  await t.step(
    "keychain.read without a vault row names the command that stores it",
    async () => {
      const error = await rejectsWith(
        client.call("skills.run", {
          skill: "cookie-vault",
          tool: "decrypt_cookie",
          params: { encrypted_hex: await chromiumCookie(PASSWORD, "x") },
        }),
        ErrorCode.SkillFailed,
        /vault/,
      );
      assert.match(
        error.message,
        /agentos secrets set keychain --identifier "Test Safe Storage\/Test"/,
      );
    },
  );

  await client.call("secrets.set", {
    domain: "keychain",
    identifier: "Test Safe Storage/Test",
    value: PASSWORD,
  });

  await t.step(
    "pbkdf2 + aes-cbc on a placeholder password give the cookie back",
    async () => {
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "cookie-vault",
        tool: "decrypt_cookie",
        params: {
          encrypted_hex: await chromiumCookie(PASSWORD, "sessionKey=sk-ant-42"),
        },
      });
      assert.equal(result.plaintext, "sessionKey=sk-ant-42");
      assert.match(result.password as string, PLACEHOLDER);
    },
  );

  await t.step(
    "hkdf and aes-gcm with positional arguments open a sealed message",
    async () => {
      const mediaKey = crypto.getRandomValues(new Uint8Array(32));
      const ikm = await crypto.subtle.importKey(
        "raw",
        mediaKey,
        "HKDF",
        false,
        [
          "deriveKey",
        ],
      );
      const key = await crypto.subtle.deriveKey(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: new Uint8Array(32),
          info: new TextEncoder().encode("Test Media Keys"),
        },
        ikm,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt"],
      );
      const nonce = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv: nonce },
        key,
        new TextEncoder().encode("voice note"),
      );
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "cookie-vault",
        tool: "open_media",
        params: {
          media_key_hex: hex(mediaKey),
          nonce_hex: hex(nonce),
          sealed_hex: hex(new Uint8Array(sealed)),
        },
      });
      assert.equal(result.plaintext, "voice note");
    },
  );

  await t.step(
    "a wrong key fails the op with a reason, not a crash",
    async () => {
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "cookie-vault",
        tool: "wrong_key",
      });
      assert.match(
        result.error as string,
        /could not decrypt: wrong key or IV/,
      );
    },
  );

  await t.step("a skill that does not declare crypto is refused", async () => {
    await rejectsWith(
      client.call("skills.run", { skill: "crypto-undeclared", tool: "derive" }),
      ErrorCode.SkillFailed,
      /does not declare crypto in its readme/,
    );
  });

  await t.step(
    "plist.parse reads binary plists and keyed archives in the sandbox",
    async () => {
      const read = async (name: string) =>
        hex(
          await Deno.readFile(
            new URL(`./fixtures/plist/${name}`, import.meta.url),
          ),
        );
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "cookie-vault",
        tool: "read_plist",
        params: {
          plist_hex: await read("profile.bplist"),
          archive_hex: await read("session.bplist"),
        },
      });
      assert.deepEqual(result, { name: "Ada", count: 3, token: "tok-123" });
    },
  );

  await t.step(
    "the password appears in no result, log or audit line",
    async () => {
      for (const file of ["engine.log", "engine-io.jsonl"]) {
        const text = await Deno.readTextFile(
          `${engine.paths.home}/logs/${file}`,
        );
        assert.ok(!text.includes(PASSWORD), `${file} holds the password`);
      }
      const audit = await Deno.readTextFile(
        `${engine.paths.home}/logs/engine-io.jsonl`,
      );
      assert.match(
        audit,
        /"op":"crypto\.pbkdf2"[^\n]*"credential":"substituted in engine"/,
      );
      // The keychain read is audited with the vault row it read.
      assert.match(
        audit,
        /"op":"keychain\.read"[^\n]*"keychain":"vault row \\"Test Safe Storage\/Test\\""/,
      );
    },
  );
});
