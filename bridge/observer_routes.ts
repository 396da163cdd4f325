import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { BridgeEnv, BridgeServices } from "./bridge_env.ts";
import type { EventQueue } from "./event_queue.ts";
import type { GraphReader } from "./graph_reader.ts";
import { encodeEvent, type Frame, ObserverHub } from "./observer_hub.ts";
import { integerParam } from "./query_params.ts";

/** Changes read from the log per write while a stream catches up. */
const REPLAY_BATCH = 500;

/** The data of a stream's `reset` event: events were lost, reload. */
export interface ResetNotice {
  reason: "gap" | "unknown";
  lastEventId: number;
  oldest: number;
  latest: number;
  replayWindow: number;
  message: string;
}

/** The data of a stream's `ready` event: live after this change id. */
export interface ReadyNotice {
  after: number;
}

/** Where a stream starts, and whether the client must be told it lost events. */
export interface ResumePlan {
  /** Change id the engine replays after (undefined: only new changes). */
  since?: number;
  /** Present when the requested point cannot be resumed without loss. */
  reset?: ResetNotice;
}

/**
 * Decides how to resume from a client's last event id. Changes are kept in
 * the log, but replay is bounded to `replayWindow` changes so a client back
 * from a long sleep cannot make the bridge stream the whole history: beyond
 * that (or before the oldest change kept, or past the newest — another
 * database), it gets a `reset` event and starts from now.
 *
 * @param lastEventId the client's last change id, if any
 * @param bounds the change log's oldest and newest ids
 * @param replayWindow the longest replay, in changes
 * @returns the plan
 */
export function planResume(
  lastEventId: number | undefined,
  bounds: { oldest: number; latest: number },
  replayWindow: number,
): ResumePlan {
  if (lastEventId === undefined) return {};
  const { oldest, latest } = bounds;
  if (lastEventId > latest) {
    return {
      since: latest,
      reset: {
        reason: "unknown",
        lastEventId,
        oldest,
        latest,
        replayWindow,
        message:
          `Event ${lastEventId} is newer than the newest change (${latest}): the graph was replaced; reload your data`,
      },
    };
  }
  if (
    latest - lastEventId > replayWindow ||
    (oldest > 0 && lastEventId < oldest - 1)
  ) {
    return {
      since: latest,
      reset: {
        reason: "gap",
        lastEventId,
        oldest,
        latest,
        replayWindow,
        message:
          `${
            latest - lastEventId
          } changes happened since event ${lastEventId}, more than the ${replayWindow} ` +
          "a stream replays: reload your data; the stream goes on from now",
      },
    };
  }
  return { since: lastEventId };
}

/**
 * `/observer`: the live activity of the engine as Server-Sent Events.
 *
 * `GET /observer/stream` (optionally `?since=<change id>`; a `Last-Event-ID`
 * header wins) sends:
 *
 * * `event: change` with `id: <change id>` — every committed change,
 *   replayed from the change log after the resume point, then live;
 * * `event: call` (no id: calls are not persisted) — capability and skill
 *   calls started, completed or failed;
 * * `event: reset` with `id: <newest change>` — the resume point is too old
 *   (or unknown): reload, the stream goes on from now;
 * * `event: ready` — the subscription is live (data `{after}`);
 * * a `: heartbeat` comment after each idle period.
 *
 * @param services the reader, the engine and the limits
 * @returns the router
 */
export function observerRoutes(services: BridgeServices): Hono<BridgeEnv> {
  const { reader, engine, limits, log } = services;
  const hub = new ObserverHub(engine, { maxBacklog: limits.maxStreamBacklog });
  let open = 0;

  return new Hono<BridgeEnv>()
    .get("/stream", async (c) => {
      const header = c.req.header("last-event-id")?.trim();
      const lastEventId = header
        ? integerParam(header, "Last-Event-ID", 0, Number.MAX_SAFE_INTEGER)
        : integerParam(
          c.req.query("since"),
          "since",
          0,
          Number.MAX_SAFE_INTEGER,
        );
      if (open >= limits.maxStreams) {
        throw new HTTPException(503, {
          message:
            `Too many observer streams (${limits.maxStreams}); close one and retry`,
        });
      }
      open++;
      let joined: Awaited<ReturnType<ObserverHub["join"]>> | undefined;
      let plan: ResumePlan;
      let cursor: number;
      try {
        // Join first, then read the log: a change is either in the log by
        // then or still to come through the hub.
        joined = await hub.join();
        const bounds = reader.changeBounds();
        plan = planResume(lastEventId, bounds, limits.replayWindow);
        cursor = plan.since ?? bounds.latest;
      } catch (error) {
        open--;
        await joined?.leave();
        throw error;
      }
      const { queue, leave } = joined;
      return streamSSE(c, async (stream) => {
        stream.onAbort(() => queue.end());
        try {
          if (stream.aborted) return;
          await stream.write(`retry: ${limits.retryMs}\n\n`);
          if (plan.reset) {
            await stream.writeSSE({
              event: "reset",
              id: String(plan.since),
              data: JSON.stringify(plan.reset),
            });
          }
          await stream.writeSSE({
            event: "ready",
            data: JSON.stringify({ after: cursor } satisfies ReadyNotice),
          });
          if (plan.since !== undefined) {
            cursor = await replay(stream, reader, cursor);
          }
          await pump(stream, queue, cursor, limits);
        } finally {
          open--;
          await leave();
        }
      }, (error) => {
        log("The observer stream failed", error);
        return Promise.resolve();
      });
    });
}

/** Sends the changes after `cursor` from the change log; returns the last id sent. */
async function replay(
  stream: SSEStreamingApi,
  reader: GraphReader,
  cursor: number,
): Promise<number> {
  while (!stream.aborted && !stream.closed) {
    const batch = reader.changesSince(cursor, REPLAY_BATCH);
    if (batch.length === 0) break;
    await stream.write(
      batch.map((change) => encodeEvent({ kind: "change", ...change })!.text)
        .join(""),
    );
    cursor = batch.at(-1)!.id;
  }
  return cursor;
}

/** Writes queued frames (skipping changes the replay sent) and heartbeats until the stream ends. */
async function pump(
  stream: SSEStreamingApi,
  queue: EventQueue<Frame>,
  cursor: number,
  timing: { heartbeatMs: number; coalesceMs: number },
): Promise<void> {
  const { heartbeatMs, coalesceMs } = timing;
  while (!stream.aborted && !stream.closed) {
    const taken = await queue.take(heartbeatMs);
    if (taken.kind === "end") {
      if (taken.overflow) {
        await stream.write(": too far behind; reconnect to resume\n\n");
      }
      return;
    }
    if (taken.kind === "idle") {
      await stream.write(`: heartbeat ${new Date().toISOString()}\n\n`);
      continue;
    }
    // Let a burst gather for a few milliseconds: one write per burst instead
    // of one per event is what keeps 100 streams at 1,000 changes/s cheap.
    if (coalesceMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, coalesceMs));
    }
    let text = "";
    for (const frame of [...taken.events, ...queue.drain()]) {
      if (frame.id !== undefined) {
        if (frame.id <= cursor) continue;
        cursor = frame.id;
      }
      text += frame.text;
    }
    if (text !== "") await stream.write(text);
  }
}
