import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SCHEMA_VERSION } from "../engine/graph/mod.ts";
import { loadVaultKey, Vault } from "../engine/vault/mod.ts";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { runAgentos } from "./_cli.ts";
import { localServer } from "./skills_helpers.ts";

Deno.test("a database written by schema version 1 (committed fixture) is upgraded in place on start", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-upgrade-" });
  await Deno.mkdir(`${home}/data`, { recursive: true });
  await Deno.copyFile(
    `${REPO_ROOT}/tests/fixtures/schema_v1/agentos.db`,
    `${home}/data/agentos.db`,
  );
  const fixture = new DatabaseSync(`${home}/data/agentos.db`, {
    readOnly: true,
  });
  assert.equal(
    (fixture.prepare("PRAGMA user_version").get() as { user_version: number })
      .user_version,
    1,
  );
  fixture.close();
  {
    await using engine = await EngineProcess.start({ home });
    const client = await engine.client();
    const status = await client.call<
      { schemaVersion: number; counts: { nodes: number } }
    >("engine.status");
    assert.equal(status.schemaVersion, SCHEMA_VERSION);
    assert.equal(status.counts.nodes, 2);
    const people = await client.call<
      { items: { id: string; values: { email: string } }[] }
    >("graph.list", {
      shape: "person",
    });
    assert.equal(people.items[0]?.values.email, "grace@example.com");
    const again = await client.call<{ id: string; created: boolean }>(
      "graph.create",
      {
        shape: "person",
        values: {
          email: "grace@example.com",
          name: "Rear Admiral Grace Hopper",
        },
      },
    );
    assert.equal(
      again.id,
      people.items[0]!.id,
      "identity still matches records written before the upgrade",
    );
    const history = await client.call<{ changes: { op: string }[] }>(
      "graph.history",
      { id: again.id },
    );
    assert.equal(history.changes[0]!.op, "create");
  }
  const upgraded = new DatabaseSync(`${home}/data/agentos.db`, {
    readOnly: true,
  });
  assert.equal(
    (upgraded.prepare("PRAGMA user_version").get() as { user_version: number })
      .user_version,
    SCHEMA_VERSION,
  );
  assert.equal(
    (upgraded.prepare("PRAGMA integrity_check").get() as {
      integrity_check: string;
    }).integrity_check,
    "ok",
  );
  upgraded.close();
  await Deno.remove(home, { recursive: true });
});

const SEND_AUTH = `from agentos import client, returns


@returns({"outcome": "string"})
async def send(**params):
    """Sends params["auth"]["key"] to the skill's own server."""
    auth = params.get("auth") or {}
    value = auth.get("key") if isinstance(auth, dict) else auth
    if not value:
        return {"outcome": "no auth"}
    resp = await client.get("https://own.test/send", headers={"x-k": value})
    return {"outcome": "sent " + str(resp["status"])}
`;

const NAS_CLIENT = `from agentos import client, connection, returns

connection("nas", base_url="https://nas", auth={"type": "api_key", "header": {"x-k": ".auth.key"}})


@returns({"outcome": "string"})
@connection("nas")
async def send(**params):
    """Calls the nas with its key (the engine's template adds it)."""
    resp = await client.get("https://nas/status")
    return {"outcome": "sent " + str(resp["status"])}
`;

/**
 * Schema 7 sorts the rows older engines kept for skills among the domains
 * (see engine/skills_api/skill_rows_upgrade.ts): a database as schema 6
 * left it, with the skills installed, is upgraded on start.
 */
Deno.test("schema 7: a skill's rows written among the domains move to its own namespace on start, host rows stay, and a backup keeps them", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-upgrade-rows-" });
  const root = await Deno.makeTempDir({ prefix: "agentos-upgrade-skills-" });
  const received: string[] = [];
  await using server = localServer((request, url) => {
    // The origin map sends both hosts here: the path tells them apart.
    received.push(`${url.pathname} ${request.headers.get("x-k")}`);
    return new Response("ok");
  });
  const env = {
    AGENTOS_SPARE_WORKERS: "1",
    AGENTOS_ORIGIN_MAP: JSON.stringify({
      "https://own.test": server.origin,
      "https://nas": server.origin,
    }),
  };
  const key = (name: string) => `${name}-${crypto.randomUUID()}`;
  const keys = {
    notes: key("notes"),
    work: key("work"),
    nas: key("nas"),
    local: key("local"),
    planted: key("planted"),
  };
  const skills: Record<string, string> = {
    "notes-tool": SEND_AUTH,
    nas: SEND_AUTH,
    localhost: SEND_AUTH,
    "nas-client": NAS_CLIENT,
  };
  try {
    {
      await using engine = await EngineProcess.start({ home, env });
      const client = await engine.client();
      for (const [id, source] of Object.entries(skills)) {
        await Deno.mkdir(`${root}/${id}`);
        await Deno.writeTextFile(
          `${root}/${id}/readme.md`,
          `---\nid: ${id}\nname: ${id}\ndescription: sends its auth\ncapabilities: [http]\n---\n`,
        );
        await Deno.writeTextFile(`${root}/${id}/send.py`, source);
        await client.call("skills.add", { path: `${root}/${id}` });
      }
    }
    // The database as an engine before schema 7 left it: a skill's own
    // row was a domain row named by its id.
    // (Nor did it record which skills may use a row: schema 8 records the
    // skills installed at the upgrade that declare the row's domain.)
    const db = new DatabaseSync(`${home}/data/agentos.db`);
    db.exec("DROP TABLE skill_secrets");
    const vault = await Vault.open(
      db,
      await loadVaultKey({ kind: "file", path: `${home}/vault.key` }),
    );
    await vault.set("notes-tool", "", { key: keys.notes }, "owner");
    await vault.set("notes-tool", "work", keys.work);
    await vault.set("notes-tool", "planted", keys.planted, "skill:other");
    await vault.set("nas", "", { key: keys.nas }, "owner");
    await vault.set("localhost", "", { key: keys.local }, "owner");
    db.exec(
      "ALTER TABLE secrets DROP COLUMN users; DROP TABLE skill_state; PRAGMA user_version = 6",
    );
    db.close();

    const out = await Deno.makeTempDir({ prefix: "agentos-upgrade-out-" });
    type Row = { kind: string; domain?: string; skill?: string };
    const place = (rows: Row[]) =>
      rows.map((r) => `${r.kind} ${r.domain ?? r.skill}`);
    {
      await using engine = await EngineProcess.start({ home, env });
      const client = await engine.client();
      const run = async (skill: string) =>
        (await client.call<{ result: { outcome: string } }>("skills.run", {
          skill,
          tool: "send",
        })).result.outcome;
      assert.equal(await run("notes-tool"), "sent 200");
      assert.equal(received.at(-1), `/send ${keys.notes}`);
      // nas-client's connection names the host nas: that row stays a
      // domain's, and the skill called nas gets nothing of it.
      assert.equal(await run("nas"), "no auth");
      assert.equal(await run("localhost"), "no auth");
      assert.equal(await run("nas-client"), "sent 200");
      assert.equal(received.at(-1), `/status ${keys.nas}`);
      const { secrets } = await client.call<{ secrets: Row[] }>(
        "secrets.list",
      );
      assert.deepEqual(place(secrets), [
        "domain localhost",
        "domain nas",
        "domain notes-tool", // another skill wrote it: not notes-tool's
        "skill notes-tool",
        "skill notes-tool",
      ]);
      const backup = await runAgentos(home, [
        "backup",
        `${out}/snapshot.db`,
        "--no-key",
      ]);
      assert.equal(backup.code, 0, backup.stderr);
      const gone = await runAgentos(home, [
        "secrets",
        "delete",
        "--skill",
        "notes-tool",
      ]);
      assert.equal(gone.code, 0, gone.stderr);
    }
    const check = new DatabaseSync(`${home}/data/agentos.db`, {
      readOnly: true,
    });
    assert.equal(
      check.prepare(
        "SELECT count(*) AS n FROM settings WHERE key = 'vault.skill_rows_upgrade'",
      ).get()?.n,
      0,
      "the upgrade ran once",
    );
    check.close();
    const restored = await runAgentos(home, ["restore", `${out}/snapshot.db`]);
    assert.equal(restored.code, 0, restored.stderr);
    {
      await using engine = await EngineProcess.start({ home, env });
      const client = await engine.client();
      const { secrets } = await client.call<{ secrets: Row[] }>(
        "secrets.list",
      );
      assert.equal(
        place(secrets).filter((p) => p === "skill notes-tool").length,
        2,
      );
      await client.call("skills.run", { skill: "notes-tool", tool: "send" });
      assert.equal(received.at(-1), `/send ${keys.notes}`);
    }
    await Deno.remove(out, { recursive: true });
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});
