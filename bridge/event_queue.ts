/** What {@linkcode EventQueue.take} resolves to. */
export type Taken<T> =
  | { kind: "events"; events: T[] }
  | { kind: "idle" }
  | { kind: "end"; overflow: boolean };

/**
 * The buffer between the engine connection (which pushes events as they
 * come) and one SSE response (which writes them as fast as the client
 * reads). Bounded: a client that falls too far behind is cut off, and
 * resumes from the change log with `Last-Event-ID` when it reconnects.
 */
export class EventQueue<T> {
  #items: T[] = [];
  #max: number;
  #ended = false;
  #overflow = false;
  #wake: (() => void) | undefined;

  /** @param max most events held before the queue ends itself */
  constructor(max: number) {
    this.#max = max;
  }

  /** Whether the queue has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Adds an event; ends the queue (overflow) when the client is too far behind. */
  push(item: T): void {
    if (this.#ended) return;
    if (this.#items.length >= this.#max) {
      this.#overflow = true;
      this.end();
      return;
    }
    this.#items.push(item);
    this.#wake?.();
  }

  /** Ends the queue: `take` returns what is left, then `end`. */
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  /**
   * Takes whatever is buffered right now, without waiting.
   *
   * @returns the buffered events, possibly none
   */
  drain(): T[] {
    const events = this.#items;
    this.#items = [];
    return events;
  }

  /**
   * Waits for events.
   *
   * @param idleMs resolve with `idle` after this long without events
   * @returns every buffered event, `idle`, or `end`
   */
  async take(idleMs: number): Promise<Taken<T>> {
    if (this.#items.length === 0 && !this.#ended) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, idleMs);
      });
      clearTimeout(timer);
      this.#wake = undefined;
    }
    if (this.#overflow) return { kind: "end", overflow: true };
    if (this.#items.length > 0) {
      const events = this.#items;
      this.#items = [];
      return { kind: "events", events };
    }
    return this.#ended ? { kind: "end", overflow: false } : { kind: "idle" };
  }
}
