/**
 * Worker threads that run the reflection guard off the engine's main
 * thread, so a call that pushes large crafted bodies costs its own time,
 * not every other client's. Each job has a time limit (what is left of
 * its call's budget): a worker past it is terminated (it may be stuck in
 * the middle of a text) and a fresh one takes its place.
 *
 * Workers also prepare the automaton of a call's secrets and send it to
 * the main thread ({@linkcode GuardPool.prepare}), so the main thread
 * masks a small text (a header, a URL) without building one itself.
 *
 * Jobs wait in one queue per owner (a call's credentials), served in turn:
 * a call that pushes many crafted bodies waits behind itself, while another
 * call's job runs next, after at most the one job already running.
 *
 * Workers start on first use and are kept (a worker keeps its prepared
 * secret sets); {@linkcode GuardPool.close} ends them.
 *
 * @module
 */
import type { GuardedSecret } from "./reflection_guard.ts";
import type { GuardAnswer, GuardJob } from "./guard_worker.ts";
import { install, isPrepared } from "./reflection_forms.ts";

/** Workers by default: the guard is CPU-bound, and the main thread needs a core. */
const DEFAULT_WORKERS = Math.max(
  1,
  Math.min(2, (navigator.hardwareConcurrency ?? 2) - 1),
);

/** Why a job failed. */
export class GuardJobError extends Error {
  /** `budget`: past its time limit; `worker`: the worker failed. */
  readonly reason: "budget" | "worker";
  /** @param reason why @param message what happened */
  constructor(reason: "budget" | "worker", message: string) {
    super(message);
    this.name = "GuardJobError";
    this.reason = reason;
  }
}

/** Whose queue a job waits in: a call's credentials, or preparation. */
export type GuardOwner = object;

/** Preparations share one queue of their own. */
const PREPARING: GuardOwner = {};

interface Pending {
  job: GuardJob;
  /** What the job's message transfers (a body's bytes). */
  transfer: Transferable[];
  limitMs: number;
  resolve: (answer: GuardAnswer) => void;
  reject: (error: GuardJobError) => void;
}

/** Time a worker may take to prepare a set of secrets. */
const PREPARE_LIMIT_MS = 60_000;

interface Slot {
  worker: Worker;
  job?: Pending;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * A small pool of guard workers with a queue per owner, served in turn.
 */
export class GuardPool {
  #size: number;
  #slots: Slot[] = [];
  /** Waiting jobs by owner; the first owner is served next. */
  #queues = new Map<GuardOwner, Pending[]>();
  #nextId = 1;
  #closed = false;
  /** Sets being prepared, by their values (two calls wait for one job). */
  #preparing = new Map<string, Promise<void>>();

  /** @param size how many workers at most */
  constructor(size: number = DEFAULT_WORKERS) {
    this.#size = size;
  }

  /**
   * Scrubs a text on a worker.
   *
   * @param secrets the values and their replacements
   * @param text the text
   * @param limitMs how long the scrub may take once a worker runs it
   * @param owner whose queue it waits in (its call's credentials)
   * @returns the scrubbed text and the milliseconds it took
   * @throws {GuardJobError} past the limit, or when the worker failed
   */
  scrub(
    secrets: GuardedSecret[],
    text: string,
    limitMs: number,
    owner: GuardOwner = {},
  ): Promise<{ text: string; ms: number }> {
    return this.#run({ id: this.#nextId++, secrets, text }, limitMs, owner)
      .then((answer) => ({ text: answer.text!, ms: answer.ms }));
  }

  /**
   * Decodes a body's bytes on a worker (as `readBody` would) and scrubs
   * the text there; with no secrets, only decodes it. The bytes are
   * transferred, not copied: the caller no longer has them.
   *
   * @param secrets the values and their replacements (may be none)
   * @param body the bytes, in a buffer of their own, and their charset
   * @param limitMs how long the job may take once a worker runs it
   * @param owner whose queue it waits in (its call's credentials)
   * @returns the scrubbed text's JSON (`JSON.stringify`) in UTF-8 and the
   *   milliseconds the scrub took
   * @throws {GuardJobError} past the limit, or when the worker failed
   */
  scrubBody(
    secrets: GuardedSecret[],
    body: { bytes: Uint8Array; charset: string },
    limitMs: number,
    owner: GuardOwner = {},
  ): Promise<{ json: Uint8Array; ms: number }> {
    const job = { id: this.#nextId++, secrets, body };
    return this.#run(job, limitMs, owner, [body.bytes.buffer as ArrayBuffer])
      .then((answer) => ({ json: answer.json!, ms: answer.ms }));
  }

  /**
   * Prepares the automaton of a set of values on a worker (the main
   * thread never builds one while a worker can) and keeps it on this
   * thread, where {@linkcode ReflectionGuard} finds it.
   *
   * @param values the values, as the guard will be given them
   * @throws {GuardJobError} when the worker failed or took over a minute
   */
  prepare(values: string[]): Promise<void> {
    if (isPrepared(values)) return Promise.resolve();
    const key = JSON.stringify(values);
    let preparing = this.#preparing.get(key);
    if (!preparing) {
      const secrets = values.map((value) => ({ value, replacement: "" }));
      preparing = this.#run(
        { id: this.#nextId++, secrets },
        PREPARE_LIMIT_MS,
        PREPARING,
      )
        .then((answer) => install(values, answer.prepared!))
        .finally(() => this.#preparing.delete(key));
      this.#preparing.set(key, preparing);
    }
    return preparing;
  }

  #run(
    job: GuardJob,
    limitMs: number,
    owner: GuardOwner,
    transfer: Transferable[] = [],
  ): Promise<GuardAnswer> {
    if (this.#closed) {
      return Promise.reject(new GuardJobError("worker", "guard pool closed"));
    }
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(owner);
      const pending = { job, transfer, limitMs, resolve, reject };
      if (queue) queue.push(pending);
      else this.#queues.set(owner, [pending]);
      this.#dispatch();
    });
  }

  /** The next job: the first owner's first, that owner then going last. */
  #next(): Pending | undefined {
    for (const [owner, queue] of this.#queues) {
      const pending = queue.shift()!;
      this.#queues.delete(owner);
      if (queue.length > 0) this.#queues.set(owner, queue);
      return pending;
    }
    return undefined;
  }

  /** Ends every worker; queued and running jobs fail. */
  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) this.#retire(slot, "guard pool closed");
    for (const queue of this.#queues.values()) {
      for (const pending of queue) {
        pending.reject(new GuardJobError("worker", "guard pool closed"));
      }
    }
    this.#queues.clear();
  }

  #dispatch(): void {
    while (this.#queues.size > 0) {
      const slot = this.#slots.find((s) => !s.job) ??
        (this.#slots.length < this.#size ? this.#spawn() : undefined);
      if (!slot) return;
      const pending = this.#next()!;
      slot.job = pending;
      slot.timer = setTimeout(
        () => this.#retire(slot, "budget"),
        Math.max(1, pending.limitMs),
      );
      slot.worker.postMessage(pending.job, pending.transfer);
    }
  }

  #spawn(): Slot {
    const worker = new Worker(
      new URL("./guard_worker.ts", import.meta.url).href,
      { type: "module", name: "reflection-guard" },
    );
    const slot: Slot = { worker };
    worker.onmessage = ({ data }: MessageEvent<GuardAnswer>) => {
      const pending = slot.job;
      if (!pending || pending.job.id !== data.id) return;
      clearTimeout(slot.timer);
      slot.job = undefined;
      if (
        data.text === undefined && data.prepared === undefined &&
        data.json === undefined
      ) {
        pending.reject(new GuardJobError("worker", data.error ?? "failed"));
      } else pending.resolve(data);
      this.#dispatch();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.#retire(slot, event.message);
    };
    this.#slots.push(slot);
    return slot;
  }

  /** Terminates a worker, failing its job; the next job gets a fresh one. */
  #retire(slot: Slot, why: string): void {
    clearTimeout(slot.timer);
    slot.worker.terminate();
    this.#slots = this.#slots.filter((s) => s !== slot);
    const pending = slot.job;
    slot.job = undefined;
    pending?.reject(
      why === "budget"
        ? new GuardJobError("budget", `past its ${pending.limitMs} ms`)
        : new GuardJobError("worker", why),
    );
    if (!this.#closed) this.#dispatch();
  }
}
