/**
 * `graph.*`: read and list nodes, write them (one, many of one shape,
 * loose values), delete and restore, link and unlink, and a node's history.
 * Each method is a small handler with the readers of its parameters beside
 * it; writes go through one transaction each.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import { explainChanges } from "./explain_changes.ts";
import {
  method,
  type MethodTable,
  optionalString,
  param,
  readParams,
  stringParam,
} from "../rpc/mod.ts";
import type { ShapeRegistry } from "../shapes/mod.ts";
import { listNodes, type ListQuery } from "./graph_query.ts";
import type { GraphStore } from "./graph_store.ts";
import type { GraphTx } from "./graph_tx.ts";
import { notFound } from "./method_errors.ts";
import {
  actorParam,
  edgeLabel,
  existingNode,
  knownShape,
  recordList,
  requiredShape,
} from "./params.ts";
import type { RecordWriter } from "./record_writer.ts";

/** What the graph methods work on. */
export interface GraphMethodsContext {
  store: GraphStore;
  shapes: ShapeRegistry;
  writer: RecordWriter;
}

/** A node or edge id. */
const ID = param.string(64);

/** The parameters of a new edge, in the order they are read. */
const EDGE = {
  from: ID,
  to: ID,
  label: edgeLabel,
  values: param.optionalObject(),
};

/**
 * The `graph.*` methods.
 *
 * @param context the store, the shapes and the record writer
 * @returns the method table
 */
export function graphMethods(context: GraphMethodsContext): MethodTable {
  const { store, shapes } = context;
  return {
    "graph.get": method({ id: ID }, ({ id }) => getNode(store, id)),

    "graph.list": method(
      { query: param.all() },
      ({ query }) => listNodes(store, shapes, query as ListQuery),
    ),

    // One node, or an edge when the parameters name its ends or label.
    "graph.create": method(
      { actor: actorParam, all: param.all() },
      ({ actor, all }) =>
        isEdgeRequest(all)
          ? link(context, { actor, ...readParams(EDGE, all) })
          : createNode(context, {
            actor,
            ...readParams(
              { values: param.optionalObject(), shape: knownShape(shapes) },
              all,
            ),
          }),
    ),

    // Bulk ingest: many records of one shape in one transaction.
    "graph.import": method(
      { actor: actorParam, shape: requiredShape(shapes), records: recordList },
      (params) => importRecords(context, params),
    ),

    "graph.update": method(
      { actor: actorParam, id: ID, values: param.object() },
      (params) => updateNode(context, params),
    ),

    "graph.delete": method(
      { actor: actorParam, id: ID },
      (params) => softDelete(store, "delete", params),
    ),

    "graph.restore": method(
      { actor: actorParam, id: ID },
      (params) => softDelete(store, "restore", params),
    ),

    "graph.link": method(
      { actor: actorParam, ...EDGE },
      (params) => link(context, params),
    ),

    "graph.unlink": method(
      { actor: actorParam, all: param.all() },
      ({ actor, all }) => unlink(store, actor, all),
    ),

    "graph.history": method({
      id: existingNode(store),
      after: param.optionalInteger(Number.MAX_SAFE_INTEGER),
      limit: param.optionalInteger(5000),
    }, ({ id, after, limit }) => ({
      id,
      changes: explainChanges(
        store.history(id, { after, limit: limit ?? 500 }),
      ),
    })),
  };
}

function getNode(store: GraphStore, id: string) {
  const node = store.getNode(id);
  if (!node) throw notFound(`No node "${id}"`);
  return node;
}

function isEdgeRequest(params: Record<string, unknown>): boolean {
  return params.from !== undefined || params.to !== undefined ||
    params.label !== undefined;
}

/** A node with loose values, or a record of a shape through the writer. */
function createNode(
  { store, writer }: GraphMethodsContext,
  { actor, values, shape }: {
    actor: string;
    values: Record<string, unknown>;
    shape: string | undefined;
  },
) {
  const { value } = store.write(actor, (tx) => {
    if (shape !== undefined) return writer.write(tx, shape, values);
    const warnings: string[] = [];
    const coerced = writer.coerceLoose(values, [], warnings);
    const id = tx.createNode();
    for (const [key, c] of coerced) if (c) tx.setValue(id, key, c);
    return { id, created: true, warnings };
  });
  if (value.id === undefined) {
    throw new RpcError(ErrorCode.InvalidParams, "Nothing could be written", {
      warnings: value.warnings,
    });
  }
  return { id: value.id, created: value.created, warnings: value.warnings };
}

function importRecords(
  { store, writer }: GraphMethodsContext,
  { actor, shape, records }: {
    actor: string;
    shape: string;
    records: Record<string, unknown>[];
  },
) {
  const { value } = store.write(actor, (tx) => {
    const total = {
      ids: [] as (string | null)[],
      created: 0,
      updated: 0,
      warnings: [] as string[],
    };
    for (const [index, record] of records.entries()) {
      const result = writer.write(tx, shape, record);
      total.ids.push(result.id ?? null);
      total.created += result.nodesCreated;
      total.updated += result.nodesUpdated;
      total.warnings.push(...result.warnings.map((w) => `[${index}] ${w}`));
    }
    return total;
  });
  return value;
}

function updateNode(
  { store, writer }: GraphMethodsContext,
  { actor, id, values }: {
    actor: string;
    id: string;
    values: Record<string, unknown>;
  },
) {
  const { value } = store.write(actor, (tx) => {
    requireLiveNode(tx, id);
    const warnings: string[] = [];
    let changed = 0;
    for (
      const [key, coerced] of writer.coerceLoose(
        values,
        store.nodeShapes(id),
        warnings,
      )
    ) {
      const did = coerced === null
        ? tx.unsetValue(id, key)
        : tx.setValue(id, key, coerced);
      if (did) changed++;
    }
    return { id, changed, warnings };
  });
  return value;
}

/** `graph.delete` and `graph.restore`: a node or an edge, by id. */
function softDelete(
  store: GraphStore,
  op: "delete" | "restore",
  { actor, id }: { actor: string; id: string },
) {
  const { value } = store.write(actor, (tx) => {
    const kind = targetKind(tx, id);
    return {
      id,
      kind,
      [op === "delete" ? "deleted" : "restored"]: tx[op](kind, id),
    };
  });
  return value;
}

function link(
  { store, writer }: GraphMethodsContext,
  { actor, from, to, label, values }: {
    actor: string;
    from: string;
    to: string;
    label: string;
    values: Record<string, unknown>;
  },
) {
  const { value } = store.write(actor, (tx) => {
    requireLiveNode(tx, from);
    requireLiveNode(tx, to);
    const warnings: string[] = [];
    const coerced = new Map(
      [...writer.coerceLoose(values, [], warnings)].filter(([, c]) =>
        c !== null
      ),
    );
    const edge = tx.link(
      from,
      label,
      to,
      Object.fromEntries(coerced) as never,
    );
    return { ...edge, warnings };
  });
  return value;
}

/** An edge by id, or by its ends and label (read inside the transaction). */
function unlink(
  store: GraphStore,
  actor: string,
  params: Record<string, unknown>,
) {
  const { value } = store.write(actor, (tx) => {
    const id = edgeToUnlink(tx, params);
    return { id, unlinked: tx.delete("edge", id) };
  });
  return value;
}

function edgeToUnlink(tx: GraphTx, params: Record<string, unknown>): string {
  const id = optionalString(params, "id", 64);
  if (id !== undefined) {
    if (targetKind(tx, id) !== "edge") {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `"${id}" is a node, not an edge; use graph.delete`,
      );
    }
    return id;
  }
  const from = stringParam(params, "from", 64);
  const label = stringParam(params, "label", 64);
  const to = stringParam(params, "to", 64);
  const row = tx.query(
    "SELECT id FROM edges WHERE from_id = ? AND label = ? AND to_id = ? AND deleted_at IS NULL",
    [from, label, to],
  );
  if (!row) throw notFound(`No edge ${from} —${label}→ ${to}`);
  return row.id as string;
}

function requireLiveNode(tx: GraphTx, id: string): void {
  const state = tx.nodeState(id);
  if (state === "missing") throw notFound(`No node "${id}"`);
  if (state === "deleted") {
    throw new RpcError(
      ErrorCode.Conflict,
      `Node "${id}" is deleted; restore it first with graph.restore`,
    );
  }
}

function targetKind(tx: GraphTx, id: string): "node" | "edge" {
  if (tx.nodeState(id) !== "missing") return "node";
  if (tx.query("SELECT 1 AS x FROM edges WHERE id = ?", [id])) return "edge";
  throw notFound(`No node or edge "${id}"`);
}
