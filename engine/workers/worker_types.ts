/**
 * The shapes a worker process is driven with: its start options, the
 * `call` message, the run options and the worker's answer.
 *
 * @module
 */
import type { DispatchHandler } from "../broker/mod.ts";

/** Options for `WorkerProcess.spawn`. */
export interface WorkerProcessOptions {
  /** Longest wait for the `ready` line. */
  readyTimeoutMs?: number;
  /** Line size limit (default 16 MiB). */
  maxLineBytes?: number;
  /** Total stdout limit. */
  maxOutputBytes?: number;
}

/** The `call` message, minus `__type__`. */
export interface WorkerCall {
  /** The call id, echoed in the result. */
  id: string;
  skill: { id: string; dir: string };
  module: string;
  function: string;
  kwargs: Record<string, unknown>;
  sources: Record<string, string>;
  connections_auth?: Record<string, unknown>;
  /** The call's cookie jar at the start (values masked), for `client.cookie()`. */
  jar?: unknown[];
  limits?: Record<string, number>;
}

/** Options for `WorkerProcess.run`. */
export interface WorkerRunOptions {
  /** Serves the worker's dispatches. */
  handler: DispatchHandler;
  /** Wall-clock limit; past it the process is killed. */
  timeoutMs: number;
}

/** What the worker answered. */
export type WorkerResult =
  | { ok: true; value: unknown; output?: string }
  | { ok: false; error: Record<string, unknown>; output?: string };
