/**
 * Finding the node a record already has: by the identity its shape
 * declares, or, failing that, by the remote id this skill's provenance
 * edge carries. Private to `engine/graph/` (the record writer's lookups).
 *
 * @module
 */
import type { Coerced, Shape, ShapeRegistry } from "../shapes/mod.ts";
import type { GraphTx } from "./graph_tx.ts";
import { toSql } from "./stored_value.ts";

/** The `imported_from` edge value that holds the source's own id of a record. */
export const REMOTE_ID = "remote_id";

/** A record's keys as the writer has them: coerced values and linked children. */
export interface RecordKeys {
  /** The record's shape. */
  shape: Shape;
  /** Its coerced values (the remote id is `id`). */
  values: Map<string, Coerced>;
  /** Its relation children's node ids, by label. */
  children: Map<string, string[]>;
}

/**
 * Whether a record carries its shape's identity: every `identity` key, or
 * one `identity_any` key.
 *
 * @param record the record's keys
 * @returns true when an identity lookup is possible
 */
export function identityPresent(record: RecordKeys): boolean {
  const { shape, values, children } = record;
  const present = (key: string) => values.has(key) || children.has(key);
  if (shape.identity.length > 0) return shape.identity.every(present);
  return shape.identityAny.some(present);
}

/**
 * The live node with the record's identity, among nodes of its shape or
 * of an ancestor that shares that identity.
 *
 * @param tx the open transaction
 * @param record the record's keys
 * @param shapes the loaded shapes (for the ancestors' identities)
 * @returns the node id, or undefined
 */
export function findByIdentity(
  tx: GraphTx,
  record: RecordKeys,
  shapes: ShapeRegistry,
): string | undefined {
  const { shape, values, children } = record;
  // Nodes of this shape, or of an ancestor sharing the same identity (a
  // bookmark and a webpage with one url are one node).
  const family = [
    shape.name,
    ...shape.ancestors.filter((name) => {
      const ancestor = shapes.get(name);
      return ancestor !== undefined &&
        ancestor.identity.join() === shape.identity.join() &&
        ancestor.identityAny.join() === shape.identityAny.join() &&
        (ancestor.identity.length > 0 || ancestor.identityAny.length > 0);
    }),
  ];
  // Each identity key becomes a driving clause (for the first key, so the
  // lookup starts from an index: values by (key, value), edges by
  // (to_id, label)) or an EXISTS check on the candidate.
  type Clause = { drive: string; check: string; params: unknown[] };
  const clause = (key: string): Clause | undefined => {
    const value = values.get(key);
    if (value) {
      return {
        drive:
          "SELECT node_id AS id FROM node_values WHERE key = ? AND value = ?",
        check:
          "EXISTS (SELECT 1 FROM node_values v WHERE v.node_id = c.id AND v.key = ? AND v.value = ?)",
        params: [key, toSql(value)],
      };
    }
    const ids = children.get(key);
    if (ids && ids.length > 0) {
      return {
        drive:
          "SELECT from_id AS id FROM edges WHERE to_id = ? AND label = ? AND deleted_at IS NULL",
        check:
          "EXISTS (SELECT 1 FROM edges e WHERE e.from_id = c.id AND e.to_id = ? AND e.label = ? AND e.deleted_at IS NULL)",
        params: [ids[0], key],
      };
    }
    return undefined;
  };
  const lookup = (clauses: Clause[]) => {
    const [first, ...rest] = clauses as [Clause, ...Clause[]];
    const sql = `SELECT c.id FROM (${first.drive}) c
      JOIN nodes n ON n.id = c.id AND n.deleted_at IS NULL
      WHERE EXISTS (SELECT 1 FROM node_shapes s WHERE s.node_id = c.id
                      AND s.shape IN (${family.map(() => "?").join(", ")}))
        ${rest.map((r) => `AND ${r.check}`).join(" ")}
      ORDER BY c.id LIMIT 1`;
    const row = tx.query(sql, [
      ...first.params,
      ...family,
      ...rest.flatMap((r) => r.params),
    ]) as
      | { id: string }
      | undefined;
    return row?.id;
  };
  if (shape.identity.length > 0) {
    const clauses = shape.identity.map(clause);
    if (clauses.some((c) => c === undefined)) return undefined;
    return lookup(clauses as Clause[]);
  }
  for (const key of shape.identityAny) {
    const c = clause(key);
    if (!c) continue;
    const id = lookup([c]);
    if (id) return id;
  }
  return undefined;
}

/**
 * The live node of the record's shape that this skill imported before
 * under the same remote id (the `id` value), through the `remote_id` of
 * its `imported_from` edge to the skill's node.
 *
 * @param tx the open transaction
 * @param record the record's keys
 * @param provenance the skill's node
 * @returns the node id, or undefined
 */
export function findByProvenance(
  tx: GraphTx,
  record: RecordKeys,
  provenance: string | undefined,
): string | undefined {
  const remoteId = record.values.get("id");
  if (!remoteId || provenance === undefined) return undefined;
  // Starts from the remote id (edge_values_key_value), then keeps this
  // skill's imported_from edges, and only nodes of this shape, since one
  // source may number its tasks and its projects alike.
  const row = tx.query(
    `SELECT e.from_id AS id FROM edge_values v
       CROSS JOIN edges e ON e.id = v.edge_id
       JOIN nodes n ON n.id = e.from_id AND n.deleted_at IS NULL
     WHERE v.key = ? AND v.value = ?
       AND e.to_id = ? AND e.label = 'imported_from' AND e.deleted_at IS NULL
       AND EXISTS (SELECT 1 FROM node_shapes s
                   WHERE s.node_id = e.from_id AND s.shape = ?)
     ORDER BY e.from_id LIMIT 1`,
    [REMOTE_ID, toSql(remoteId), provenance, record.shape.name],
  ) as { id: string } | undefined;
  return row?.id;
}

/**
 * Whether this skill imported `node` before under a different remote id:
 * the source itself says the record being written is another thing, even
 * when an identity field (a shared fallback URL, say) matches.
 *
 * @param tx the open transaction
 * @param node the identity hit
 * @param provenance the skill's node
 * @param remoteId the record's own id
 * @returns true when the hit belongs to another record of the same source
 */
export function importedAsAnother(
  tx: GraphTx,
  node: string,
  provenance: string | undefined,
  remoteId: Coerced | undefined,
): boolean {
  if (!remoteId || provenance === undefined) return false;
  const row = tx.query(
    `SELECT v.value AS value FROM edges e
       JOIN edge_values v ON v.edge_id = e.id AND v.key = ?
     WHERE e.from_id = ? AND e.to_id = ? AND e.label = 'imported_from'
       AND e.deleted_at IS NULL LIMIT 1`,
    [REMOTE_ID, node, provenance],
  ) as { value: unknown } | undefined;
  return row !== undefined && row.value !== toSql(remoteId);
}
