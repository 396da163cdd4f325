/**
 * After `agentos restore` a bridge that kept running shows the restored
 * database, not the one it had open (issue #28: it showed a record the
 * engine no longer had and hid a restored one).
 *
 * @module
 */
import assert from "node:assert/strict";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { startBridgeProcess } from "./bridge_fixture.ts";

Deno.test("a running bridge reads the restored database after agentos restore", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-bridge-restore-" });
  const out = await Deno.makeTempDir({ prefix: "agentos-bridge-restore-out-" });
  try {
    let engine = await EngineProcess.start({ home });
    let client = await engine.client();
    await client.call("graph.create", {
      shape: "note",
      values: { name: "in the backup" },
    });
    const backup = await runAgentos(home, [
      "backup",
      `${out}/b.db`,
      "--no-key",
    ]);
    assert.equal(backup.code, 0, backup.stderr);
    await client.call("graph.create", {
      shape: "note",
      values: { name: "after the backup" },
    });
    await using bridge = await startBridgeProcess(home);
    const auth = {
      authorization: `Bearer ${
        Deno.readTextFileSync(`${home}/bridge.token`).trim()
      }`,
    };
    const names = async () => {
      const response = await fetch(`${bridge.base}/graph?shape=note`, {
        headers: auth,
      });
      assert.equal(response.status, 200);
      const body = await response.json() as {
        items: { values: { name: string } }[];
      };
      return body.items.map((item) => item.values.name).sort();
    };
    assert.deepEqual(await names(), ["after the backup", "in the backup"]);

    await engine[Symbol.asyncDispose]();
    const restored = await runAgentos(home, ["restore", `${out}/b.db`]);
    assert.equal(restored.code, 0, restored.stdout + restored.stderr);
    assert.deepEqual(await names(), ["in the backup"]);

    engine = await EngineProcess.start({ home });
    client = await engine.client();
    await client.call("graph.create", {
      shape: "note",
      values: { name: "after the restore" },
    });
    assert.deepEqual(await names(), ["after the restore", "in the backup"]);
    await engine[Symbol.asyncDispose]();
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});
