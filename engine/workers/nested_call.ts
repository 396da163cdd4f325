/**
 * A skill's own `capability.call`: served by the capability broker with the
 * calling chain, refused past {@linkcode MAX_CALL_DEPTH}, the provider and
 * attempts noted in the audit checks.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import type { ClientModel, HttpTape, InvokeResult } from "../broker/mod.ts";
import type { NestedOnce } from "../grants/mod.ts";

/** What a nested call carries over from the calling run. */
interface CallContext {
  /** Aborted when the caller goes away. */
  signal?: AbortSignal;
  /** Record brokered HTTP to it, or answer from it without the network. */
  tape?: HttpTape;
  /** The calling MCP session's model: nested work keeps its origin. */
  clientModel?: ClientModel;
  /** The retried call's once-grant for a provider, until one run spends it. */
  nestedOnce?: NestedOnce;
}

/** Longest chain of capability calls: a call at this depth cannot call further. */
export const MAX_CALL_DEPTH = 3;

/** How a skill's nested `capability.call` is served (the capability broker). */
export type CapabilityInvoker = (
  name: string,
  params: Record<string, unknown>,
  options: CallContext & { chain?: string[]; exclude: string[] },
) => Promise<InvokeResult>;

/** One nested call. */
export interface NestedCall extends CallContext {
  /** The capability. */
  name: string;
  /** Its parameters. */
  params: Record<string, unknown>;
  /** The audit line's checks, filled in here. */
  checks: Record<string, string>;
  /** Skills whose calls led here, outermost first (the caller last). */
  chain: string[];
}

/**
 * Serves a nested capability call.
 *
 * @param invoke the capability broker (undefined: not available)
 * @param call the capability, its parameters, the chain and the audit checks
 * @returns the provider's result
 * @throws {RpcError} Forbidden past the depth limit or without a broker
 */
export async function nestedCall(
  invoke: CapabilityInvoker | undefined,
  call: NestedCall,
): Promise<unknown> {
  const { name, params, checks, chain } = call;
  checks.depth = `${chain.length + 1}/${MAX_CALL_DEPTH}`;
  if (chain.length >= MAX_CALL_DEPTH) {
    checks.depth = "refused";
    throw new RpcError(
      ErrorCode.Forbidden,
      `capability.call "${name}" refused: calls nest at most ${MAX_CALL_DEPTH} deep (${
        chain.join(" → ")
      })`,
      { check: "depth" },
    );
  }
  if (!invoke) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `capability.call is not available`,
    );
  }
  const out = await invoke(name, params, {
    chain,
    exclude: chain,
    signal: call.signal,
    tape: call.tape,
    clientModel: call.clientModel,
    nestedOnce: call.nestedOnce,
  });
  checks.cycle = "none";
  checks.provider = out.provider.skill;
  if (out.attempts.length > 1) {
    checks.attempts = out.attempts.map((a) =>
      `${a.skill}:${a.ok ? "ok" : "failed"}`
    )
      .join(",");
  }
  return out.result;
}
