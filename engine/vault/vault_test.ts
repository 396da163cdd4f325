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

Deno.test("a skill's own rows are apart from the domains': same name, two rows, and a ciphertext copied across does not decrypt", () =>
  withVault(async (vault, dir) => {
    await vault.set("localhost", "", { key: "ollama-key-PLANTED" }, "owner");
    await vault.setForSkill("localhost", "", { key: "skill-key" }, "owner");
    assert.deepEqual(await vault.read("localhost"), {
      key: "ollama-key-PLANTED",
    });
    assert.deepEqual(await vault.readForSkill("localhost"), {
      key: "skill-key",
    });
    assert.deepEqual(vault.list().map((r) => r.domain), ["localhost"]);
    assert.deepEqual(vault.skillRows().map((r) => r.skill), ["localhost"]);
    assert.deepEqual(vault.skillRows("nas"), []);
    assert.equal(vault.count(), 2);
    await assert.rejects(
      vault.set("", "", "x"),
      (error: unknown) => error instanceof RpcError,
    );
    // The domain row's ciphertext copied into the skill's row (and back):
    // neither decrypts, so a row cannot change namespace unseen.
    const db = openDatabase(`${dir}/agentos.db`);
    const domainRow = db.prepare(
      "SELECT nonce, ciphertext FROM secrets WHERE domain = 'localhost'",
    ).get() as { nonce: Uint8Array; ciphertext: Uint8Array };
    db.prepare(
      "UPDATE skill_secrets SET nonce = ?, ciphertext = ? WHERE skill = 'localhost'",
    ).run(domainRow.nonce, domainRow.ciphertext);
    db.close();
    await assert.rejects(
      vault.readForSkill("localhost"),
      (error: unknown) => error instanceof RpcError && error.code === -32005,
    );
    assert.ok(vault.deleteForSkill("localhost"));
    assert.deepEqual(await vault.read("localhost"), {
      key: "ollama-key-PLANTED",
    });
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
    const locked = await Vault.open(db, other);
    assert.match(locked.locked ?? "", /does not match/);
    await assert.rejects(locked.read("x.test"), /vault is locked/);
    await assert.rejects(locked.set("x.test", "", "v"), /vault is locked/);
    assert.deepEqual(locked.list(), []);
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

Deno.test("Vault binds a ciphertext to its identifier as well as its domain", () =>
  withVault(async (vault, dir) => {
    await vault.set("mail.example.com", "ada@example.com", "ada's password");
    await vault.set("mail.example.com", "bob@example.com", "bob's password");
    assert.equal(
      await vault.read("mail.example.com", "bob@example.com"),
      "bob's password",
    );
    // Ada's row copied over Bob's (same domain): it must not decrypt as his.
    const db = openDatabase(`${dir}/agentos.db`);
    db.prepare(
      `UPDATE secrets SET (nonce, ciphertext) = (SELECT nonce, ciphertext FROM secrets
         WHERE identifier = 'ada@example.com') WHERE identifier = 'bob@example.com'`,
    ).run();
    db.close();
    await assert.rejects(
      vault.read("mail.example.com", "bob@example.com"),
      (error: unknown) => error instanceof RpcError && error.code === -32005,
    );
  }));

Deno.test("Vault.list() and count() follow set() and delete(), and delete() says whether a row went", () =>
  withVault(async (vault) => {
    assert.equal(vault.count(), 0);
    await vault.set("a.example", "", { user: "u", key: "k" });
    assert.deepEqual(vault.list().map((s) => [s.domain, s.fields]), [
      ["a.example", ["key", "user"]],
    ]);
    // A caller that changes the list it got changes nothing in the vault.
    vault.list()[0]!.fields.push("tampered");
    assert.deepEqual(vault.list()[0]!.fields, ["key", "user"]);
    await vault.set("b.example", "id", "v");
    assert.equal(vault.count(), 2);
    assert.deepEqual([...vault.domains()].sort(), ["a.example", "b.example"]);
    assert.equal(vault.delete("a.example"), true);
    assert.equal(vault.delete("a.example"), false, "already gone");
    assert.equal(vault.delete("b.example"), false, "wrong identifier");
    assert.deepEqual(vault.list().map((s) => s.domain), ["b.example"]);
  }));

Deno.test("loadVaultKey() refuses a key file that is not 32 bytes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const size of [16, 31, 33]) {
      const path = `${dir}/vault-${size}.key`;
      await Deno.writeFile(path, new Uint8Array(size), { mode: 0o600 });
      await assert.rejects(
        loadVaultKey({ kind: "file", path }),
        new RegExp(`holds ${size} bytes, not 32`),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("settleUpgrade moves a row as listed, and leaves one written again since it was listed", () =>
  withVault(async (vault) => {
    await vault.set("nas", "", { key: "old-value-of-the-skill" });
    await vault.set("box", "", { key: "old-value-of-the-box" });
    const listed = new Map(vault.list().map((r) => [r.domain, r.updated_at]));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await vault.set("box", "", { key: "the-owner-stored-this-since" });
    await vault.settleUpgrade(["nas", "box"].map((name) => ({
      domain: name,
      identifier: "",
      skill: name,
      updatedAt: listed.get(name)!,
    })));
    assert.deepEqual(vault.list().map((r) => r.domain), ["box"]);
    assert.deepEqual(await vault.read("box"), {
      key: "the-owner-stored-this-since",
    });
    assert.deepEqual(vault.skillRows().map((r) => r.skill), ["nas"]);
  }));

Deno.test("Vault.set() records a row's users: fresh for a new domain, the domain's for a second account, kept on replace, the writer's alone for a skill's row", () =>
  withVault(async (vault) => {
    const users = (domain: string, identifier = "") =>
      vault.list().find((r) =>
        r.domain === domain && r.identifier === identifier
      )?.users;
    assert.deepEqual(
      await vault.set("a.test", "", "v1", "owner", { fresh: ["b", "a"] }),
      ["a", "b"],
    );
    // Replaced: its skills stay; fresh ones are not added.
    await vault.set("a.test", "", "v2", "owner", { fresh: ["c"] });
    assert.deepEqual(users("a.test"), ["a", "b"]);
    // A second account takes the domain's skills, then `add`.
    await vault.set("a.test", "work", "w", "owner", {
      fresh: ["c"],
      add: ["d"],
    });
    assert.deepEqual(users("a.test", "work"), ["a", "b", "d"]);
    // A skill's row: that skill alone, whatever the domain holds.
    await vault.set("a.test", "mine", "m", "skill:e", { fresh: ["x"] });
    assert.deepEqual(users("a.test", "mine"), ["e"]);
    // No users given before the skills load: left unrecorded.
    await vault.set("b.test", "", "v", "owner");
    assert.equal(users("b.test"), null);
    const recorded = vault.recordMissingUsers(() => ["z"]);
    assert.deepEqual(recorded, [{
      domain: "b.test",
      identifier: "",
      users: ["z"],
    }]);
    assert.deepEqual(vault.recordMissingUsers(() => ["never"]), []);
  }));

Deno.test("Vault.allowUse() and forgetUser() change the owner's rows of a domain, never a skill's row", () =>
  withVault(async (vault) => {
    await vault.set("a.test", "", "v", "owner", { fresh: ["a"] });
    await vault.set("a.test", "work", "w", "owner", { fresh: ["a"] });
    await vault.set("a.test", "mine", "m", "skill:e");
    await vault.set("b.test", "", "v", "owner", { fresh: ["a"] });
    assert.equal(vault.allowUse("a.test", "n", true), 2);
    assert.equal(vault.allowUse("a.test", "n", true), 0);
    const of = (identifier: string, domain = "a.test") =>
      vault.list().find((r) =>
        r.domain === domain && r.identifier === identifier
      )?.users;
    assert.deepEqual(of(""), ["a", "n"]);
    assert.deepEqual(of("work"), ["a", "n"]);
    assert.deepEqual(of("mine"), ["e"]);
    assert.equal(vault.allowUse("a.test", "n", false), 2);
    assert.deepEqual(of(""), ["a"]);
    vault.forgetUser("a");
    assert.deepEqual(of(""), []);
    assert.deepEqual(of("", "b.test"), []);
  }));
