import type { EngineLink, Subscription } from "./engine_link.ts";
import { EventQueue } from "./event_queue.ts";

/** One encoded Server-Sent Event; `id` for changes, which are resumable. */
export interface Frame {
  id?: number;
  text: string;
}

// Keys a call event may carry that could hold a credential: dropped before
// anything reaches a browser, whatever the engine sent.
const SECRET_KEY =
  /^(auth|authorization|password|passwd|secret|secrets|api[_-]?key|access[_-]?token|refresh[_-]?token|credentials?|cookie)$/i;

/**
 * Encodes an observer event as an SSE frame: `change` events with their
 * change id as the event id, `call` events (not persisted) without one and
 * with credential-like keys removed. Other kinds are not sent.
 *
 * @param event an `observer.event` payload
 * @returns the frame, or undefined for an unknown kind
 */
export function encodeEvent(event: Record<string, unknown>): Frame | undefined {
  if (event.kind === "change" && Number.isSafeInteger(event.id)) {
    const id = event.id as number;
    return {
      id,
      text: `event: change\nid: ${id}\ndata: ${JSON.stringify(event)}\n\n`,
    };
  }
  if (event.kind === "call") {
    return { text: `event: call\ndata: ${JSON.stringify(redact(event))}\n\n` };
  }
  return undefined;
}

function redact(value: unknown, depth = 0): unknown {
  if (depth > 20 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !SECRET_KEY.test(key))
      .map(([key, item]) => [key, redact(item, depth + 1)]),
  );
}

/**
 * One engine subscription shared by every open SSE stream: each event is
 * parsed and encoded once, then handed to every stream's queue, so 100
 * browsers cost the engine one subscriber, not 100.
 *
 * A stream that resumes from an older change replays it from the change log
 * (the bridge's read-only connection) while live frames wait in its queue;
 * the queue then drops the frames the replay already sent. Because a stream
 * joins before it reads the log, every change is either in the log by then or
 * still to come from the engine: none is lost.
 */
export class ObserverHub {
  #engine: EngineLink;
  #maxBacklog: number;
  #session: Session | undefined;

  /**
   * @param engine the engine link
   * @param options `maxBacklog`: frames a slow stream may hold before it is cut off
   */
  constructor(engine: EngineLink, options: { maxBacklog: number }) {
    this.#engine = engine;
    this.#maxBacklog = options.maxBacklog;
  }

  /** Open streams. */
  get size(): number {
    return this.#session?.queues.size ?? 0;
  }

  /**
   * Joins a stream: from now on, every frame is queued for it.
   *
   * @returns its queue and a function that leaves the hub
   * @throws {EngineUnavailableError} when the engine is not running
   */
  async join(): Promise<
    { queue: EventQueue<Frame>; leave: () => Promise<void> }
  > {
    let session = this.#open();
    await session.subscription;
    // The subscription may have ended while we waited: join a live one.
    while (this.#session !== session) {
      session = this.#open();
      await session.subscription;
    }
    const queue = new EventQueue<Frame>(this.#maxBacklog);
    session.queues.add(queue);
    const leave = async () => {
      queue.end();
      session.queues.delete(queue);
      if (session.queues.size > 0 || this.#session !== session) return;
      // The last stream left: release the engine subscription.
      this.#session = undefined;
      await session.subscription.then((open) => open.close(), () => {});
    };
    return { queue, leave };
  }

  /** Ends every stream and the engine subscription. */
  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (!session) return;
    for (const queue of session.queues) queue.end();
    session.queues.clear();
    await session.subscription.then((open) => open.close(), () => {});
  }

  #open(): Session {
    if (this.#session) return this.#session;
    const queues = new Set<EventQueue<Frame>>();
    const session: Session = {
      queues,
      subscription: this.#engine.subscribe({
        onEvent: (event) => {
          const frame = encodeEvent(event);
          if (!frame) return;
          for (const queue of queues) queue.push(frame);
        },
        onClose: () => {
          // The engine went away: end every stream; clients resume from the
          // change log with Last-Event-ID when they reconnect.
          if (this.#session === session) this.#session = undefined;
          for (const queue of queues) queue.end();
          queues.clear();
        },
      }),
    };
    session.subscription.catch(() => {
      if (this.#session === session) this.#session = undefined;
    });
    this.#session = session;
    return session;
  }
}

/** One engine subscription and the streams fed by it. */
interface Session {
  subscription: Promise<Subscription>;
  queues: Set<EventQueue<Frame>>;
}
