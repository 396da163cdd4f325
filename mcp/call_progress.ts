import type { ProgressToken, ServerNotification } from "./_sdk.ts";

/** What {@linkcode CallProgress} needs of the SDK's request context. */
export interface ProgressContext {
  /** The request's `_meta`, holding the client's progress token if it wants progress. */
  _meta?: { progressToken?: ProgressToken };
  /** Sends a notification tied to the request. */
  sendNotification: (notification: ServerNotification) => Promise<void>;
}

/** Options for {@linkcode CallProgress}. */
export interface CallProgressOptions {
  /** Names the call in messages, e.g. the tool name. */
  label: string;
  /** Send "still running" this often (long calls only). */
  heartbeatMs?: number;
}

/**
 * Progress notifications for one tool call, sent only when the client
 * gave a progress token: one at the start, the engine's own progress
 * reports if any, a heartbeat while a long call runs, and one at the end
 * (progress equal to total, so a client can show completion). Progress
 * only ever increases, as the spec requires.
 */
export class CallProgress {
  #context: ProgressContext;
  #options: CallProgressOptions;
  #token: ProgressToken | undefined;
  #progress = 0;
  #started = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #ended = false;

  /**
   * @param context the SDK's request context
   * @param options label and heartbeat
   */
  constructor(context: ProgressContext, options: CallProgressOptions) {
    this.#context = context;
    this.#options = options;
    this.#token = context._meta?.progressToken;
  }

  /** Sends the start notification and starts the heartbeat. */
  async start(): Promise<void> {
    if (this.#token === undefined) return;
    this.#started = Date.now();
    await this.#send(`${this.#options.label} started`);
    if (this.#options.heartbeatMs) {
      this.#timer = setInterval(() => {
        const seconds = Math.round((Date.now() - this.#started) / 1000);
        this.#progress++;
        this.#send(`${this.#options.label} still running (${seconds} s)`);
      }, this.#options.heartbeatMs);
    }
  }

  /**
   * Forwards a progress report from the engine (`skills.progress`, sent on
   * the call's own connection, carrying `progress`, `total`, `message`).
   *
   * @param params the notification's params
   */
  fromEngine(params: unknown): void {
    if (this.#token === undefined || this.#ended) return;
    if (typeof params !== "object" || params === null) return;
    const { message, progress, total } = params as Record<string, unknown>;
    let text = `${this.#options.label} is working`;
    if (typeof message === "string") text = message.slice(0, 500);
    else if (typeof progress === "number") {
      text = `${this.#options.label}: ${progress}${
        typeof total === "number" ? ` of ${total}` : ""
      }`;
    }
    // Our own counter, not the skill's numbers: progress must only grow.
    this.#progress++;
    this.#send(text);
  }

  /** Stops the heartbeat and sends the final notification. */
  async end(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#token === undefined || this.#ended) return;
    this.#ended = true;
    this.#progress++;
    await this.#send(`${this.#options.label} finished`, this.#progress);
    // The SDK's client handles notifications a microtask late but responses
    // at once, and drops progress for a request already answered; leaving a
    // moment between the last progress and the response lets it read them
    // in separate chunks.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }

  #send(message: string, total?: number): Promise<void> {
    return this.#context.sendNotification({
      method: "notifications/progress",
      params: {
        progressToken: this.#token!,
        progress: this.#progress,
        ...(total !== undefined ? { total } : {}),
        message,
      },
    }).catch(() => {
      // The client went away; the call's own outcome will show that.
    });
  }
}
