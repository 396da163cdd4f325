import type { DatabaseSync } from "node:sqlite";
import {
  type ChangeEvent,
  GraphStore,
  listNodes,
  type ListQuery,
  liveShapeCounts,
  type NodeView,
  openDatabase,
  type ShapeHeading,
  shapeHeading,
} from "../engine/graph/mod.ts";
import type { Shape } from "../engine/shapes/mod.ts";
import {
  type Neighbourhood,
  type NeighbourhoodQuery,
  readNeighbourhood,
} from "./neighbourhood.ts";
import { ShapeCatalog } from "./shape_catalog.ts";

/** The graph database does not exist yet (the engine never ran on this home). */
export class GraphUnavailableError extends Error {
  /** The database path. */
  readonly path: string;

  /**
   * @param path the database file
   * @param options the open error
   */
  constructor(path: string, options?: ErrorOptions) {
    super(
      `No graph database at "${path}" yet; start the engine once with: agentos engine start`,
      options,
    );
    this.name = "GraphUnavailableError";
    this.path = path;
  }
}

/** A node as `GET /graph` lists it. */
export interface ListedNode {
  id: string;
  shapes: string[];
  title?: string;
  values: Record<string, unknown>;
  /** Keys whose string value was cut to the list limit (read the node for all of it). */
  truncated?: string[];
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** Who wrote a node, from its change log and `imported_from` edges. */
export interface Provenance {
  /** The actor of the node's `create` change. */
  createdBy: string | null;
  /** Every actor that changed the node, first writer first. */
  actors: { actor: string; changes: number; first: string; last: string }[];
  /** Nodes (usually skills) this record was imported from. */
  importedFrom: string[];
}

/** A node as `GET /graph/:id` returns it. */
export interface NodeDetail extends NodeView {
  title?: string;
  /** Shapes and titles of the nodes at the other end of its edges. */
  related: Record<
    string,
    { shapes: string[]; title?: string; deleted: boolean }
  >;
  provenance: Provenance;
}

/** A shape as `GET /shapes` lists it. */
export interface ShapeSummary extends ShapeHeading {
  fields: Shape["fields"];
  relations: Shape["relations"];
  display: Shape["display"];
  /** Live nodes with this shape (memberships include inherited shapes). */
  count: number;
}

/** Options for {@linkcode GraphReader.list}. */
export interface ReaderListOptions {
  /** String values longer than this are cut in list items. */
  maxValueChars: number;
}

/**
 * The bridge's window on the graph: its own connection, opened read-only so
 * no write can happen even by mistake, and the engine's own query code over
 * it. Opens lazily, so the bridge can start before the engine ever ran.
 */
export class GraphReader implements Disposable {
  /** The database file. */
  readonly path: string;
  #open:
    | { db: DatabaseSync; store: GraphStore; catalog: ShapeCatalog }
    | undefined;
  /** The open file's identity: `agentos restore` renames another file in. */
  #openFile: string | undefined;

  /** @param path the database file, `$AGENTOS_HOME/data/agentos.db` */
  constructor(path: string) {
    this.path = path;
  }

  /**
   * The read-only store (for diagnostics and tests; its `write` fails).
   *
   * @throws {GraphUnavailableError} when the database does not exist
   * @throws {SchemaTooNewError} when a newer engine wrote it
   */
  get store(): GraphStore {
    return this.#get().store;
  }

  /** The shapes the engine loaded. */
  get shapes(): ShapeCatalog {
    return this.#get().catalog;
  }

  /**
   * One page of nodes, by the engine's own `graph.list` logic.
   *
   * @param query shape, filters, text search, sort, page size, cursor
   * @param options list limits
   * @returns the page and the next cursor (null at the end)
   * @throws {RpcError} InvalidParams for malformed parameters
   */
  list(
    query: ListQuery,
    options: ReaderListOptions,
  ): { items: ListedNode[]; cursor: string | null } {
    const { store, catalog } = this.#get();
    const page = listNodes(store, catalog.asRegistry(), query);
    return {
      items: page.items.map((item) => {
        const truncated: string[] = [];
        const values: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(item.values)) {
          if (
            typeof value === "string" && value.length > options.maxValueChars
          ) {
            values[key] = value.slice(0, options.maxValueChars);
            truncated.push(key);
          } else {
            values[key] = value;
          }
        }
        return {
          id: item.id,
          shapes: item.shapes,
          title: catalog.titleOf(item.shapes, item.values),
          values,
          ...(truncated.length > 0 ? { truncated } : {}),
          created_at: item.created_at,
          updated_at: item.updated_at,
          deleted_at: item.deleted_at,
        };
      }),
      cursor: page.cursor,
    };
  }

  /**
   * One node with its values, shapes, edges both ways, the titles of its
   * neighbours and its provenance.
   *
   * @param id the node id
   * @returns the node, or undefined when there is no such node
   */
  node(id: string): NodeDetail | undefined {
    const { store, catalog, db } = this.#get();
    const node = store.getNode(id);
    if (!node) return undefined;
    const related: NodeDetail["related"] = {};
    for (const edge of [...node.edges_out, ...node.edges_in]) {
      const other = edge.from === id ? edge.to : edge.from;
      if (other in related) continue;
      const shapes = store.nodeShapes(other);
      const state = db.prepare("SELECT deleted_at FROM nodes WHERE id = ?").get(
        other,
      ) as
        | { deleted_at: string | null }
        | undefined;
      related[other] = {
        shapes,
        title: catalog.titleOf(shapes, store.nodeValues(other).values),
        deleted: state?.deleted_at !== null,
      };
    }
    const actors = db.prepare(
      `SELECT actor, count(*) AS changes, min(at) AS first, max(at) AS last, min(id) AS firstId
       FROM changes WHERE target_id = ? GROUP BY actor ORDER BY firstId LIMIT 100`,
    ).all(id) as {
      actor: string;
      changes: number;
      first: string;
      last: string;
    }[];
    const created = db.prepare(
      "SELECT actor FROM changes WHERE target_id = ? AND op = 'create' ORDER BY id LIMIT 1",
    ).get(id) as { actor: string } | undefined;
    return {
      ...node,
      title: catalog.titleOf(node.shapes, node.values),
      related,
      provenance: {
        createdBy: created?.actor ?? null,
        actors: actors.map(({ actor, changes, first, last }) => ({
          actor,
          changes,
          first,
          last,
        })),
        importedFrom: node.edges_out.filter((edge) =>
          edge.label === "imported_from"
        ).map((edge) => edge.to),
      },
    };
  }

  /**
   * One page of a node's neighbourhood (see {@linkcode readNeighbourhood}).
   *
   * @param id the focus node
   * @param query depth, page size, cursor and bounds
   * @returns the page, or undefined when there is no such node
   */
  neighbourhood(
    id: string,
    query: NeighbourhoodQuery,
  ): Neighbourhood | undefined {
    const open = this.#get();
    const exists = open.db.prepare("SELECT 1 AS x FROM nodes WHERE id = ?")
      .get(id);
    if (!exists) return undefined;
    return readNeighbourhood(open, id, query);
  }

  /**
   * The change log of a node and its edges, oldest first.
   *
   * @param id the node id
   * @param options `after` a change id, at most `limit` changes
   * @returns the changes, or undefined when there is no such node
   */
  history(
    id: string,
    options: { after?: number; limit: number },
  ): ChangeEvent[] | undefined {
    const { store } = this.#get();
    if (!store.getNode(id)) return undefined;
    return store.history(id, options);
  }

  /** The loaded shapes with the number of live nodes of each. */
  shapeSummaries(): ShapeSummary[] {
    const { store, catalog } = this.#get();
    const counts = liveShapeCounts(store);
    return catalog.list().map((shape) => ({
      ...shapeHeading(shape),
      fields: shape.fields,
      relations: shape.relations,
      display: shape.display,
      count: counts.get(shape.name) ?? 0,
    }));
  }

  /**
   * The owner's own node: the live node named by the `user.node` setting,
   * else the oldest live node whose boolean `isSelf` value is true.
   *
   * @returns the node id, or undefined when none is marked
   */
  ownerId(): string | undefined {
    const { db } = this.#get();
    const setting = db.prepare(
      "SELECT value FROM settings WHERE key = 'user.node'",
    ).get() as
      | { value: string }
      | undefined;
    if (setting) {
      const id = parseSettingValue(setting.value);
      if (typeof id === "string") {
        const live = db.prepare(
          "SELECT 1 AS x FROM nodes WHERE id = ? AND deleted_at IS NULL",
        ).get(id);
        if (live) return id;
      }
    }
    const marked = db.prepare(
      `SELECT v.node_id AS id FROM node_values v
       JOIN nodes n ON n.id = v.node_id AND n.deleted_at IS NULL
       WHERE v.key = 'isSelf' AND v.value = 1 AND v.type = 'boolean'
       ORDER BY v.node_id LIMIT 1`,
    ).get() as { id: string } | undefined;
    return marked?.id;
  }

  /**
   * The owner's preferences: `settings` rows named `prefs.<key>`, by key
   * (values parsed as JSON where they are JSON). Other settings are never
   * shown: they are the engine's.
   */
  preferences(): Record<string, unknown> {
    const { db } = this.#get();
    const rows = db.prepare(
      "SELECT key, value FROM settings WHERE key LIKE 'prefs.%' ORDER BY key LIMIT 1000",
    ).all() as { key: string; value: string }[];
    return Object.fromEntries(
      rows.map((
        row,
      ) => [row.key.slice("prefs.".length), parseSettingValue(row.value)]),
    );
  }

  /**
   * Changes after a change id, oldest first (an observer stream's replay).
   *
   * @param after the last change id the reader has
   * @param limit most changes returned
   * @returns the changes
   */
  changesSince(after: number, limit: number): ChangeEvent[] {
    return this.#get().store.changesSince(after, limit);
  }

  /** The oldest and newest change ids in the log (0 and 0 when empty). */
  changeBounds(): { oldest: number; latest: number } {
    const { db } = this.#get();
    const row = db.prepare(
      "SELECT coalesce(min(id), 0) AS oldest, coalesce(max(id), 0) AS latest FROM changes",
    ).get() as { oldest: number; latest: number };
    return { oldest: row.oldest, latest: row.latest };
  }

  /** Closes the connection (it reopens on the next read). */
  close(): void {
    this.#open?.db.close();
    this.#open = undefined;
  }

  /** Closes the connection. */
  [Symbol.dispose](): void {
    this.close();
  }

  #get(): { db: DatabaseSync; store: GraphStore; catalog: ShapeCatalog } {
    let identity: string;
    try {
      // One stat per request: a restore renames a new file over the path,
      // and the open connection would go on reading the old one.
      const info = Deno.statSync(this.path);
      identity = `${info.dev}:${info.ino}`;
      if (this.#open && identity === this.#openFile) return this.#open;
      this.close();
    } catch (error) {
      this.close();
      if (error instanceof Deno.errors.NotFound) {
        throw new GraphUnavailableError(this.path, { cause: error });
      }
      throw error;
    }
    const db = openDatabase(this.path, { readOnly: true });
    try {
      // Fail now, not on a request, if the file is not a graph at all.
      db.prepare("SELECT 1 FROM shapes LIMIT 1").get();
    } catch (error) {
      db.close();
      throw new GraphUnavailableError(this.path, { cause: error });
    }
    this.#open = {
      db,
      store: new GraphStore(db),
      catalog: new ShapeCatalog(db),
    };
    this.#openFile = identity;
    return this.#open;
  }
}

function parseSettingValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
