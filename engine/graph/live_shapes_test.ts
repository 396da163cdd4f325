/**
 * `shapes.add`'s size limit on its own: a shape file one character past
 * 256 KiB is refused before anything is written; the same shape, short,
 * is added (a real registry of the built-in shapes, a real database).
 */
import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../errors.ts";
import { Logger } from "../logger.ts";
import { ShapeRegistry } from "../shapes/mod.ts";
import { BUILTIN_SHAPES_DIR } from "./graph_service.ts";
import { LiveShapes } from "./live_shapes.ts";
import { openDatabase } from "./mod.ts";

const SHAPE = `tea:
  description: A tea.
  plural: teas
  fields:
    name: string
`;

Deno.test("LiveShapes.add() refuses a shape file past 256 KiB, and adds the same shape when short", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDatabase(`${dir}/agentos.db`);
  const log = new Logger(`${dir}/engine.log`);
  try {
    const shapes = await ShapeRegistry.load([BUILTIN_SHAPES_DIR]);
    const live = new LiveShapes({
      builtinDir: BUILTIN_SHAPES_DIR,
      homeDir: `${dir}/shapes`,
      shapes,
      db,
      log,
    });
    const limit = 256 * 1024;
    const padding = "#".repeat(limit - SHAPE.length) + "\n";
    const big = SHAPE + padding;
    assert.equal(big.length, limit + 1);
    await assert.rejects(
      live.add("tea.yaml", big),
      (error: RpcError) =>
        error.code === ErrorCode.InvalidParams &&
        /the limit is 262144/.test(error.message),
    );
    await assert.rejects(Deno.stat(`${dir}/shapes/tea.yaml`));
    const added = await live.add("tea.yaml", SHAPE);
    assert.equal(added.name, "tea");
    assert.equal(await Deno.readTextFile(`${dir}/shapes/tea.yaml`), SHAPE);
  } finally {
    log.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
