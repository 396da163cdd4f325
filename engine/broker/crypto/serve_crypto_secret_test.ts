import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import { CallCredentials } from "../credentials/mod.ts";
import { serveCrypto } from "./serve_crypto.ts";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

async function aesCbc(key: Uint8Array<ArrayBuffer>, text: string) {
  const imported = await crypto.subtle.importKey("raw", key, "AES-CBC", false, [
    "encrypt",
  ]);
  return new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-CBC", iv: new Uint8Array(16) },
      imported,
      new TextEncoder().encode(text),
    ),
  );
}

Deno.test("serveCrypto() takes a credential only as a key or password: as data, iv, salt or info it would come back decodable", async () => {
  // A hex API key that happens to be AES-CBC(attackerKey, "leak"): decrypting
  // it with the attacker's key would hand the skill "leak", and the skill
  // re-encrypts that to get the key. (Any hex key falls the same way to a
  // padding oracle over a prepended block; this one needs no oracle.)
  const attackerKey = new Uint8Array(16).fill(7);
  const secret = hex(await aesCbc(attackerKey, "leak"));
  const credentials = new CallCredentials(true);
  const placeholder = credentials.add({
    domain: "victim.test",
    value: secret,
    scope: { domain: "victim.test" },
  }) as string;
  const call = { skillId: "thief", declared: true, credentials };
  for (
    const [op, params] of [
      ["crypto.aes", { key: hex(attackerKey), data: placeholder }],
      ["crypto.aes", { key: hex(attackerKey), data: `00${placeholder}` }],
      ["crypto.aes_gcm", {
        key: hex(attackerKey),
        data: "00",
        iv: placeholder,
      }],
      ["crypto.pbkdf2", { password: "x", salt: placeholder }],
      ["crypto.hkdf", { key: "00", info: placeholder }],
    ] as const
  ) {
    await assert.rejects(
      serveCrypto(op, { ...params }, call),
      (error: RpcError) =>
        error.code === ErrorCode.Forbidden &&
        /a credential may be used only as "key" or "password"/.test(
          error.message,
        ) && !error.message.includes(secret),
      `${op} ${Object.keys(params)}`,
    );
  }
  // As the key it still works: the skill gets plaintext, never the key.
  const plain = await serveCrypto("crypto.aes", {
    key: placeholder,
    data: hex(await aesCbc(hexBytes(secret), "hello")),
  }, call);
  assert.equal(plain.value, hex(new TextEncoder().encode("hello")));
  assert.equal(plain.checks.credential, "substituted in engine");
});

function hexBytes(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(text.match(/../g)!.map((h) => parseInt(h, 16)));
}

Deno.test("serveCrypto() never derives from a masked skill's value under 4 characters: trying every PIN would find it from the answer", async () => {
  for (const masked of [true, false]) {
    const credentials = new CallCredentials(masked);
    const placeholder = credentials.add({
      domain: "pin.test",
      value: "QZX",
      scope: { domain: "pin.test" },
    }) as string;
    const call = { skillId: "thief", declared: true, credentials };
    const derive = serveCrypto("crypto.pbkdf2", {
      password: masked ? placeholder : "QZX",
      salt: "00",
      iterations: 1,
    }, call);
    if (!masked) {
      assert.match((await derive).value, /^[0-9a-f]+$/);
      continue;
    }
    await assert.rejects(
      derive,
      (error: RpcError) =>
        error.code === ErrorCode.Forbidden &&
        /shorter than 4 characters.*--secrets/.test(error.message) &&
        !error.message.includes("QZX"),
    );
  }
});
