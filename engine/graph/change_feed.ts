import type { GraphStore } from "./graph_store.ts";
import type { ChangeEvent } from "./change_log.ts";

/** What an observer receives: a committed change or a call event. */
export type ObserverEvent =
  | ({ kind: "change" } & ChangeEvent)
  | {
    kind: "call";
    phase: "started" | "completed" | "failed";
    at: string;
    [key: string]: unknown;
  };

/** Sends one event to one subscriber; resolves when written. */
export type Send = (event: ObserverEvent) => Promise<void>;

interface Subscription {
  send: Send;
  /** Last change id delivered. */
  cursor: number;
  live: boolean;
}

/** Largest batch read from the change log while a subscriber catches up. */
const REPLAY_BATCH = 500;

/**
 * Fans committed changes out to subscribers in commit order, right after
 * each commit. A subscriber may start from an older change id: it is first
 * replayed from the change log, then switched to live delivery with no gap
 * and no duplicate (commits are synchronous, so nothing can land between
 * the last replayed row and the switch).
 */
export class ChangeFeed {
  #store: GraphStore;
  #subscriptions = new Map<number, Subscription>();
  #unsubscribe: () => void;

  /** @param store the graph whose commits are fanned out */
  constructor(store: GraphStore) {
    this.#store = store;
    this.#unsubscribe = store.onCommit((changes) => {
      for (const subscription of this.#subscriptions.values()) {
        if (!subscription.live) continue; // the replay loop will read these
        for (const change of changes) {
          if (change.id <= subscription.cursor) continue;
          subscription.cursor = change.id;
          subscription.send({ kind: "change", ...change });
        }
      }
    });
  }

  /** Number of subscribers. */
  get size(): number {
    return this.#subscriptions.size;
  }

  /**
   * Adds a subscriber, replaying changes after `since` first.
   *
   * @param key identifies the subscriber (e.g. its connection id)
   * @param send delivers one event
   * @param since resume after this change id (default: only new changes)
   * @returns the change id the subscriber starts after
   */
  subscribe(key: number, send: Send, since?: number): number {
    const cursor = since ?? this.#store.lastChangeId();
    const subscription: Subscription = { send, cursor, live: false };
    this.#subscriptions.set(key, subscription);
    this.#replay(key, subscription);
    return cursor;
  }

  /** Sends a non-persisted event (a call starting or ending) to every live subscriber. */
  publish(event: ObserverEvent): void {
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.live) subscription.send(event);
    }
  }

  /** Removes a subscriber. */
  unsubscribe(key: number): void {
    this.#subscriptions.delete(key);
  }

  /** Stops listening to the store. */
  close(): void {
    this.#unsubscribe();
    this.#subscriptions.clear();
  }

  async #replay(key: number, subscription: Subscription): Promise<void> {
    // Let the subscribe reply go out before the first replayed event.
    await new Promise((resolve) => setTimeout(resolve, 0));
    while (this.#subscriptions.get(key) === subscription) {
      const batch = this.#store.changesSince(subscription.cursor, REPLAY_BATCH);
      if (batch.length === 0) {
        subscription.live = true; // synchronously after the empty read: no gap
        return;
      }
      let last: Promise<void> = Promise.resolve();
      for (const change of batch) {
        subscription.cursor = change.id;
        last = subscription.send({ kind: "change", ...change });
      }
      await last; // backpressure: let the socket drain between batches
    }
  }
}
