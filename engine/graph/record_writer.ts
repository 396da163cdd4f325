import {
  type Coerced,
  coerceValue,
  type Shape,
  type ShapeRegistry,
} from "../shapes/mod.ts";
import { isObject } from "../is_object.ts";
import type { GraphTx } from "./graph_tx.ts";
import { toSql } from "./stored_value.ts";

/** Deepest nesting of relation children followed; deeper ones are dropped. */
export const MAX_RECORD_DEPTH = 32;
/** Largest single value, in UTF-16 code units of its text or JSON form. */
export const MAX_VALUE_CHARS = 1024 * 1024;
// deno-lint-ignore no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f]/;

/** The `imported_from` edge value that holds the source's own id of a record. */
export const REMOTE_ID = "remote_id";

/** Longest value key. */
export const MAX_KEY_CHARS = 128;

/**
 * The relation a record key reaches: its own name, or for a camelCase key
 * (`departsFrom`, as many published skills write them) the snake_case
 * relation of the same words (`departs_from`), since edge labels are
 * snake_case.
 */
function relationLabel(shape: Shape, key: string): string | undefined {
  if (key in shape.relations) return key;
  if (!/[A-Z]/.test(key)) return undefined;
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake in shape.relations ? snake : undefined;
}

/** What one record write did. */
export interface RecordWriteResult {
  /** The top-level node's id (undefined when nothing could be written). */
  id: string | undefined;
  /** Whether the top-level node is new. */
  created: boolean;
  /** Nodes created, the top level and children together. */
  nodesCreated: number;
  /** Existing nodes that changed. */
  nodesUpdated: number;
  /** Values that could not be stored as given, with their paths. */
  warnings: string[];
}

/** Options for {@linkcode RecordWriter.write}. */
export interface RecordWriteOptions {
  /** A skill's node: every written node gets an `imported_from` edge to it. */
  provenance?: string;
}

interface WriteState {
  result: RecordWriteResult;
  provenance?: string;
}

/**
 * Writes shaped records: coerces values to their fields' types, upserts by
 * identity, turns relation objects into linked child nodes, records shape
 * memberships (with inherited shapes) and provenance. Knows no shape by
 * name: everything comes from the registry.
 */
export class RecordWriter {
  #shapes: ShapeRegistry;

  /** @param shapes the loaded shapes */
  constructor(shapes: ShapeRegistry) {
    this.#shapes = shapes;
  }

  /**
   * Writes one record inside a transaction.
   *
   * @param tx the open transaction
   * @param shapeName the record's shape
   * @param record its keys and values (relation keys may hold objects)
   * @param options provenance
   * @returns ids, counts and warnings
   * @throws {TypeError} for an unknown shape
   */
  write(
    tx: GraphTx,
    shapeName: string,
    record: Record<string, unknown>,
    options: RecordWriteOptions = {},
  ): RecordWriteResult {
    const shape = this.#shapes.get(shapeName);
    if (!shape) throw new TypeError(`Unknown shape "${shapeName}"`);
    const state: WriteState = {
      result: {
        id: undefined,
        created: false,
        nodesCreated: 0,
        nodesUpdated: 0,
        warnings: [],
      },
      provenance: options.provenance,
    };
    const written = this.#upsert(tx, shape, record, "", 0, state);
    state.result.id = written?.id;
    state.result.created = written?.created ?? false;
    return state.result;
  }

  /**
   * Coerces loose values against the fields of some shapes (or by JSON type
   * when no shape declares the key).
   *
   * @param values the raw values
   * @param shapes shapes whose fields apply, nearest first
   * @param warnings receives coercion warnings
   * @returns coerced values, with null meaning "unset"
   */
  coerceLoose(
    values: Record<string, unknown>,
    shapes: string[],
    warnings: string[],
  ): Map<string, Coerced | null> {
    const out = new Map<string, Coerced | null>();
    for (const [key, raw] of Object.entries(values)) {
      if (!this.#validKey(key, "", warnings)) continue;
      if (raw === null) {
        out.set(key, null);
        continue;
      }
      const field = shapes.map((name) => this.#shapes.get(name)?.fields[key])
        .find(Boolean);
      const coerced = this.#coerce(key, raw, field, "", warnings);
      if (coerced) out.set(key, coerced);
    }
    return out;
  }

  #upsert(
    tx: GraphTx,
    shape: Shape,
    record: Record<string, unknown>,
    path: string,
    depth: number,
    state: WriteState,
  ): { id: string; created: boolean } | undefined {
    const warnings = state.result.warnings;
    // Children first: identity may go through a relation (account: [at, identifier]).
    const children = new Map<string, string[]>();
    const values = new Map<string, Coerced>();
    for (const [key, raw] of Object.entries(record)) {
      if (key === "shape" || key.startsWith("_")) continue;
      if (!this.#validKey(key, path, warnings)) continue;
      const label = relationLabel(shape, key);
      const relation = label === undefined ? undefined : shape.relations[label];
      if (label && relation && raw !== null && typeof raw === "object") {
        const items = Array.isArray(raw) ? raw : [raw];
        const ids: string[] = [];
        for (const [index, item] of items.entries()) {
          const childPath = `${path}${key}${
            Array.isArray(raw) ? `[${index}]` : ""
          }.`;
          if (!isObject(item)) {
            warnings.push(
              `${
                childPath.slice(0, -1)
              }: expected an object for relation "${key}"; dropped`,
            );
            continue;
          }
          if (depth + 1 > MAX_RECORD_DEPTH) {
            warnings.push(
              `${
                childPath.slice(0, -1)
              }: nested deeper than ${MAX_RECORD_DEPTH} levels; dropped`,
            );
            continue;
          }
          const childShape = this.#childShape(
            relation.shape,
            item,
            childPath,
            warnings,
          );
          if (!childShape) continue;
          const child = this.#upsert(
            tx,
            childShape,
            item,
            childPath,
            depth + 1,
            state,
          );
          if (child) ids.push(child.id);
        }
        if (ids.length > 0) children.set(label, ids);
        continue;
      }
      if (raw === null || raw === undefined) continue; // unknown, not "delete"
      const coerced = this.#coerce(key, raw, shape.fields[key], path, warnings);
      if (coerced) values.set(key, coerced);
    }

    // The source's own id, which the provenance edge carries: without an
    // identity hit, it finds the node this skill wrote for the same record.
    const remoteId = values.get("id");
    let id = this.#findByIdentity(tx, shape, values, children) ??
      this.#findByProvenance(tx, shape, remoteId, state.provenance);
    let created = false;
    if (id === undefined) {
      const hasIdentity = shape.identity.length > 0 ||
        shape.identityAny.length > 0;
      if (
        depth > 0 &&
        (!hasIdentity || !this.#identityPresent(shape, values, children))
      ) {
        warnings.push(
          `${
            path.slice(0, -1)
          }: ${shape.name} has none of its identity fields; dropped`,
        );
        return undefined;
      }
      id = tx.createNode();
      created = true;
    }
    let changed = false;
    for (const name of [shape.name, ...shape.ancestors]) {
      changed = tx.addShape(id, name) || changed;
    }
    for (const [key, coerced] of values) {
      changed = tx.setValue(id, key, coerced) || changed;
    }
    for (const [label, ids] of children) {
      for (const childId of ids) {
        changed = tx.link(id, label, childId).created || changed;
      }
    }
    if (state.provenance) {
      tx.link(
        id,
        "imported_from",
        state.provenance,
        remoteId ? { [REMOTE_ID]: remoteId } : {},
      );
    }
    if (created) state.result.nodesCreated++;
    else if (changed) state.result.nodesUpdated++;
    return { id, created };
  }

  #findByProvenance(
    tx: GraphTx,
    shape: Shape,
    remoteId: Coerced | undefined,
    provenance: string | undefined,
  ): string | undefined {
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
      [REMOTE_ID, toSql(remoteId), provenance, shape.name],
    ) as { id: string } | undefined;
    return row?.id;
  }

  #childShape(
    declared: string,
    item: Record<string, unknown>,
    path: string,
    warnings: string[],
  ): Shape | undefined {
    const override = typeof item.shape === "string" ? item.shape : undefined;
    const shape = this.#shapes.get(override ?? declared);
    if (!shape) {
      warnings.push(
        `${path.slice(0, -1)}: unknown shape "${
          override ?? declared
        }"; dropped`,
      );
    }
    return shape;
  }

  #identityPresent(
    shape: Shape,
    values: Map<string, Coerced>,
    children: Map<string, string[]>,
  ): boolean {
    const present = (key: string) => values.has(key) || children.has(key);
    if (shape.identity.length > 0) return shape.identity.every(present);
    return shape.identityAny.some(present);
  }

  #findByIdentity(
    tx: GraphTx,
    shape: Shape,
    values: Map<string, Coerced>,
    children: Map<string, string[]>,
  ): string | undefined {
    // Nodes of this shape, or of an ancestor sharing the same identity (a
    // bookmark and a webpage with one url are one node).
    const family = [
      shape.name,
      ...shape.ancestors.filter((name) => {
        const ancestor = this.#shapes.get(name);
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

  #coerce(
    key: string,
    raw: unknown,
    field: Parameters<typeof coerceValue>[2],
    path: string,
    warnings: string[],
  ): Coerced | undefined {
    const coerced = coerceValue(key, raw, field);
    if (coerced.warning) warnings.push(`${path}${key}: ${coerced.warning}`);
    if (typeof coerced.value === "string" && coerced.value.includes("\u0000")) {
      // SQLite text ends at NUL; keep the rest rather than lose it silently.
      coerced.value = coerced.value.replaceAll("\u0000", "");
      warnings.push(`${path}${key}: NUL characters removed`);
    }
    if (
      typeof coerced.value === "string" &&
      coerced.value.length > MAX_VALUE_CHARS
    ) {
      warnings.push(
        `${path}${key}: value of ${coerced.value.length} characters exceeds the limit of ${MAX_VALUE_CHARS}; dropped`,
      );
      return undefined;
    }
    return coerced;
  }

  #validKey(key: string, path: string, warnings: string[]): boolean {
    if (
      key.length > 0 && key.length <= MAX_KEY_CHARS && !CONTROL_CHARS.test(key)
    ) return true;
    warnings.push(
      `${path}${
        JSON.stringify(key.slice(0, 40))
      }: invalid key (1 to ${MAX_KEY_CHARS} printable characters); dropped`,
    );
    return false;
  }
}
