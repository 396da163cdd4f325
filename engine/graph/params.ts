/**
 * Readers of the graph methods' own parameters: who writes, edge labels,
 * shapes that must be loaded, nodes that must exist, an import's records.
 * Each throws the error clients see, naming the parameter.
 *
 * @module
 */
import { ErrorCode, invalidParams, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import { optionalString, type ParamReader, stringParam } from "../rpc/mod.ts";
import type { ShapeRegistry } from "../shapes/mod.ts";
import type { GraphStore } from "./graph_store.ts";
import { notFound, unknownShape } from "./method_errors.ts";

/** Most records one `graph.import` takes. */
export const MAX_IMPORT_RECORDS = 10_000;

const ACTOR = /^(user|agent|app)(:[\w.@:/-]{1,100})?$/;

/**
 * The actor a client writes as: `user` (the default), `agent:<name>` or
 * `app:<name>`. Only the engine itself writes as `skill:<id>` or `system`.
 *
 * @throws {RpcError} InvalidParams for any other form
 */
export function actorParam(params: Record<string, unknown>): string {
  const actor = params.actor ?? "user";
  if (typeof actor !== "string" || !ACTOR.test(actor)) {
    throw invalidParams(
      `"actor" must be "user", "agent:<name>" or "app:<name>", got ${
        JSON.stringify(actor)?.slice(0, 100)
      }`,
    );
  }
  return actor;
}

/** Edge labels: snake_case verb phrases. */
export const LABEL_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** A new edge's label: snake_case. */
export function edgeLabel(
  params: Record<string, unknown>,
  key: string,
): string {
  const label = stringParam(params, key, 64);
  if (!LABEL_PATTERN.test(label)) {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `Edge label "${label}" must be snake_case (a verb phrase such as "tagged_with")`,
    );
  }
  return label;
}

/** An optional shape name that must be loaded. */
export function knownShape(
  shapes: ShapeRegistry,
): ParamReader<string | undefined> {
  return (params, key) => {
    const shape = optionalString(params, key, 64);
    if (shape !== undefined && !shapes.get(shape)) {
      throw new RpcError(ErrorCode.InvalidParams, unknownShape(shape, shapes));
    }
    return shape;
  };
}

/** A shape name that must be loaded. */
export function requiredShape(shapes: ShapeRegistry): ParamReader<string> {
  return (params, key) => {
    const shape = stringParam(params, key, 64);
    if (!shapes.get(shape)) {
      throw new RpcError(ErrorCode.InvalidParams, unknownShape(shape, shapes));
    }
    return shape;
  };
}

/** `graph.import`'s records: objects, at most {@linkcode MAX_IMPORT_RECORDS}. */
export function recordList(
  params: Record<string, unknown>,
  key: string,
): Record<string, unknown>[] {
  const records = params[key];
  if (
    !Array.isArray(records) || records.length > MAX_IMPORT_RECORDS ||
    !records.every(isObject)
  ) {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `"${key}" must be an array of at most ${MAX_IMPORT_RECORDS} objects`,
    );
  }
  return records;
}

/** The id of a node that exists (live or deleted). */
export function existingNode(store: GraphStore): ParamReader<string> {
  return (params, key) => {
    const id = stringParam(params, key, 64);
    if (!store.getNode(id)) throw notFound(`No node "${id}"`);
    return id;
  };
}
