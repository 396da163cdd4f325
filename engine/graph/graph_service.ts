import { pathOf } from "../paths.ts";
import type { Engine, EngineService } from "../engine.ts";
import { ShapeCache, ShapeRegistry } from "../shapes/mod.ts";
import { ChangeFeed } from "./change_feed.ts";
import { registerGraphMethods } from "./graph_methods.ts";
import { GraphStore } from "./graph_store.ts";
import { RecordWriter } from "./record_writer.ts";
import { openDatabase, SCHEMA_VERSION } from "./schema.ts";
import { backupDatabase } from "./backup.ts";
import { LiveShapes, storeShapeDefinitions } from "./live_shapes.ts";
import { stringParam } from "../rpc/mod.ts";
import { ErrorCode, invalidParams, RpcError } from "../errors.ts";

/** The built-in shapes shipped with the engine. */
export const BUILTIN_SHAPES_DIR = pathOf(
  new URL("../../shapes", import.meta.url),
);

/** The graph as the rest of the engine uses it. */
export interface Graph {
  store: GraphStore;
  shapes: ShapeRegistry;
  writer: RecordWriter;
  feed: ChangeFeed;
}

/**
 * Opens the database, loads shapes (built-in, then `$AGENTOS_HOME/shapes`
 * overriding by name, reloaded when that directory changes or `shapes.add`
 * adds a file), stores their definitions in the graph, registers the graph
 * methods and adds the whole as an engine service.
 *
 * @param engine the engine being started
 * @returns the graph parts, for the services that write records
 */
export async function openGraph(engine: Engine): Promise<Graph> {
  const shapes = await ShapeRegistry.load([
    BUILTIN_SHAPES_DIR,
    `${engine.paths.home}/shapes`,
  ], { cache: await ShapeCache.open(engine.paths.shapeCache) });
  for (const problem of shapes.problems) {
    engine.log.warn("Shape not loaded", { ...problem });
  }
  const db = openDatabase(engine.paths.database);
  const store = new GraphStore(db);
  try {
    storeShapeDefinitions(db, shapes);
  } catch (error) {
    db.close();
    throw error;
  }
  const live = new LiveShapes({
    builtinDir: BUILTIN_SHAPES_DIR,
    homeDir: `${engine.paths.home}/shapes`,
    shapes,
    db,
    log: engine.log,
    cache: () => ShapeCache.open(engine.paths.shapeCache),
  });
  await live.watch();
  const graph: Graph = {
    store,
    shapes,
    writer: new RecordWriter(shapes),
    feed: new ChangeFeed(store),
  };
  registerGraphMethods(engine.dispatcher, graph);
  engine.dispatcher.register("shapes.add", async (params) => {
    const file = stringParam(params, "file", 4096);
    const text = params.text;
    if (typeof text !== "string") {
      throw invalidParams(`"text" must be the shape file's YAML`);
    }
    return await live.add(file, text);
  });
  engine.dispatcher.register("engine.backup", async (params) => {
    const name = params.name ?? new Date().toISOString().replaceAll(":", "-");
    if (
      typeof name !== "string" || !/^[\w.-]{1,100}$/.test(name) ||
      name.startsWith(".")
    ) {
      throw invalidParams(
        `"name" must be 1 to 100 letters, digits, "_", "-" or ".", got ${
          JSON.stringify(name)
        }`,
      );
    }
    const dir = `${engine.paths.home}/backups`;
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    const target = `${dir}/${name.endsWith(".db") ? name : `${name}.db`}`;
    try {
      await Deno.lstat(target);
      throw new RpcError(
        ErrorCode.Conflict,
        `Backup "${target}" already exists; choose another name`,
      );
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const info = await backupDatabase(db, target);
    engine.log.info("Backup written", { ...info });
    return info;
  });
  const service: EngineService = {
    counts: () => ({ ...store.counts(), subscribers: graph.feed.size }),
    status: () => ({
      database: engine.paths.database,
      schemaVersion: SCHEMA_VERSION,
      shapes: {
        loaded: shapes.list().length,
        problems: shapes.problems,
        generation: shapes.generation,
      },
    }),
    close: () => {
      live.close();
      graph.feed.close();
      db.exec("PRAGMA optimize");
      db.close();
    },
  };
  engine.addService(service);
  engine.log.info("Graph open", {
    shapes: shapes.list().length,
    problems: shapes.problems.length,
  });
  return graph;
}
