/**
 * A backup restores on another machine: the vault key travels wrapped under
 * a passphrase (scrypt), a restore into a fresh home gives an engine whose
 * stored credentials reach a local server, and an engine whose key does not
 * match its vault starts with the vault locked.
 *
 * @module
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { fixture, localServer } from "./skills_helpers.ts";

const SECRET = "sk-backup-7f3a9";
const PASSPHRASE = "correct horse battery staple";

function engineIn(home: string, origin: string): Promise<EngineProcess> {
  return EngineProcess.start({
    home,
    env: {
      AGENTOS_SPARE_WORKERS: "0",
      AGENTOS_ORIGIN_MAP: JSON.stringify({ "https://api.keyed.test": origin }),
    },
  });
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("backup carries the vault key under a passphrase; restore into a fresh home reaches the server with the stored key; a key that does not match locks the vault", async (t) => {
  const homes = await Promise.all(
    ["a", "b", "c", "out"].map((n) =>
      Deno.makeTempDir({ prefix: `agentos-bk-${n}-` })
    ),
  );
  const [homeA, homeB, homeC, out] = homes as [string, string, string, string];
  const keys: string[] = [];
  await using server = localServer((request) => {
    keys.push(request.headers.get("x-api-key") ?? "");
    return Response.json({ ok: true });
  });
  const withPass = { AGENTOS_BACKUP_PASSPHRASE: PASSPHRASE };
  try {
    {
      await using engine = await engineIn(homeA, server.origin);
      const client = await engine.client();
      // Stored for the skill added next (a key stored naming no skill
      // goes to the skills installed at that moment: none yet).
      await client.call("secrets.set", {
        domain: "keyed.test",
        value: { key: SECRET },
        for: "keyed-api",
      });
      await client.call("skills.add", { path: fixture("keyed-api") });
      await client.call("graph.create", {
        shape: "note",
        values: { name: "kept note" },
      });

      await t.step(
        "without a passphrase and no terminal, backup refuses and says how",
        async () => {
          const run = await runAgentos(homeA, ["backup", `${out}/none.db`]);
          assert.equal(run.code, 1, run.stdout + run.stderr);
          assert.match(run.stderr, /AGENTOS_BACKUP_PASSPHRASE/);
          assert.match(run.stderr, /--no-key/);
          assert.equal(await exists(`${out}/none.db`), false);
        },
      );

      const run = await runAgentos(
        homeA,
        ["backup", `${out}/full.db`, "--json"],
        undefined,
        withPass,
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).key, "included");
      const bare = await runAgentos(homeA, [
        "backup",
        `${out}/bare.db`,
        "--no-key",
      ]);
      assert.equal(bare.code, 0, bare.stderr);
      assert.match(bare.stdout, /without the vault key/);
    }

    await t.step("the backup holds no plaintext key", async () => {
      const raw = await Deno.readFile(`${homeA}/vault.key`);
      const file = await Deno.readFile(`${out}/full.db`);
      const hex = (b: Uint8Array) =>
        Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
      assert.ok(!hex(file).includes(hex(raw)));
      assert.ok(
        !new TextDecoder().decode(file).includes(
          btoa(String.fromCharCode(...raw)),
        ),
      );
    });

    await t.step(
      "a wrong passphrase or a tampered wrap restores nothing",
      async () => {
        const wrong = await runAgentos(
          homeB,
          ["restore", `${out}/full.db`],
          undefined,
          {
            AGENTOS_BACKUP_PASSPHRASE: "not it",
          },
        );
        assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
        assert.match(wrong.stderr, /passphrase/);
        assert.equal(await exists(`${homeB}/vault.key`), false);
        assert.equal(await exists(`${homeB}/data/agentos.db`), false);

        await Deno.copyFile(`${out}/full.db`, `${out}/tampered.db`);
        const db = new DatabaseSync(`${out}/tampered.db`);
        db.prepare(
          'UPDATE settings SET value = \'{"kdf":"scrypt","N":1e12}\' WHERE key = \'backup.vault_key\'',
        ).run();
        db.close();
        const tampered = await runAgentos(
          homeB,
          ["restore", `${out}/tampered.db`],
          undefined,
          withPass,
        );
        assert.equal(tampered.code, 1, tampered.stdout + tampered.stderr);
        assert.match(tampered.stderr, /Not restoring/);
        assert.equal(await exists(`${homeB}/vault.key`), false);
      },
    );

    await t.step(
      "restore into a fresh home: the stored key reaches the local server through the skill",
      async () => {
        const restored = await runAgentos(
          homeB,
          ["restore", `${out}/full.db`],
          undefined,
          withPass,
        );
        assert.equal(restored.code, 0, restored.stdout + restored.stderr);
        assert.equal(
          (await Deno.stat(`${homeB}/vault.key`)).mode! & 0o777,
          0o600,
        );
        await using engine = await engineIn(homeB, server.origin);
        const client = await engine.client();
        // Skills live beside the home, not in the database: added again.
        await client.call("skills.add", { path: fixture("keyed-api") });
        const result = await client.call<{ result: { status: number } }>(
          "skills.run",
          {
            skill: "keyed-api",
            tool: "search",
            params: { q: "tea" },
          },
        );
        assert.equal(result.result.status, 200);
        assert.equal(keys.at(-1), SECRET);
        const doctor = await runAgentos(homeB, ["doctor", "--json"]);
        const vault = JSON.parse(doctor.stdout).checks.find((
          c: { name: string },
        ) => c.name === "vault");
        assert.equal(vault.status, "ok", JSON.stringify(vault));
      },
    );

    await t.step(
      "a backup without the key: the engine starts with the vault locked, credential use names the fix, doctor fails the vault",
      async () => {
        const restored = await runAgentos(homeC, ["restore", `${out}/bare.db`]);
        assert.equal(restored.code, 0, restored.stdout + restored.stderr);
        assert.match(restored.stdout, /no vault key/);
        // A key of its own, as a home that ran before would have.
        await Deno.writeFile(
          `${homeC}/vault.key`,
          crypto.getRandomValues(new Uint8Array(32)),
          { mode: 0o600 },
        );
        await using engine = await engineIn(homeC, server.origin);
        const client = await engine.client();
        await client.call("skills.add", { path: fixture("keyed-api") });
        const notes = await client.call<{ items: unknown[] }>("graph.list", {
          shape: "note",
          where: { name: "kept note" },
        });
        assert.equal(notes.items.length, 1);
        const before = keys.length;
        await assert.rejects(
          client.call("skills.run", {
            skill: "keyed-api",
            tool: "search",
            params: { q: "x" },
          }),
          /vault is locked.*agentos restore/s,
        );
        await assert.rejects(
          client.call("secrets.set", { domain: "other.test", value: "v" }),
          /vault is locked/,
        );
        assert.equal(keys.length, before, "nothing reached the server");
        const status = await client.call<{ vault: { locked?: string } }>(
          "engine.status",
        );
        assert.match(status.vault.locked ?? "", /does not match/);
        const doctor = await runAgentos(homeC, ["doctor", "--json"]);
        const vault = JSON.parse(doctor.stdout).checks.find((
          c: { name: string },
        ) => c.name === "vault");
        assert.equal(vault.status, "fail", JSON.stringify(vault));
        assert.match(vault.detail, /does not match/);
      },
    );
  } finally {
    for (const dir of homes) await Deno.remove(dir, { recursive: true });
  }
});
