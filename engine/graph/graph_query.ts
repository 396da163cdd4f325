/**
 * `graph.list`: one page of nodes chosen by filters, in a stable order, with
 * the cursor of the next page. Reads as its steps: the page size, the
 * filters, the order and cursor, the rows, the page.
 *
 * @module
 */
import type { ShapeRegistry } from "../shapes/mod.ts";
import { invalidParams } from "../errors.ts";
import type { GraphStore } from "./graph_store.ts";
import { buildFilters, type Conditions, type Filter } from "./list_filters.ts";

export { type Filter, FILTER_OPS, type FilterOp } from "./list_filters.ts";

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
  const limit = readLimit(query);
  const filters = buildFilters(shapes, query);
  const order = readOrder(query);
  const rows = order.byId
    ? rowsById(store, filters, order, limit)
    : rowsByValue(store, filters, order, limit);
  return toPage(store, rows, limit, order.byId);
}

function readLimit(query: ListQuery): number {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw invalidParams(
      `"limit" must be an integer from 1 to ${MAX_LIMIT}, got ${
        JSON.stringify(query.limit)
      }`,
    );
  }
  return limit;
}

/** The order of a page and where it starts. */
interface Order {
  /** The value key sorted by, or `created`. */
  sortKey: string;
  /** Sorted by creation: node ids sort that way. */
  byId: boolean;
  direction: "ASC" | "DESC";
  /** How a later row compares with the cursor. */
  cmp: "<" | ">";
  /** The previous page's last sort value and id. */
  cursor: [string | number | null, string] | undefined;
}

function readOrder(query: ListQuery): Order {
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
  return {
    sortKey,
    byId: sortKey === "created",
    direction: descending ? "DESC" : "ASC",
    cmp: descending ? "<" : ">",
    cursor: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
  };
}

function rowsById(
  store: GraphStore,
  { where, params }: Conditions,
  { cursor, cmp, direction }: Order,
  limit: number,
): Row[] {
  return selectRows(store, {
    from: "nodes n",
    conditions: cursor ? [...where, `n.id ${cmp} ?`] : where,
    params: cursor ? [...params, cursor[1]] : params,
    order: `n.id ${direction}`,
    max: limit + 1,
  });
}

/**
 * Nodes with the sort key, in index order of (key, value, node_id); then
 * nodes without it, by id. The cursor's value is null in the second phase.
 */
function rowsByValue(
  store: GraphStore,
  filters: Conditions,
  order: Order,
  limit: number,
): Row[] {
  const rows = !order.cursor || order.cursor[0] !== null
    ? rowsWithKey(store, filters, order, limit + 1)
    : [];
  if (rows.length <= limit) {
    rows.push(
      ...rowsWithoutKey(store, filters, order, limit + 1 - rows.length),
    );
  }
  return rows;
}

function rowsWithKey(
  store: GraphStore,
  { where, params }: Conditions,
  { sortKey, cursor, cmp, direction }: Order,
  max: number,
): Row[] {
  const conditions = ["sv.key = ?", ...where];
  const extra: unknown[] = [sortKey, ...params];
  if (cursor) {
    conditions.push(
      `(sv.value ${cmp} ? OR (sv.value = ? AND sv.node_id ${cmp} ?))`,
    );
    extra.push(cursor[0], cursor[0], cursor[1]);
  }
  return selectRows(store, {
    from: "node_values sv JOIN nodes n ON n.id = sv.node_id",
    conditions,
    params: extra,
    order: `sv.value ${direction}, sv.node_id ${direction}`,
    max,
    sortValue: "sv.value",
  });
}

function rowsWithoutKey(
  store: GraphStore,
  { where, params }: Conditions,
  { sortKey, cursor, cmp, direction }: Order,
  max: number,
): Row[] {
  const conditions = [
    "NOT EXISTS (SELECT 1 FROM node_values x WHERE x.node_id = n.id AND x.key = ?)",
    ...where,
  ];
  const extra: unknown[] = [sortKey, ...params];
  if (cursor && cursor[0] === null) {
    conditions.push(`n.id ${cmp} ?`);
    extra.push(cursor[1]);
  }
  return selectRows(store, {
    from: "nodes n",
    conditions,
    params: extra,
    order: `n.id ${direction}`,
    max,
  });
}

/** One SELECT of list rows. */
interface Select {
  from: string;
  conditions: string[];
  params: unknown[];
  order: string;
  max: number;
  /** The column the cursor's value comes from. */
  sortValue?: string;
}

function selectRows(
  store: GraphStore,
  { from, conditions, params, order, max, sortValue = "NULL" }: Select,
): Row[] {
  return store.db.prepare(
    `SELECT n.id, n.created_at, n.updated_at, n.deleted_at, ${sortValue} AS sort_value FROM ${from}
       ${conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : ""}
       ORDER BY ${order} LIMIT ?`,
  ).all(...(params as never[]), max) as unknown as Row[];
}

/** The first `limit` rows as items; one row more means a next page. */
function toPage(
  store: GraphStore,
  rows: Row[],
  limit: number,
  byId: boolean,
): { items: ListItem[]; cursor: string | null } {
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
