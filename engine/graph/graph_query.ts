import { didYouMean } from "../closest_word.ts";
import { coerceValue, type ShapeRegistry } from "../shapes/mod.ts";
import { invalidParams } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type { GraphStore } from "./graph_store.ts";
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

/** Parameters of `graph.list`. */
export interface ListQuery {
  /** Only nodes of this shape (inherited memberships count: `message` lists emails). */
  shape?: string;
  /** Value filters, all of which must hold; `{key: value}` is shorthand for `=`. */
  where?: Filter[] | Record<string, unknown>;
  /** Full-text search over string and text values (words, prefix-matched). */
  q?: string;
  /** `key` ascending or `-key` descending by a value; `created`/`-created` (default `-created`). */
  sort?: string;
  /** Page size, 1–500 (default 50). */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
  /** Include soft-deleted nodes. */
  includeDeleted?: boolean;
}

/** One node in a list page. */
export interface ListItem {
  id: string;
  shapes: string[];
  values: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** Default and largest page sizes. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/**
 * Runs `graph.list`: keyset pagination over a stable order (node ids sort by
 * creation), so a cursor never skips or repeats a node when others are
 * written between pages. Sorting by a value orders by (value, id); a node
 * whose sort value changes between pages may move.
 *
 * @param store the graph
 * @param shapes the loaded shapes (to coerce filter values like stored ones)
 * @param query the parameters
 * @returns one page and the cursor of the next (null at the end)
 * @throws {RpcError} InvalidParams for malformed parameters
 */
export function listNodes(
  store: GraphStore,
  shapes: ShapeRegistry,
  query: ListQuery,
): { items: ListItem[]; cursor: string | null } {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw invalidParams(
      `"limit" must be an integer from 1 to ${MAX_LIMIT}, got ${
        JSON.stringify(query.limit)
      }`,
    );
  }
  const where: string[] = [];
  const params: unknown[] = [];
  if (!query.includeDeleted) where.push("n.deleted_at IS NULL");
  const shape = query.shape === undefined
    ? undefined
    : shapes.get(String(query.shape));
  if (query.shape !== undefined) {
    if (typeof query.shape !== "string" || !shape) {
      throw invalidParams(
        `Unknown shape ${JSON.stringify(query.shape)}${
          typeof query.shape === "string"
            ? didYouMean(query.shape, shapes.list().map((s) => s.name))
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
  }
  for (const filter of normaliseFilters(query.where)) {
    const field = shape?.fields[filter.key];
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
  if (query.q !== undefined) {
    where.push(
      "n.id IN (SELECT v.node_id FROM text_index JOIN node_values v ON v.rowid = text_index.rowid WHERE text_index MATCH ?)",
    );
    params.push(ftsQuery(query.q));
  }

  const sort = query.sort ?? "-created";
  if (typeof sort !== "string" || !/^-?[^-].{0,127}$/.test(sort)) {
    throw invalidParams(
      `"sort" must be a key, optionally prefixed with "-", got ${
        JSON.stringify(sort)
      }`,
    );
  }
  const descending = sort.startsWith("-");
  const sortKey = descending ? sort.slice(1) : sort;
  const byId = sortKey === "created";
  const cursor = query.cursor === undefined
    ? undefined
    : decodeCursor(query.cursor);
  const direction = descending ? "DESC" : "ASC";
  const cmp = descending ? "<" : ">";
  const select = (
    from: string,
    conditions: string[],
    extra: unknown[],
    order: string,
    max: number,
    sortValue = "NULL",
  ) =>
    store.db.prepare(
      `SELECT n.id, n.created_at, n.updated_at, n.deleted_at, ${sortValue} AS sort_value FROM ${from}
       ${conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : ""}
       ORDER BY ${order} LIMIT ?`,
    ).all(...(extra as never[]), max) as unknown as Row[];
  let rows: Row[];
  if (byId) {
    const conditions = cursor ? [...where, `n.id ${cmp} ?`] : where;
    rows = select(
      "nodes n",
      conditions,
      cursor ? [...params, cursor[1]] : params,
      `n.id ${direction}`,
      limit + 1,
    );
  } else {
    // Nodes with the sort key, in index order of (key, value, node_id); then
    // nodes without it, by id. The cursor's value is null in the second phase.
    rows = [];
    if (!cursor || cursor[0] !== null) {
      const conditions = ["sv.key = ?", ...where];
      const extra: unknown[] = [sortKey, ...params];
      if (cursor) {
        conditions.push(
          `(sv.value ${cmp} ? OR (sv.value = ? AND sv.node_id ${cmp} ?))`,
        );
        extra.push(cursor[0], cursor[0], cursor[1]);
      }
      rows = select(
        "node_values sv JOIN nodes n ON n.id = sv.node_id",
        conditions,
        extra,
        `sv.value ${direction}, sv.node_id ${direction}`,
        limit + 1,
        "sv.value",
      );
    }
    if (rows.length <= limit) {
      const conditions = [
        "NOT EXISTS (SELECT 1 FROM node_values x WHERE x.node_id = n.id AND x.key = ?)",
        ...where,
      ];
      const extra: unknown[] = [sortKey, ...params];
      if (cursor && cursor[0] === null) {
        conditions.push(`n.id ${cmp} ?`);
        extra.push(cursor[1]);
      }
      rows.push(
        ...select(
          "nodes n",
          conditions,
          extra,
          `n.id ${direction}`,
          limit + 1 - rows.length,
        ),
      );
    }
  }
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      id: row.id,
      shapes: store.nodeShapes(row.id),
      values: store.nodeValues(row.id).values,
      created_at: row.created_at,
      updated_at: row.updated_at,
      deleted_at: row.deleted_at,
    })),
    cursor: rows.length > limit && last
      ? encodeCursor([byId ? null : last.sort_value ?? null, last.id])
      : null,
  };
}

interface Row {
  id: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  sort_value: string | number | null;
}

function normaliseFilters(where: ListQuery["where"]): Filter[] {
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

function encodeCursor(cursor: [unknown, string]): string {
  return btoa(JSON.stringify(cursor)).replaceAll("+", "-").replaceAll("/", "_")
    .replaceAll("=", "");
}

function decodeCursor(text: unknown): [string | number | null, string] {
  try {
    if (typeof text !== "string") throw new TypeError();
    const json = JSON.parse(
      atob(text.replaceAll("-", "+").replaceAll("_", "/")),
    );
    if (
      Array.isArray(json) && json.length === 2 && typeof json[1] === "string" &&
      (json[0] === null || typeof json[0] === "string" ||
        typeof json[0] === "number")
    ) return json as [string | number | null, string];
  } catch {
    // Fall through to the error below.
  }
  throw invalidParams(
    `Invalid cursor ${
      JSON.stringify(String(text).slice(0, 100))
    }: pass the cursor of the previous page`,
  );
}
