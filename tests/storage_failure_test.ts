import assert from "node:assert/strict";
import { RpcError } from "../engine/errors.ts";
import type { RpcClient } from "../engine/rpc/mod.ts";
import { EngineProcess } from "./_engine_process.ts";

const ROOT = Deno.uid() === 0;

async function sh(...args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command(args[0]!, {
    args: args.slice(1),
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  }
}

/** Fills the disk: big imports, then single records, until a write is refused. */
async function writeUntilRefused(
  client: RpcClient,
): Promise<{ error: RpcError; name: string }> {
  for (const size of [50, 1]) {
    for (let i = 0; i < 100_000; i++) {
      try {
        await client.call("graph.import", {
          shape: "note",
          records: Array.from(
            { length: size },
            (_, j) => ({ name: `n${size}-${i}-${j}`, text: "x".repeat(2000) }),
          ),
        });
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        if (size === 1) return { error, name: `n${size}-${i}-0` };
        break;
      }
    }
  }
  throw new Error("the disk never filled");
}

Deno.test({
  name: "a full disk fails writes clearly, keeps reads served, and recovers",
  ignore: !ROOT, // mounting a small tmpfs home needs root
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "agentos-full-" });
    await sh("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", home);
    try {
      await using engine = await EngineProcess.start({ home });
      const client = await engine.client();
      const kept = await client.call<{ id: string }>("graph.create", {
        shape: "task",
        values: { name: "survivor" },
      });
      // Space to give back later, standing for the owner freeing disk.
      await Deno.writeFile(`${home}/ballast`, new Uint8Array(1024 * 1024));

      const { error: full, name: refused } = await writeUntilRefused(client);
      assert.equal(full.code, -32009, full.message);
      assert.match(full.message, /database refused the write.*full/i);
      // Reads go on, the engine is up, and the refused write left nothing behind.
      const node = await client.call<{ values: { name: string } }>(
        "graph.get",
        { id: kept.id },
      );
      assert.equal(node.values.name, "survivor");
      const none = await client.call<{ items: unknown[] }>("graph.list", {
        where: { name: refused },
      });
      assert.equal(
        none.items.length,
        0,
        "a refused write leaves nothing behind",
      );

      await Deno.remove(`${home}/ballast`);
      await client.call("graph.create", {
        shape: "task",
        values: { name: "after space returned" },
      });
      const list = await client.call<{ items: unknown[] }>("graph.list", {
        where: { name: "after space returned" },
      });
      assert.equal(list.items.length, 1);
    } finally {
      await sh("umount", "-l", home);
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a read-only home (immutable files) fails writes clearly, keeps reads served, and recovers",
  ignore: !ROOT, // chattr +i needs root (and a filesystem that has the flag)
  async fn() {
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "0" },
    });
    const client = await engine.client();
    const kept = await client.call<{ id: string }>("graph.create", {
      shape: "task",
      values: { name: "survivor" },
    });
    const { home, database, engineLog } = engine.paths;
    // Immutable (even to root, even through open descriptors): the state of a
    // home on a read-only mount, applied while the engine runs.
    const frozen = [
      database,
      `${database}-wal`,
      engineLog,
      `${home}/data`,
      `${home}/logs`,
    ];
    await sh("chattr", "+i", ...frozen);
    try {
      const refused = await client.call("graph.create", {
        shape: "task",
        values: { name: "no" },
      }).then(
        () => undefined,
        (error) => error as RpcError,
      );
      assert.equal(refused?.code, -32009, refused?.message);
      assert.match(refused!.message, /database refused the write/);
      const node = await client.call<{ values: { name: string } }>(
        "graph.get",
        { id: kept.id },
      );
      assert.equal(node.values.name, "survivor");
      const list = await client.call<{ items: unknown[] }>("graph.list", {
        shape: "task",
      });
      assert.equal(list.items.length, 1);
    } finally {
      await sh("chattr", "-i", ...frozen);
    }
    await client.call("graph.create", {
      shape: "task",
      values: { name: "writable again" },
    });
    const after = await client.call<{ items: unknown[] }>("graph.list", {
      shape: "task",
    });
    assert.equal(after.items.length, 2);
  },
});
