import { didYouMean } from "../closest_word.ts";
import { ErrorCode, RpcError } from "../errors.ts";
import { explainChanges } from "./explain_changes.ts";
import { isObject } from "../is_object.ts";
import {
  objectParam,
  optionalInteger,
  optionalString,
  type RpcDispatcher,
  stringParam,
} from "../rpc/mod.ts";
import type { ShapeRegistry } from "../shapes/mod.ts";
import type { ChangeFeed } from "./change_feed.ts";
import { listNodes, type ListQuery } from "./graph_query.ts";
import type { GraphStore } from "./graph_store.ts";
import type { GraphTx } from "./graph_tx.ts";
import { actorParam, LABEL_PATTERN } from "./params.ts";
import type { RecordWriter } from "./record_writer.ts";
import { liveShapeCounts, shapeHeading } from "./shape_summary.ts";

/** Most records one `graph.import` takes. */
export const MAX_IMPORT_RECORDS = 10_000;

/** What the graph methods work on. */
export interface GraphMethodsContext {
  store: GraphStore;
  shapes: ShapeRegistry;
  writer: RecordWriter;
  feed: ChangeFeed;
}

/**
 * Registers `graph.*`, `shapes.*` and `observer.subscribe`.
 *
 * @param dispatcher the engine's method table
 * @param context the store, shapes, writer and change feed
 */
export function registerGraphMethods(
  dispatcher: RpcDispatcher,
  context: GraphMethodsContext,
): void {
  const { store, shapes, writer, feed } = context;

  dispatcher.register("graph.get", (params) => {
    const id = stringParam(params, "id", 64);
    const node = store.getNode(id);
    if (!node) throw notFound(`No node "${id}"`);
    return node;
  });

  dispatcher.register(
    "graph.list",
    (params) => listNodes(store, shapes, params as ListQuery),
  );

  dispatcher.register("graph.create", (params) => {
    const actor = actorParam(params);
    if (
      params.from !== undefined || params.to !== undefined ||
      params.label !== undefined
    ) {
      return link(params, actor);
    }
    const values = objectParam(params, "values", true);
    const shape = optionalString(params, "shape", 64);
    if (shape !== undefined && !shapes.get(shape)) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        unknownShape(shape, shapes),
      );
    }
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
  });

  // Bulk ingest: many records of one shape in one transaction.
  dispatcher.register("graph.import", (params) => {
    const actor = actorParam(params);
    const shape = stringParam(params, "shape", 64);
    if (!shapes.get(shape)) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        unknownShape(shape, shapes),
      );
    }
    const records = params.records;
    if (
      !Array.isArray(records) || records.length > MAX_IMPORT_RECORDS ||
      !records.every(isObject)
    ) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `"records" must be an array of at most ${MAX_IMPORT_RECORDS} objects`,
      );
    }
    const { value } = store.write(actor, (tx) => {
      const total = {
        ids: [] as (string | null)[],
        created: 0,
        updated: 0,
        warnings: [] as string[],
      };
      for (const [index, record] of records.entries()) {
        const result = writer.write(
          tx,
          shape,
          record as Record<string, unknown>,
        );
        total.ids.push(result.id ?? null);
        total.created += result.nodesCreated;
        total.updated += result.nodesUpdated;
        total.warnings.push(...result.warnings.map((w) => `[${index}] ${w}`));
      }
      return total;
    });
    return value;
  });

  dispatcher.register("graph.update", (params) => {
    const actor = actorParam(params);
    const id = stringParam(params, "id", 64);
    const values = objectParam(params, "values");
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
  });

  for (
    const [method, op] of [["graph.delete", "delete"], [
      "graph.restore",
      "restore",
    ]] as const
  ) {
    dispatcher.register(method, (params) => {
      const actor = actorParam(params);
      const id = stringParam(params, "id", 64);
      const { value } = store.write(actor, (tx) => {
        const kind = targetKind(tx, id);
        return {
          id,
          kind,
          [op === "delete" ? "deleted" : "restored"]: tx[op](kind, id),
        };
      });
      return value;
    });
  }

  dispatcher.register(
    "graph.link",
    (params) => link(params, actorParam(params)),
  );

  dispatcher.register("graph.unlink", (params) => {
    const actor = actorParam(params);
    const { value } = store.write(actor, (tx) => {
      let id = optionalString(params, "id", 64);
      if (id === undefined) {
        const from = stringParam(params, "from", 64);
        const label = stringParam(params, "label", 64);
        const to = stringParam(params, "to", 64);
        const row = tx.query(
          "SELECT id FROM edges WHERE from_id = ? AND label = ? AND to_id = ? AND deleted_at IS NULL",
          [from, label, to],
        );
        if (!row) throw notFound(`No edge ${from} —${label}→ ${to}`);
        id = row.id as string;
      } else if (targetKind(tx, id) !== "edge") {
        throw new RpcError(
          ErrorCode.InvalidParams,
          `"${id}" is a node, not an edge; use graph.delete`,
        );
      }
      return { id, unlinked: tx.delete("edge", id) };
    });
    return value;
  });

  dispatcher.register("graph.history", (params) => {
    const id = stringParam(params, "id", 64);
    if (!store.getNode(id)) throw notFound(`No node "${id}"`);
    return {
      id,
      changes: explainChanges(store.history(id, {
        after: optionalInteger(params, "after", Number.MAX_SAFE_INTEGER),
        limit: optionalInteger(params, "limit", 5000) ?? 500,
      })),
    };
  });

  dispatcher.register("shapes.list", () => {
    const counts = liveShapeCounts(store);
    return {
      shapes: shapes.list().map((shape) => ({
        ...shapeHeading(shape),
        fields: Object.keys(shape.fields).length,
        relations: Object.keys(shape.relations),
        count: counts.get(shape.name) ?? 0,
      })),
      problems: shapes.problems,
      generation: shapes.generation,
    };
  });

  dispatcher.register("shapes.get", (params) => {
    const name = stringParam(params, "name", 64);
    const shape = shapes.get(name);
    if (!shape) throw notFound(unknownShape(name, shapes));
    return shape;
  });

  dispatcher.register("observer.subscribe", (params, request) => {
    const since = optionalInteger(params, "since", Number.MAX_SAFE_INTEGER);
    const after = feed.subscribe(
      request.connectionId,
      (event) => Promise.resolve(request.notify("observer.event", event)),
      since,
    );
    request.signal.addEventListener(
      "abort",
      () => feed.unsubscribe(request.connectionId),
    );
    return { subscribed: true, after };
  });

  function link(params: Record<string, unknown>, actor: string) {
    const from = stringParam(params, "from", 64);
    const to = stringParam(params, "to", 64);
    const label = stringParam(params, "label", 64);
    if (!LABEL_PATTERN.test(label)) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Edge label "${label}" must be snake_case (a verb phrase such as "tagged_with")`,
      );
    }
    const values = objectParam(params, "values", true);
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

function notFound(message: string): RpcError {
  return new RpcError(ErrorCode.NotFound, message);
}

/** Names a shape that does not exist, the nearest that does, and where to look. */
function unknownShape(name: string, shapes: ShapeRegistry): string {
  return `Unknown shape "${name}"${
    didYouMean(name, shapes.list().map((shape) => shape.name))
  }; see agentos shapes list`;
}
