import type { Coerced, Shape, ShapeRegistry } from "../shapes/mod.ts";
import { isObject } from "../is_object.ts";
import type { GraphTx } from "./graph_tx.ts";
import { isOwnerActor, type SetValueOptions } from "./owner_wins.ts";
import { coerceRecordValue, validRecordKey } from "./record_values.ts";
import {
  findByIdentity,
  findByProvenance,
  identityPresent,
  importedAsAnother,
  type RecordKeys,
  REMOTE_ID,
} from "./identity_lookup.ts";

/** Deepest nesting of relation children followed; deeper ones are dropped. */
export const MAX_RECORD_DEPTH = 32;
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

const OWNER_WINS: SetValueOptions = { yieldTo: isOwnerActor };

/** Whether a node is marked as the owner (`isSelf: true`). */
function isSelfNode(tx: GraphTx, id: string): boolean {
  return tx.query(
    `SELECT 1 AS x FROM node_values
     WHERE node_id = ? AND key = 'isSelf' AND type = 'boolean' AND value = 1`,
    [id],
  ) !== undefined;
}

/**
 * A child record that cannot be found again is dropped with a warning: its
 * shape has no identity, or the record lacks its identity fields. Top-level
 * records are always written.
 */
function dropsUnidentified(
  keys: RecordKeys,
  path: string,
  depth: number,
  warnings: string[],
): boolean {
  const { shape } = keys;
  const hasIdentity = shape.identity.length > 0 ||
    shape.identityAny.length > 0;
  if (
    depth > 0 &&
    (!hasIdentity || !identityPresent(keys))
  ) {
    warnings.push(
      `${
        path.slice(0, -1)
      }: ${shape.name} has none of its identity fields; dropped`,
    );
    return true;
  }
  return false;
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
      if (!validRecordKey(key, "", warnings)) continue;
      if (raw === null) {
        out.set(key, null);
        continue;
      }
      const field = shapes.map((name) => this.#shapes.get(name)?.fields[key])
        .find(Boolean);
      const coerced = coerceRecordValue(key, raw, field, "", warnings);
      if (coerced) out.set(key, coerced);
    }
    return out;
  }

  /**
   * Writes one record and, first, its relation children (identity may go
   * through a relation: account: [at, identifier]); finds the node it is by
   * identity, else by provenance; creates it or updates it.
   */
  #upsert(
    tx: GraphTx,
    shape: Shape,
    record: Record<string, unknown>,
    path: string,
    depth: number,
    state: WriteState,
  ): { id: string; created: boolean } | undefined {
    const keys = this.#readRecord(tx, shape, record, path, depth, state);
    const existing = this.#findExisting(tx, keys, state.provenance);
    if (existing === undefined) {
      if (dropsUnidentified(keys, path, depth, state.result.warnings)) {
        return undefined;
      }
    } else if (state.provenance !== undefined && isSelfNode(tx, existing)) {
      // The owner's own node: a skill's contact or author record that
      // matches it is linked to, never merged into it.
      return { id: existing, created: false };
    }
    const created = existing === undefined;
    const id = existing ?? tx.createNode();
    const changed = this.#applyRecord(tx, id, keys, state);
    if (created) state.result.nodesCreated++;
    else if (changed) state.result.nodesUpdated++;
    return { id, created };
  }

  /** A record's values coerced, and its relation children written. */
  #readRecord(
    tx: GraphTx,
    shape: Shape,
    record: Record<string, unknown>,
    path: string,
    depth: number,
    state: WriteState,
  ): RecordKeys {
    const warnings = state.result.warnings;
    const children = new Map<string, string[]>();
    const values = new Map<string, Coerced>();
    for (const [key, raw] of Object.entries(record)) {
      if (key === "shape" || key.startsWith("_")) continue;
      if (!validRecordKey(key, path, warnings)) continue;
      const label = relationLabel(shape, key);
      const relation = label === undefined ? undefined : shape.relations[label];
      if (label && relation && raw !== null && typeof raw === "object") {
        const ids = this.#writeChildren(tx, relation.shape, key, raw, {
          path,
          depth,
          state,
        });
        if (ids.length > 0) children.set(label, ids);
        continue;
      }
      if (raw === null || raw === undefined) continue; // unknown, not "delete"
      const coerced = coerceRecordValue(
        key,
        raw,
        shape.fields[key],
        path,
        warnings,
      );
      if (coerced) values.set(key, coerced);
    }
    return { shape, values, children };
  }

  /** The children under one relation key (an object or a list of them). */
  #writeChildren(
    tx: GraphTx,
    declared: string,
    key: string,
    raw: object,
    { path, depth, state }: { path: string; depth: number; state: WriteState },
  ): string[] {
    const warnings = state.result.warnings;
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
      const childShape = this.#childShape(declared, item, childPath, warnings);
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
    return ids;
  }

  /**
   * The node a record is: its identity hit, unless this source imported
   * that node under another id (two launches sharing a fallback URL are
   * two records, not merged); else the node this source wrote for the same
   * remote id.
   */
  #findExisting(
    tx: GraphTx,
    keys: RecordKeys,
    provenance: string | undefined,
  ): string | undefined {
    const remoteId = keys.values.get("id");
    const hit = findByIdentity(tx, keys, this.#shapes);
    return hit !== undefined &&
        !importedAsAnother(tx, hit, provenance, remoteId)
      ? hit
      : findByProvenance(tx, keys, provenance);
  }

  /**
   * Writes memberships, values, child links and provenance onto a node.
   *
   * @returns whether anything changed
   */
  #applyRecord(
    tx: GraphTx,
    id: string,
    { shape, values, children }: RecordKeys,
    state: WriteState,
  ): boolean {
    let changed = false;
    for (const name of [shape.name, ...shape.ancestors]) {
      changed = tx.addShape(id, name) || changed;
    }
    for (const [key, coerced] of values) {
      // An import yields to what the owner wrote, unless the shape makes
      // this source the truth for the key.
      const guard = state.provenance !== undefined &&
          !shape.authoritative.includes(key)
        ? OWNER_WINS
        : undefined;
      changed = tx.setValue(id, key, coerced, guard) || changed;
    }
    for (const [label, ids] of children) {
      for (const childId of ids) {
        changed = tx.link(id, label, childId).created || changed;
      }
    }
    // The source's own id rides on the provenance edge: it is how a later
    // import without an identity hit finds this node again.
    const remoteId = values.get("id");
    if (state.provenance) {
      tx.link(
        id,
        "imported_from",
        state.provenance,
        remoteId ? { [REMOTE_ID]: remoteId } : {},
      );
    }
    return changed;
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
}
