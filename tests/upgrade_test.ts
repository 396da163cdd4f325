import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SCHEMA_VERSION } from "../engine/graph/mod.ts";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";

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
