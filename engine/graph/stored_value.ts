/**
 * How values are stored: the SQL form of a coerced value and back, and the
 * statements on the two value tables (node_values, edge_values), which hold
 * the same columns under another owner.
 *
 * @module
 */
import type { Coerced, ValueType } from "../shapes/mod.ts";

/** A value as a node_values or edge_values row holds it. */
export interface SqlValue {
  type: ValueType;
  value: string | number | null;
}

/** Statements on one of the value tables, built once. */
export interface ValueSql {
  select: string;
  insert: string;
  upsert: string;
}

function valueSql(table: string, owner: string): ValueSql {
  const insert =
    `INSERT INTO ${table} (${owner}, key, type, value) VALUES (?, ?, ?, ?)`;
  return {
    select: `SELECT type, value FROM ${table} WHERE ${owner} = ? AND key = ?`,
    insert,
    upsert: `${insert}
         ON CONFLICT (${owner}, key) DO UPDATE SET type = excluded.type, value = excluded.value`,
  };
}

/** Node values and edge values: the same columns under another owner. */
export const VALUE_SQL: Record<"node" | "edge", ValueSql> = {
  node: valueSql("node_values", "node_id"),
  edge: valueSql("edge_values", "edge_id"),
};

/** The SQL form of a value: booleans as 0/1, everything else as is. */
export function toSql(coerced: Coerced): string | number | null {
  if (typeof coerced.value === "boolean") return coerced.value ? 1 : 0;
  return coerced.value;
}

/** The JSON form of a stored value, by its type tag. */
export function fromSql(
  row: { type: ValueType; value: string | number | null },
): unknown {
  if (row.value === null) return null;
  if (row.type === "boolean") return row.value === 1;
  if (row.type === "json") {
    try {
      return JSON.parse(String(row.value));
    } catch {
      return row.value;
    }
  }
  return row.value;
}
