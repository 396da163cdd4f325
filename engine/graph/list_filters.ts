/**
 * The filters of `graph.list` as SQL conditions on `nodes n`: deleted or
 * not, shape membership, value comparisons and full-text search. Values are
 * always bound parameters, never spliced into the SQL.
 *
 * @module
 */
import { didYouMean } from "../closest_word.ts";
import { coerceValue, type Shape, type ShapeRegistry } from "../shapes/mod.ts";
import { invalidParams } from "../errors.ts";
import { isObject } from "../is_object.ts";
import { toSql } from "./stored_value.ts";

/** Comparison operators of `graph.list` filters. */
export const FILTER_OPS = [
  "=",
  "!=",
  "<",
  ">",
  "<=",
  ">=",
  "contains",
] as const;
/** A filter operator. */
export type FilterOp = typeof FILTER_OPS[number];
/** One value filter: `{key, op, value}`. */
export interface Filter {
  key: string;
  op: FilterOp;
  value: unknown;
}

/** The parameters of `graph.list` that choose nodes (see `ListQuery`). */
export interface FilterQuery {
  shape?: string;
  where?: Filter[] | Record<string, unknown>;
  q?: string;
  includeDeleted?: boolean;
}

/** SQL conditions, all of which must hold, and the values they bind in order. */
export interface Conditions {
  where: string[];
  params: unknown[];
}

/**
 * Turns the filters of a list query into SQL conditions, checking them in
 * the order clients see their errors: shape, value filters, search words.
 *
 * @param shapes the loaded shapes (to coerce filter values like stored ones)
 * @param query the filters
 * @returns the conditions and their parameters
 * @throws {RpcError} InvalidParams for an unknown shape or a malformed filter
 */
export function buildFilters(
  shapes: ShapeRegistry,
  query: FilterQuery,
): Conditions {
  const conditions: Conditions = { where: [], params: [] };
  if (!query.includeDeleted) conditions.where.push("n.deleted_at IS NULL");
  const shape = shapeFilter(conditions, shapes, query.shape);
  for (const filter of normaliseFilters(query.where)) {
    valueFilter(conditions, filter, shape?.fields[filter.key]);
  }
  if (query.q !== undefined) textFilter(conditions, query.q);
  return conditions;
}

function shapeFilter(
  { where, params }: Conditions,
  shapes: ShapeRegistry,
  name: unknown,
): Shape | undefined {
  if (name === undefined) return undefined;
  const shape = shapes.get(String(name));
  if (typeof name !== "string" || !shape) {
    throw invalidParams(
      `Unknown shape ${JSON.stringify(name)}${
        typeof name === "string"
          ? didYouMean(name, shapes.list().map((s) => s.name))
          : ""
      }; see agentos shapes list`,
    );
  }
  // EXISTS, not IN: IN (SELECT …) materialises every member of the shape
  // on each query, while EXISTS is one index probe per scanned node.
  where.push(
    "EXISTS (SELECT 1 FROM node_shapes s WHERE s.node_id = n.id AND s.shape = ?)",
  );
  params.push(shape.name);
  return shape;
}

function valueFilter(
  { where, params }: Conditions,
  filter: Filter,
  field: Shape["fields"][string] | undefined,
): void {
  const value = field && filter.op !== "contains"
    ? toSql(coerceValue(filter.key, filter.value, field))
    : sqlLiteral(filter.value);
  // Equality probes the (key, value, node_id) index exactly. Other
  // operators read the node's one value through the (node_id, key) index:
  // as EXISTS over (key, value > ?) SQLite would scan every matching value
  // of every node for each row it checks.
  const nodeValue =
    "(SELECT f.value FROM node_values f WHERE f.node_id = n.id AND f.key = ?)";
  if (filter.op === "=") {
    where.push(
      "EXISTS (SELECT 1 FROM node_values f WHERE f.key = ? AND f.value = ? AND f.node_id = n.id)",
    );
  } else if (filter.op === "!=") {
    where.push(`${nodeValue} IS NOT ?`);
  } else if (filter.op === "contains") {
    where.push(`${nodeValue} LIKE ? ESCAPE '\\'`);
  } else {
    where.push(`${nodeValue} ${filter.op} ?`);
  }
  params.push(
    filter.key,
    filter.op === "contains"
      ? `%${String(filter.value).replaceAll(/[\\%_]/g, "\\$&")}%`
      : value,
  );
}

function textFilter({ where, params }: Conditions, q: unknown): void {
  where.push(
    "n.id IN (SELECT v.node_id FROM text_index JOIN node_values v ON v.rowid = text_index.rowid WHERE text_index MATCH ?)",
  );
  params.push(ftsQuery(q));
}

function normaliseFilters(where: FilterQuery["where"]): Filter[] {
  if (where === undefined || where === null) return [];
  const filters: unknown[] = Array.isArray(where)
    ? where
    : isObject(where)
    ? Object.entries(where).map(([key, value]) => ({ key, op: "=", value }))
    : [where];
  if (filters.length > 20) {
    throw invalidParams(`At most 20 filters, got ${filters.length}`);
  }
  return filters.map((filter) => {
    if (
      !isObject(filter) || typeof filter.key !== "string" ||
      filter.key === "" ||
      !FILTER_OPS.includes(filter.op as FilterOp) ||
      filter.value === undefined ||
      (filter.value !== null && typeof filter.value === "object")
    ) {
      throw invalidParams(
        `Each filter must be {key, op, value} with op one of ${
          FILTER_OPS.join(" ")
        } and a scalar value, got ${JSON.stringify(filter)?.slice(0, 200)}`,
      );
    }
    return filter as unknown as Filter;
  });
}

function sqlLiteral(value: unknown): unknown {
  return typeof value === "boolean" ? (value ? 1 : 0) : value;
}

function ftsQuery(q: unknown): string {
  if (typeof q !== "string") {
    throw invalidParams(`"q" must be a string, got ${JSON.stringify(q)}`);
  }
  const words = q.match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) {
    throw invalidParams(
      `"q" has no words to search for: ${JSON.stringify(q.slice(0, 100))}`,
    );
  }
  return words.slice(0, 32).map((word) => `"${word}"*`).join(" ");
}
