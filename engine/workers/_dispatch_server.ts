import { ErrorCode, RpcError } from "../errors.ts";
import { encodeJsonLineParts } from "../rpc/mod.ts";
import type { DispatchHandler } from "../broker/mod.ts";
import {
  DispatchBudget,
  ENGINE_DISPATCH_BUDGET,
  MAX_HELD_BYTES_PER_CALL,
  MAX_HELD_DISPATCHES_PER_CALL,
} from "./dispatch_budget.ts";

/** Longest line either side of the worker pipe may send: 16 MiB. */
export const MAX_WORKER_LINE_BYTES = 16 * 1024 * 1024;

/** Most dispatches of one call served at the same time; more wait. */
const MAX_CONCURRENT_DISPATCHES = 64;

const FIRE_AND_FORGET = new Set(["log", "progress"]);

/**
 * Serves one call's `dispatch` messages: `log` and `progress` are
 * notifications; every other op is answered with a `dispatch_result`
 * within the line limit, at most {@linkcode MAX_CONCURRENT_DISPATCHES} at a
 * time (more wait their turn), and never more held than the call's and
 * the engine's dispatch budgets allow.
 */
export class DispatchServer {
  #handler: DispatchHandler;
  #send: (line: Uint8Array[]) => Promise<void> | void;
  #running: () => boolean;
  #inFlight = 0;
  /** Dispatches waiting for one of the call's concurrent slots. */
  #queue: { start: () => void; chars: number }[] = [];
  #budget = new DispatchBudget({
    dispatches: MAX_HELD_DISPATCHES_PER_CALL,
    bytes: MAX_HELD_BYTES_PER_CALL,
  }, { parent: ENGINE_DISPATCH_BUDGET });

  /**
   * @param handler serves the ops
   * @param send writes a reply's line (JSON and newline, encoded, in parts) to the worker
   * @param running whether the call still runs (replies and queued work stop when not)
   */
  constructor(
    handler: DispatchHandler,
    send: (line: Uint8Array[]) => Promise<void> | void,
    running: () => boolean,
  ) {
    this.#handler = handler;
    this.#send = send;
    this.#running = running;
  }

  /**
   * Takes one dispatch.
   *
   * @param id the dispatch id, echoed in the reply
   * @param op the op
   * @param params its parameters
   * @param chars the size of its line, held against the budgets
   * @returns the refusal when a budget is exhausted (the call must fail)
   */
  take(
    id: unknown,
    op: string,
    params: Record<string, unknown>,
    chars: number,
  ): { scope: string; message: string } | undefined {
    if (FIRE_AND_FORGET.has(op)) {
      this.#handler.notify(op, params);
      return undefined;
    }
    const refused = this.#budget.take(chars);
    if (refused !== undefined) return refused;
    this.#inFlight++;
    const start = () => {
      if (!this.#running()) return this.#done(chars);
      this.#serve(id, op, params).finally(() => this.#done(chars));
    };
    if (this.#inFlight <= MAX_CONCURRENT_DISPATCHES) start();
    else this.#queue.push({ start, chars });
    return undefined;
  }

  /** Drops what waits for a slot (and its memory) at once, not one by one. */
  drop(): void {
    for (const waiting of this.#queue.splice(0)) {
      this.#inFlight--;
      this.#budget.release(waiting.chars);
    }
  }

  async #serve(
    id: unknown,
    op: string,
    params: Record<string, unknown>,
  ): Promise<void> {
    let line: Uint8Array[];
    try {
      const result = await this.#handler.dispatch(op, params);
      // A large body's JSON was made off this thread: spliced, not re-made.
      line = encodeJsonLineParts({
        __type__: "dispatch_result",
        id,
        result: result ?? null,
      });
      if (partsLength(line) - 1 > MAX_WORKER_LINE_BYTES) {
        throw new RpcError(
          ErrorCode.Forbidden,
          `The result of ${op} is larger than the ${MAX_WORKER_LINE_BYTES} byte line limit`,
        );
      }
    } catch (error) {
      const wire = error instanceof RpcError ? error : new RpcError(
        ErrorCode.InternalError,
        `${op} failed inside the engine; see logs/engine.log`,
      );
      line = encodeJsonLineParts({
        __type__: "dispatch_result",
        id,
        error: wire.toJSON(),
      });
    }
    if (this.#running()) await this.#send(line);
  }

  /** One held dispatch ended: frees its budget and starts the next. */
  #done(chars: number): void {
    this.#inFlight--;
    this.#budget.release(chars);
    this.#queue.shift()?.start();
  }
}

/**
 * The size of a value as a JSON line, in bytes.
 *
 * @param value any JSON value
 * @returns its UTF-8 length
 */
export function byteLength(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

function partsLength(parts: Uint8Array[]): number {
  let size = 0;
  for (const part of parts) size += part.length;
  return size;
}
