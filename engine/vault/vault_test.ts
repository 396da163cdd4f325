import assert from "node:assert/strict";
import { openDatabase } from "../graph/mod.ts";
import { RpcError } from "../errors.ts";
import { loadVaultKey } from "./vault_key.ts";
import { Vault } from "./vault.ts";

async function withVault(
  fn: (vault: Vault, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const db = openDatabase(`${dir}/agentos.db`);
  try {
    await fn(
      await Vault.open(
        db,
        await loadVaultKey({ kind: "file", path: `${dir}/vault.key` }),
      ),
      dir,
    );
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const SECRET = "sk-live-PLANTED-7f3a9c1e-never-in-plaintext";

Deno.test("Vault round-trips values, lists metadata only, and never stores plaintext", () =>
  withVault(async (vault, dir) => {
    await vault.set("api.example.com", "", { key: SECRET });
    await vault.set("mail.example.com", "ada@example.com", "hunter2-PLANTED");
    assert.deepEqual(await vault.read("api.example.com"), { key: SECRET });
    assert.equal(
      await vault.read("mail.example.com", "ada@example.com"),
      "hunter2-PLANTED",
    );
    assert.equal(await vault.read("mail.example.com"), undefined);
    const listed = JSON.stringify(vault.list());
    assert.match(listed, /"fields":\["key"\]/);
    assert.doesNotMatch(listed, /PLANTED/);
    for (const name of ["agentos.db", "agentos.db-wal"]) {
      const bytes = await Deno.readFile(`${dir}/${name}`).catch(() =>
        new Uint8Array()
      );
      assert.ok(
        !new TextDecoder("latin1").decode(bytes).includes("PLANTED"),
        name,
      );
    }
  }));

Deno.test("Vault uses a fresh nonce per write and binds each ciphertext to its row", () =>
  withVault(async (vault, dir) => {
    await vault.set("a.example", "", "same value");
    const db = openDatabase(`${dir}/agentos.db`);
    const first = db.prepare(
      "SELECT nonce, ciphertext FROM secrets WHERE domain = 'a.example'",
    ).get() as {
      nonce: Uint8Array;
      ciphertext: Uint8Array;
    };
    await vault.set("a.example", "", "same value");
    const second = db.prepare(
      "SELECT nonce, ciphertext FROM secrets WHERE domain = 'a.example'",
    ).get() as {
      nonce: Uint8Array;
      ciphertext: Uint8Array;
    };
    assert.notDeepEqual(first.nonce, second.nonce);
    assert.notDeepEqual(first.ciphertext, second.ciphertext);
    // Move a's ciphertext into b's row: it must not decrypt there.
    await vault.set("b.example", "", "other");
    db.prepare(
      "UPDATE secrets SET nonce = ?, ciphertext = ? WHERE domain = 'b.example'",
    ).run(
      second.nonce,
      second.ciphertext,
    );
    db.close();
    await assert.rejects(
      vault.read("b.example"),
      (error: unknown) => error instanceof RpcError && error.code === -32005,
    );
  }));

Deno.test("loadVaultKey() creates a 0600 key file, refuses a readable one, and a wrong key cannot open the vault", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/vault.key`;
    const key = await loadVaultKey({ kind: "file", path });
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const db = openDatabase(`${dir}/agentos.db`);
    await Vault.open(db, key);
    const other = await loadVaultKey({
      kind: "passphrase",
      passphrase: "not it",
      salt: new Uint8Array(16),
    });
    await assert.rejects(Vault.open(db, other), /does not match/);
    db.close();
    await Deno.chmod(path, 0o644);
    await assert.rejects(
      loadVaultKey({ kind: "file", path }),
      /readable by others.*chmod 600/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
