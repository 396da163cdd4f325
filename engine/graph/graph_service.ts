import type { DatabaseSync } from "node:sqlite";
import { pathOf } from "../paths.ts";
import type { Engine, EngineService } from "../engine.ts";
import { registerTable } from "../rpc/mod.ts";
import { ShapeCache, ShapeRegistry } from "../shapes/mod.ts";
import { backupMethods } from "./backup_methods.ts";
import { ChangeFeed } from "./change_feed.ts";
import { graphMethods } from "./graph_methods.ts";
import { GraphStore } from "./graph_store.ts";
import { LiveShapes, storeShapeDefinitions } from "./live_shapes.ts";
import { observerMethods } from "./observer_methods.ts";
import { RecordWriter } from "./record_writer.ts";
import { openDatabase, SCHEMA_VERSION } from "./schema.ts";
import { shapesMethods } from "./shapes_methods.ts";

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
  const shapes = await loadShapes(engine);
  const db = openDatabase(engine.paths.database);
  const store = new GraphStore(db);
  storeDefinitions(db, shapes);
  const live = await watchShapes(engine, shapes, db);
  const graph: Graph = {
    store,
    shapes,
    writer: new RecordWriter(shapes),
    feed: new ChangeFeed(store),
  };
  registerGraphTables(engine, graph, { db, live });
  engine.addService(graphService(engine, graph, { db, live }));
  engine.log.info("Graph open", {
    shapes: shapes.list().length,
    problems: shapes.problems.length,
  });
  return graph;
}

/** What the graph holds besides its public parts. */
interface GraphInternals {
  db: DatabaseSync;
  live: LiveShapes;
}

/** Built-in shapes, then the owner's; a file that fails is logged, not fatal. */
async function loadShapes(engine: Engine): Promise<ShapeRegistry> {
  const shapes = await ShapeRegistry.load([
    BUILTIN_SHAPES_DIR,
    `${engine.paths.home}/shapes`,
  ], { cache: await ShapeCache.open(engine.paths.shapeCache) });
  for (const problem of shapes.problems) {
    engine.log.warn("Shape not loaded", { ...problem });
  }
  return shapes;
}

/** Stores the shapes' definitions; the database is closed if that fails. */
function storeDefinitions(db: DatabaseSync, shapes: ShapeRegistry): void {
  try {
    storeShapeDefinitions(db, shapes);
  } catch (error) {
    db.close();
    throw error;
  }
}

async function watchShapes(
  engine: Engine,
  shapes: ShapeRegistry,
  db: DatabaseSync,
): Promise<LiveShapes> {
  const live = new LiveShapes({
    builtinDir: BUILTIN_SHAPES_DIR,
    homeDir: `${engine.paths.home}/shapes`,
    shapes,
    db,
    log: engine.log,
    cache: () => ShapeCache.open(engine.paths.shapeCache),
  });
  await live.watch();
  return live;
}

/** `graph.*`, `shapes.*`, `observer.subscribe` and `engine.backup`. */
function registerGraphTables(
  engine: Engine,
  graph: Graph,
  { db, live }: GraphInternals,
): void {
  const { dispatcher } = engine;
  registerTable(dispatcher, graphMethods(graph));
  registerTable(dispatcher, shapesMethods({ ...graph, live }));
  registerTable(dispatcher, observerMethods(graph.feed));
  registerTable(
    dispatcher,
    backupMethods({ db, home: engine.paths.home, log: engine.log }),
  );
}

/** Counts and status for `engine.status`; closes the database last. */
function graphService(
  engine: Engine,
  graph: Graph,
  { db, live }: GraphInternals,
): EngineService {
  const { store, shapes } = graph;
  return {
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
}
