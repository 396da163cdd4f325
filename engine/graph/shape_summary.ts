/**
 * What a list of shapes shows of each: `shapes.list` (engine) and
 * `GET /shapes` (bridge, over its read-only store) open each entry with the
 * same heading and count its live nodes the same way.
 *
 * @module
 */
import type { Shape } from "../shapes/mod.ts";
import type { GraphStore } from "./graph_store.ts";

/** The names, description, parents and identity keys of a shape. */
export type ShapeHeading = Pick<
  Shape,
  "name" | "plural" | "description" | "also" | "identity" | "identityAny"
>;

/** The heading a shape summary opens with. */
export function shapeHeading(shape: Shape): ShapeHeading {
  return {
    name: shape.name,
    plural: shape.plural,
    description: shape.description,
    also: shape.also,
    identity: shape.identity,
    identityAny: shape.identityAny,
  };
}

/**
 * Live nodes per shape, memberships included (a node of a shape that
 * `also` another counts for both); shapes with no live node are absent.
 *
 * @param store the engine's store or a read-only one
 * @returns the count by shape name
 */
export function liveShapeCounts(store: GraphStore): Map<string, number> {
  const rows = store.statements.get(
    `SELECT s.shape AS shape, count(*) AS n FROM node_shapes s
     JOIN nodes n ON n.id = s.node_id AND n.deleted_at IS NULL GROUP BY s.shape`,
  ).all() as { shape: string; n: number }[];
  return new Map(rows.map((row) => [row.shape, row.n]));
}
