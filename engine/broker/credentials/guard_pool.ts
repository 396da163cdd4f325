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

interface Pending {
  job: GuardJob;
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
 * A small pool of guard workers with a queue.
 */
export class GuardPool {
  #size: number;
  #slots: Slot[] = [];
  #queue: Pending[] = [];
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
   * @returns the scrubbed text and the milliseconds it took
   * @throws {GuardJobError} past the limit, or when the worker failed
   */
  scrub(
    secrets: GuardedSecret[],
    text: string,
    limitMs: number,
  ): Promise<{ text: string; ms: number }> {
    return this.#run({ id: this.#nextId++, secrets, text }, limitMs).then((
      answer,
    ) => ({ text: answer.text!, ms: answer.ms }));
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
      preparing = this.#run({ id: this.#nextId++, secrets }, PREPARE_LIMIT_MS)
        .then((answer) => install(values, answer.prepared!))
        .finally(() => this.#preparing.delete(key));
      this.#preparing.set(key, preparing);
    }
    return preparing;
  }

  #run(job: GuardJob, limitMs: number): Promise<GuardAnswer> {
    if (this.#closed) {
      return Promise.reject(new GuardJobError("worker", "guard pool closed"));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, limitMs, resolve, reject });
      this.#dispatch();
    });
  }

  /** Ends every worker; queued and running jobs fail. */
  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) this.#retire(slot, "guard pool closed");
    for (const pending of this.#queue.splice(0)) {
      pending.reject(new GuardJobError("worker", "guard pool closed"));
    }
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const slot = this.#slots.find((s) => !s.job) ??
        (this.#slots.length < this.#size ? this.#spawn() : undefined);
      if (!slot) return;
      const pending = this.#queue.shift()!;
      slot.job = pending;
      slot.timer = setTimeout(
        () => this.#retire(slot, "budget"),
        Math.max(1, pending.limitMs),
      );
      slot.worker.postMessage(pending.job);
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
      if (data.text === undefined && data.prepared === undefined) {
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
