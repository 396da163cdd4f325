import { fileURLToPath } from "node:url";
import type { Engine, EngineService } from "../engine.ts";
import { ShapeRegistry } from "../shapes/mod.ts";
import { ChangeFeed } from "./change_feed.ts";
import { registerGraphMethods } from "./graph_methods.ts";
import { GraphStore } from "./graph_store.ts";
import { RecordWriter } from "./record_writer.ts";
import { openDatabase, SCHEMA_VERSION } from "./schema.ts";

/** The built-in shapes shipped with the engine. */
export const BUILTIN_SHAPES_DIR = fileURLToPath(
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
 * overriding by name), stores their definitions in the graph, registers the
 * graph methods and adds the whole as an engine service.
 *
 * @param engine the engine being started
 * @returns the graph parts, for the services that write records
 */
export async function openGraph(engine: Engine): Promise<Graph> {
  const shapes = await ShapeRegistry.load([
    BUILTIN_SHAPES_DIR,
    `${engine.paths.home}/shapes`,
  ]);
  for (const problem of shapes.problems) {
    engine.log.warn("Shape not loaded", { ...problem });
  }
  const db = openDatabase(engine.paths.database);
  const store = new GraphStore(db);
  const now = new Date().toISOString();
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec("DELETE FROM shapes");
    const insert = db.prepare(
      "INSERT INTO shapes (name, definition, file, loaded_at) VALUES (?, ?, ?, ?)",
    );
    for (const shape of shapes.list()) {
      insert.run(shape.name, JSON.stringify(shape), shape.file, now);
    }
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    db.close();
    throw error;
  }
  const graph: Graph = {
    store,
    shapes,
    writer: new RecordWriter(shapes),
    feed: new ChangeFeed(store),
  };
  registerGraphMethods(engine.dispatcher, graph);
  const service: EngineService = {
    counts: () => ({ ...store.counts(), subscribers: graph.feed.size }),
    status: () => ({
      database: engine.paths.database,
      schemaVersion: SCHEMA_VERSION,
      shapes: { loaded: shapes.list().length, problems: shapes.problems },
    }),
    close: () => {
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
