/**
 * A skill's own `capability.call`: served by the capability broker with the
 * calling chain, refused past {@linkcode MAX_CALL_DEPTH}, at most
 * {@linkcode MAX_CONCURRENT_NESTED} of one call at a time (each is a
 * sandboxed worker of its provider), the provider and attempts noted in
 * the audit checks.
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

/**
 * Most nested calls one call runs at once; more wait their turn (until
 * the call ends). Each is a worker of its provider, started on the
 * engine's thread: one call's 64 at once (its dispatch limit) held 64
 * sandboxes (about 1 GB) and froze another client's `graph.list` for
 * 480 ms while they started (`tests/hostile_nested_fanout_test.ts`).
 */
export const MAX_CONCURRENT_NESTED = 4;

/** One call's turns for its nested calls ({@linkcode MAX_CONCURRENT_NESTED}). */
export class NestedSlots {
  #free: number;
  #waiting: (() => void)[] = [];

  /** @param size nested calls run at once */
  constructor(size = MAX_CONCURRENT_NESTED) {
    this.#free = size;
  }

  /**
   * Runs `work` in a turn, waiting for one while all are taken.
   *
   * @param signal the call's end: a wait ends with it
   * @param work the nested call
   * @returns what `work` gives
   * @throws {RpcError} SkillFailed when the call ended while it waited
   */
  async run<T>(
    signal: AbortSignal | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    await this.#take(signal);
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }

  #take(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(ended());
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#waiting.splice(this.#waiting.indexOf(turn), 1);
        reject(ended());
      };
      this.#waiting.push(turn);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

function ended(): RpcError {
  return new RpcError(
    ErrorCode.SkillFailed,
    "capability.call not started: the calling call ended while it waited for a turn",
  );
}

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
  /** The calling call's turns (absent: no limit, for tests). */
  slots?: NestedSlots;
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
  const served = () =>
    invoke(name, params, {
      chain,
      exclude: chain,
      signal: call.signal,
      tape: call.tape,
      clientModel: call.clientModel,
      nestedOnce: call.nestedOnce,
    });
  const out = call.slots
    ? await call.slots.run(call.signal, served)
    : await served();
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
