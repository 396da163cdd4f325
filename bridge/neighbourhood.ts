import type { DatabaseSync } from "node:sqlite";
import type { GraphStore } from "../engine/graph/mod.ts";
import type { ShapeCatalog } from "./shape_catalog.ts";

/** A node of a neighbourhood: its shapes, display title and hops from the focus. */
export interface NeighbourNode {
  id: string;
  shapes: string[];
  title?: string;
  /** 0 for the focus, 1 for its neighbours, 2 for theirs. */
  hop: number;
  deleted: boolean;
}

/** A live edge between two nodes of the neighbourhood. */
export interface NeighbourEdge {
  id: string;
  from: string;
  label: string;
  to: string;
}

/** One page of a node's neighbourhood, as `GET /graph/:id/neighbourhood` returns it. */
export interface Neighbourhood {
  focus: string;
  depth: number;
  /** The focus first (first page only), then neighbours by hop and id. */
  nodes: NeighbourNode[];
  /** Live edges touching a node of this page whose other end is in the neighbourhood. */
  edges: NeighbourEdge[];
  /** The shapes of this page's nodes: plural and display title key. */
  shapes: Record<string, { plural: string; title?: string }>;
  /** The whole neighbourhood (focus excluded), by each node's first shape. */
  total: { nodes: number; byShape: Record<string, number> };
  /** True when the walk stopped at `maxScan` nodes: the total is a lower bound. */
  truncated: boolean;
  /** True when this page's edges were cut at the edge limit. */
  edgesTruncated: boolean;
  /** Pass back as `cursor` for the next page; null at the end. */
  cursor: string | null;
}

/** What to read. */
export interface NeighbourhoodQuery {
  /** 1 or 2 hops. */
  depth: number;
  /** Most neighbours on this page. */
  limit: number;
  /** From a previous page: `<hop>:<id>` of its last node. */
  cursor?: string;
  /** Most nodes the walk visits before it stops (bounds a hub's cost). */
  maxScan: number;
  /** Most edges on one page. */
  maxEdges: number;
}

/** Where the reader reads from. */
export interface NeighbourhoodSource {
  db: DatabaseSync;
  store: GraphStore;
  catalog: ShapeCatalog;
}

const NEIGHBOURS_SQL = `
  SELECT e.to_id AS other FROM edges e
    JOIN nodes n ON n.id = e.to_id AND n.deleted_at IS NULL
    WHERE e.from_id = ? AND e.deleted_at IS NULL
  UNION
  SELECT e.from_id AS other FROM edges e
    JOIN nodes n ON n.id = e.from_id AND n.deleted_at IS NULL
    WHERE e.to_id = ? AND e.deleted_at IS NULL
  LIMIT ?`;

/**
 * Walks live edges both ways from the focus, breadth first, up to `depth`
 * hops, visiting at most `maxScan` nodes (a skill node is linked to every
 * record it imported: an unbounded walk would read the whole graph).
 *
 * @returns each node's hop (the focus at 0) and whether the walk was cut
 */
function walk(
  db: DatabaseSync,
  focus: string,
  depth: number,
  maxScan: number,
): { hops: Map<string, number>; truncated: boolean } {
  const hops = new Map<string, number>([[focus, 0]]);
  const neighbours = db.prepare(NEIGHBOURS_SQL);
  let frontier = [focus];
  for (let hop = 1; hop <= depth; hop++) {
    const next: string[] = [];
    for (const node of frontier) {
      // Rows already seen are skipped: ask for enough to find one past the limit.
      const room = maxScan + 1 + hops.size;
      const rows = neighbours.all(node, node, room) as { other: string }[];
      for (const { other } of rows) {
        if (hops.has(other)) continue;
        if (hops.size - 1 >= maxScan) return { hops, truncated: true };
        hops.set(other, hop);
        next.push(other);
      }
    }
    frontier = next;
  }
  return { hops, truncated: false };
}

/**
 * Parses a cursor, `<hop>:<id>`.
 *
 * @returns the position, or undefined when malformed
 */
export function parseNeighbourCursor(
  cursor: string,
): { hop: number; id: string } | undefined {
  const match = /^([12]):([A-Za-z0-9_-]{1,64})$/.exec(cursor);
  return match ? { hop: Number(match[1]), id: match[2]! } : undefined;
}

const byHopThenId = (a: [string, number], b: [string, number]) =>
  a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * One page of a node's neighbourhood: nodes with titles, the edges among
 * them, the shapes they have and the whole neighbourhood's size by shape,
 * so a picture can summarise what it does not draw.
 *
 * @param source the read-only connection, store and shapes
 * @param focus an existing node's id
 * @param query depth, page size, cursor and bounds
 * @returns the page
 */
export function readNeighbourhood(
  source: NeighbourhoodSource,
  focus: string,
  query: NeighbourhoodQuery,
): Neighbourhood {
  const { db, catalog } = source;
  const { hops, truncated } = walk(db, focus, query.depth, query.maxScan);
  const ordered = [...hops].filter(([id]) => id !== focus).sort(byHopThenId);
  const after = query.cursor ? parseNeighbourCursor(query.cursor) : undefined;
  const start = after
    ? ordered.findIndex((entry) =>
      byHopThenId(entry, [after.id, after.hop]) > 0
    )
    : 0;
  const from = start === -1 ? ordered.length : start;
  const page = ordered.slice(from, from + query.limit);
  const pageIds = page.map(([id]) => id);
  if (!after) pageIds.unshift(focus);

  const shapesOf = shapesByNode(db, [...hops.keys()]);
  const nodes = pageIds.map((id) => describeNode(source, id, hops, shapesOf));
  const shapes: Neighbourhood["shapes"] = {};
  for (const node of nodes) {
    for (const name of node.shapes) {
      const shape = catalog.get(name);
      const title = shape?.display.title;
      shapes[name] = {
        plural: shape?.plural ?? name,
        ...(typeof title === "string" ? { title } : {}),
      };
    }
  }
  const byShape: Record<string, number> = {};
  for (const [id] of ordered) {
    const first = shapesOf.get(id)?.[0] ?? "";
    byShape[first] = (byShape[first] ?? 0) + 1;
  }
  const { edges, cut } = edgesOf(db, pageIds, hops, query.maxEdges);
  const last = page.at(-1);
  return {
    focus,
    depth: query.depth,
    nodes,
    edges,
    shapes,
    total: { nodes: ordered.length, byShape },
    truncated,
    edgesTruncated: cut,
    cursor: last && from + page.length < ordered.length
      ? `${last[1]}:${last[0]}`
      : null,
  };
}

function describeNode(
  { db, store, catalog }: NeighbourhoodSource,
  id: string,
  hops: Map<string, number>,
  shapesOf: Map<string, string[]>,
): NeighbourNode {
  const shapes = shapesOf.get(id) ?? [];
  const state = db.prepare("SELECT deleted_at FROM nodes WHERE id = ?").get(
    id,
  ) as { deleted_at: string | null } | undefined;
  return {
    id,
    shapes,
    title: catalog.titleOf(shapes, store.nodeValues(id).values),
    hop: hops.get(id) ?? 0,
    deleted: state?.deleted_at != null,
  };
}

/** Every node's shapes, sorted, in one query. */
function shapesByNode(db: DatabaseSync, ids: string[]): Map<string, string[]> {
  const rows = db.prepare(
    `SELECT node_id, shape FROM node_shapes
     WHERE node_id IN (SELECT value FROM json_each(?)) ORDER BY node_id, shape`,
  ).all(JSON.stringify(ids)) as { node_id: string; shape: string }[];
  const shapes = new Map<string, string[]>();
  for (const row of rows) {
    const list = shapes.get(row.node_id) ?? [];
    list.push(row.shape);
    shapes.set(row.node_id, list);
  }
  return shapes;
}

/** Live edges with one end on the page and the other in the neighbourhood. */
function edgesOf(
  db: DatabaseSync,
  pageIds: string[],
  hops: Map<string, number>,
  maxEdges: number,
): { edges: NeighbourEdge[]; cut: boolean } {
  const rows = db.prepare(
    `SELECT id, from_id, label, to_id FROM edges
     WHERE deleted_at IS NULL
       AND from_id IN (SELECT value FROM json_each(?1))
       AND to_id IN (SELECT value FROM json_each(?2))
     UNION
     SELECT id, from_id, label, to_id FROM edges
     WHERE deleted_at IS NULL
       AND to_id IN (SELECT value FROM json_each(?1))
       AND from_id IN (SELECT value FROM json_each(?2))
     ORDER BY id LIMIT ?3`,
  ).all(
    JSON.stringify(pageIds),
    JSON.stringify([...hops.keys()]),
    maxEdges + 1,
  ) as { id: string; from_id: string; label: string; to_id: string }[];
  const edges = rows.slice(0, maxEdges).map((row) => ({
    id: row.id,
    from: row.from_id,
    label: row.label,
    to: row.to_id,
  }));
  return { edges, cut: rows.length > maxEdges };
}
