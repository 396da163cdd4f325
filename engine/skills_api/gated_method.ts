/**
 * A method that waits on a gate (the skills loaded, a sandbox to run in)
 * before its parameters are read: a request that arrives while the
 * skills load, or on a machine that cannot run them, gets the gate's
 * answer first, as it did when each handler awaited the gate itself.
 *
 * @module
 */
import {
  method,
  type MethodSpec,
  param,
  type ParamSchema,
  readParams,
  type RequestContext,
} from "../rpc/mod.ts";

/** A method's handler, given its parameters read and checked. */
export type Handle<P> = (params: P, request: RequestContext) => unknown;

/** The spec of a gated method: it reads its parameters itself, after the gate. */
export type GatedSpec = MethodSpec<{ raw: Record<string, unknown> }>;

/**
 * Declares a method that passes its gate, then reads its parameters by
 * their schema and hands them to the handler.
 *
 * @param gate resolves when the method may run (throws to refuse)
 * @param params one reader per parameter, read in order after the gate
 * @param handle the implementation
 */
export function gatedMethod<P>(
  gate: () => Promise<void> | void,
  params: ParamSchema<P>,
  handle: Handle<P>,
): GatedSpec {
  return method({ raw: param.all() }, async ({ raw }, request) => {
    await gate();
    return await handle(readParams(params, raw), request);
  });
}
