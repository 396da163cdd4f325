/**
 * RPC methods declared as tables: each method is a small named handler with
 * the schema of its parameters beside it, the way a Hono app has one router
 * per resource. A method group (`graph.*`, `skills.*`, …) is one file that
 * exports one table; the engine registers the tables it wires.
 *
 * @module
 */
import type { RequestContext, RpcDispatcher } from "./rpc_dispatcher.ts";
import {
  objectParam,
  optionalInteger,
  optionalString,
  stringParam,
} from "./params.ts";

/** Reads one named parameter, throwing InvalidParams with the message clients see. */
export type ParamReader<T> = (
  params: Record<string, unknown>,
  key: string,
) => T;

/** A method's parameters: one reader per name, read in the order written. */
export type ParamSchema<P> = { [K in keyof P]: ParamReader<P[K]> };

/** One method: the schema of its parameters and the handler they are given to. */
export interface MethodSpec<P = unknown> {
  params: ParamSchema<P>;
  handle(params: P, request: RequestContext): unknown;
}

/** A group of methods by name (`namespace.verb`). */
// deno-lint-ignore no-explicit-any
export type MethodTable = Record<string, MethodSpec<any>>;

/**
 * Declares one method; the handler receives its parameters read and checked.
 *
 * @param params one reader per parameter (see {@linkcode param})
 * @param handle the implementation
 */
export function method<P>(
  params: ParamSchema<P>,
  handle: (params: P, request: RequestContext) => unknown,
): MethodSpec<P> {
  return { params, handle };
}

/**
 * Reads a request's parameters by a schema, in the schema's order.
 *
 * @throws {RpcError} InvalidParams from the first reader that refuses
 */
export function readParams<P>(
  schema: ParamSchema<P>,
  raw: Record<string, unknown>,
): P {
  const read = {} as P;
  for (const key of Object.keys(schema) as (keyof P & string)[]) {
    read[key] = schema[key](raw, key);
  }
  return read;
}

/**
 * Registers every method of a table.
 *
 * @throws {TypeError} when a method is already registered
 */
export function registerTable(
  dispatcher: RpcDispatcher,
  table: MethodTable,
): void {
  for (const [name, spec] of Object.entries(table)) {
    dispatcher.register(
      name,
      (raw, request) => spec.handle(readParams(spec.params, raw), request),
    );
  }
}

/** The readers of the common parameter kinds, with the messages of `params.ts`. */
export const param = {
  /** A required non-empty string of at most `max` characters. */
  string: (max = 200): ParamReader<string> => (p, k) => stringParam(p, k, max),
  /** An optional string (absent or null reads as undefined). */
  optionalString: (max = 200): ParamReader<string | undefined> => (p, k) =>
    optionalString(p, k, max),
  /** A required object. */
  object: (): ParamReader<Record<string, unknown>> => (p, k) =>
    objectParam(p, k),
  /** An optional object, `{}` when absent. */
  optionalObject: (): ParamReader<Record<string, unknown>> => (p, k) =>
    objectParam(p, k, true),
  /** An optional integer from 0 to `max`. */
  optionalInteger: (max: number): ParamReader<number | undefined> => (p, k) =>
    optionalInteger(p, k, max),
  /** The value as sent, for a handler that checks it itself (say why). */
  raw: (): ParamReader<unknown> => (p, k) => p[k],
  /** The whole parameter object, for methods that pass it on as a query. */
  all: (): ParamReader<Record<string, unknown>> => (p) => p,
};
