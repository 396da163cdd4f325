/**
 * `engine.*` methods the engine answers itself: its status, shutdown on
 * request, a round trip, and the list of methods.
 *
 * @module
 */
import { invalidParams } from "./errors.ts";
import { method, type MethodTable, param } from "./rpc/mod.ts";

/** What the engine's own methods call back into. */
export interface EngineMethodsContext {
  /** `engine.status`'s answer (throws while shutting down). */
  status(): Record<string, unknown>;
  /** Begins a graceful shutdown. */
  shutdown(reason: string): Promise<void>;
  /** The registered method names, sorted. */
  methods(): string[];
}

/**
 * The engine's own methods.
 *
 * @param engine the engine's status, shutdown and method list
 * @returns the method table
 */
export function engineMethods(engine: EngineMethodsContext): MethodTable {
  return {
    "engine.status": method({}, () => engine.status()),

    "engine.shutdown": method({}, () => {
      // Reply first; the server waits for in-flight calls (this one too).
      queueMicrotask(() => engine.shutdown("engine.shutdown request"));
      return { ok: true, pid: Deno.pid };
    }),

    // A round trip for clients and benchmarks; `delayMs` holds the request
    // open, which is how tests prove shutdown waits for in-flight calls.
    "engine.ping": method(
      { delayMs, echo: param.raw() },
      async ({ delayMs, echo }) => {
        if (delayMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
        }
        return { pong: true, echo: echo ?? null };
      },
    ),

    "engine.methods": method({}, () => ({ methods: engine.methods() })),
  };
}

function delayMs(params: Record<string, unknown>, key: string): number {
  const value = params[key] ?? 0;
  if (typeof value !== "number" || !(value >= 0 && value <= 10_000)) {
    throw invalidParams(
      `"${key}" must be a number from 0 to 10000, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
