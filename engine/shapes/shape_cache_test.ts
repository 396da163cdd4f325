import assert from "node:assert/strict";
import { ShapeCache } from "./shape_cache.ts";
import { ShapeRegistry } from "./shape_registry.ts";
import { BUILTIN_SHAPES_DIR } from "../graph/mod.ts";

async function withDirs(
  fn: (dirs: { user: string; cacheFile: string }) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/shapes`);
    await fn({ user: `${root}/shapes`, cacheFile: `${root}/shape-cache.json` });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const snapshot = (registry: ShapeRegistry) =>
  JSON.parse(JSON.stringify({
    shapes: registry.list(),
    problems: registry.problems,
  }));

Deno.test("a load from the shape cache equals a fresh parse, problems included", async () => {
  await withDirs(async ({ user, cacheFile }) => {
    await Deno.writeTextFile(
      `${user}/gadget.yaml`,
      "gadget:\n  also: [document]\n  fields:\n    size: integer\n",
    );
    await Deno.writeTextFile(`${user}/broken.yaml`, "broken:\n  fields: [\n");
    const dirs = [BUILTIN_SHAPES_DIR, user];
    const fresh = await ShapeRegistry.load(dirs);
    const first = await ShapeRegistry.load(dirs, {
      cache: await ShapeCache.open(cacheFile),
    });
    const cached = await ShapeRegistry.load(dirs, {
      cache: await ShapeCache.open(cacheFile),
    });
    assert.ok((await Deno.stat(cacheFile)).isFile);
    assert.ok(fresh.list().length > 30);
    assert.equal(fresh.problems.length > 0, true);
    assert.deepEqual(snapshot(first), snapshot(fresh));
    assert.deepEqual(snapshot(cached), snapshot(fresh));

    // The second load really came from the cache: a planted description
    // shows through while the file's text is unchanged.
    const data = JSON.parse(await Deno.readTextFile(cacheFile));
    data.files[`${user}/gadget.yaml`].parsed.definition.description = "planted";
    await Deno.writeTextFile(cacheFile, JSON.stringify(data));
    const planted = await ShapeRegistry.load(dirs, {
      cache: await ShapeCache.open(cacheFile),
    });
    assert.equal(planted.get("gadget")!.description, "planted");
  });
});

Deno.test("the shape cache re-parses a changed file and forgets a deleted one", async () => {
  await withDirs(async ({ user, cacheFile }) => {
    await Deno.writeTextFile(
      `${user}/gadget.yaml`,
      "gadget:\n  fields:\n    size: integer\n",
    );
    await Deno.writeTextFile(`${user}/widget.yaml`, "widget:\n  fields: {}\n");
    const load = async () =>
      ShapeRegistry.load([user], { cache: await ShapeCache.open(cacheFile) });
    assert.ok((await load()).get("gadget")!.fields.size);
    await Deno.writeTextFile(
      `${user}/gadget.yaml`,
      "gadget:\n  fields:\n    weight: number\n",
    );
    await Deno.remove(`${user}/widget.yaml`);
    const changed = await load();
    assert.equal(changed.get("gadget")!.fields.size, undefined);
    assert.ok(changed.get("gadget")!.fields.weight);
    assert.equal(changed.get("widget"), undefined);
    const kept = JSON.parse(await Deno.readTextFile(cacheFile));
    assert.deepEqual(Object.keys(kept.files), [`${user}/gadget.yaml`]);
  });
});

Deno.test("a corrupt or hostile shape cache is ignored and rewritten", async () => {
  await withDirs(async ({ user, cacheFile }) => {
    await Deno.writeTextFile(
      `${user}/gadget.yaml`,
      "gadget:\n  fields:\n    size: integer\n",
    );
    for (
      const junk of [
        "{not json",
        JSON.stringify({ format: 1, engine: "0.0.0", files: {} }),
        JSON.stringify({ format: 1, files: { [`${user}/gadget.yaml`]: 7 } }),
        "null",
      ]
    ) {
      await Deno.writeTextFile(cacheFile, junk);
      const registry = await ShapeRegistry.load([user], {
        cache: await ShapeCache.open(cacheFile),
      });
      assert.ok(registry.get("gadget")!.fields.size, junk);
      const rewritten = JSON.parse(await Deno.readTextFile(cacheFile));
      assert.ok(rewritten.files[`${user}/gadget.yaml`], junk);
    }
  });
});
