import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/** The bridge's size, query and stream limits. */
export interface BridgeLimits {
  /** Largest `limit` of `GET /graph` (default 200). */
  maxPageSize: number;
  /** Longest string value in list items; longer ones are cut (default 2,000 characters). */
  maxListValueChars: number;
  /** Largest `limit` of `GET /graph/:id/neighbourhood` (default 500). */
  maxNeighbours: number;
  /** Most nodes a neighbourhood walk visits before it stops (default 5,000). */
  maxNeighbourhoodScan: number;
  /** Longest `q` (default 500 characters). */
  maxQueryChars: number;
  /** Longest `where` JSON (default 4,096 characters). */
  maxWhereChars: number;
  /** Largest request body (default 1 MiB). */
  maxBodyBytes: number;
  /** Largest JSON response (default 8 MiB). */
  maxResponseBytes: number;
  /** Most SSE streams at once (default 256). */
  maxStreams: number;
  /** Events buffered for a slow SSE client before it is cut off to resume later (default 10,000). */
  maxStreamBacklog: number;
  /** Oldest resumable gap, in changes: an older `Last-Event-ID` gets a `reset` event (default 10,000). */
  replayWindow: number;
  /** Idle time before an SSE heartbeat comment (default 15 s). */
  heartbeatMs: number;
  /** How long an SSE stream lets events gather before one write (default 10 ms). */
  coalesceMs: number;
  /** Reconnection delay an SSE client is told to use (default 2 s). */
  retryMs: number;
  /** Longest wait for a graph call to the engine (default 30 s). */
  engineTimeoutMs: number;
  /** Longest wait for a capability invocation (default 5 min). */
  invokeTimeoutMs: number;
}

/** The defaults of {@linkcode BridgeLimits}. */
export const DEFAULT_LIMITS: Readonly<BridgeLimits> = Object.freeze({
  maxPageSize: 200,
  maxListValueChars: 2_000,
  maxNeighbours: 500,
  maxNeighbourhoodScan: 5_000,
  maxQueryChars: 500,
  maxWhereChars: 4_096,
  maxBodyBytes: 1024 * 1024,
  maxResponseBytes: 8 * 1024 * 1024,
  maxStreams: 256,
  maxStreamBacklog: 10_000,
  replayWindow: 10_000,
  heartbeatMs: 15_000,
  coalesceMs: 10,
  retryMs: 2_000,
  engineTimeoutMs: 30_000,
  invokeTimeoutMs: 300_000,
});

/**
 * Answers with JSON, refusing (413) a body larger than the response limit
 * instead of building an unbounded response.
 *
 * @param c the request context
 * @param value the response value
 * @param maxBytes the response limit
 * @returns the response
 * @throws {HTTPException} 413 when the JSON exceeds `maxBytes`
 */
export function limitedJson(
  c: Context,
  value: unknown,
  maxBytes: number,
): Response {
  const text = JSON.stringify(value);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: encode only when close.
  const bytes = text.length * 3 <= maxBytes
    ? text.length
    : new TextEncoder().encode(text).length;
  if (bytes > maxBytes) {
    throw new HTTPException(413, {
      message:
        `The response would be ${bytes} bytes; the limit is ${maxBytes}: ask for fewer records (a smaller "limit")`,
    });
  }
  c.header("Cache-Control", "no-store");
  return c.body(text, 200, {
    "Content-Type": "application/json; charset=UTF-8",
  });
}
