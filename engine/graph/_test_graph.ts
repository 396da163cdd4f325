/**
 * A real graph on a temporary SQLite file with the built-in shapes, for
 * unit tests.
 *
 * @module
 */
import { ShapeRegistry } from "../shapes/mod.ts";
import { ChangeFeed } from "./change_feed.ts";
import { BUILTIN_SHAPES_DIR } from "./graph_service.ts";
import { GraphStore } from "./graph_store.ts";
import { RecordWriter } from "./record_writer.ts";
import { openDatabase } from "./schema.ts";

/** A graph in a temporary directory; dispose to close and delete it. */
export interface TestGraph extends AsyncDisposable {
  dir: string;
  store: GraphStore;
  shapes: ShapeRegistry;
  writer: RecordWriter;
  feed: ChangeFeed;
}

let builtins: Promise<ShapeRegistry> | undefined;

/** Opens a fresh graph (built-in shapes unless others are given). */
export async function testGraph(shapes?: ShapeRegistry): Promise<TestGraph> {
  builtins ??= ShapeRegistry.load([BUILTIN_SHAPES_DIR]);
  const registry = shapes ?? await builtins;
  const dir = await Deno.makeTempDir({ prefix: "agentos-graph-" });
  const db = openDatabase(`${dir}/agentos.db`);
  const store = new GraphStore(db);
  const feed = new ChangeFeed(store);
  return {
    dir,
    store,
    shapes: registry,
    writer: new RecordWriter(registry),
    feed,
    async [Symbol.asyncDispose]() {
      feed.close();
      db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
