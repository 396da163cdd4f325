/**
 * Worker threads for work on skill-controlled data that must not hold the
 * engine's main thread (the reflection guard, the worker wire's large
 * lines). Each job has a time limit: a thread past it is terminated (it
 * may be stuck in the middle of a text) and a fresh one takes its place,
 * and the job fails with reason `budget`.
 *
 * Jobs wait in one queue per owner (a call), served in turn: a call that
 * pushes many large jobs waits behind itself, while another call's job
 * runs next, after at most the jobs already running.
 *
 * Threads start on first use and are kept; {@linkcode ThreadPool.close}
 * ends them.
 *
 * @module
 */

/** Why a job failed. */
export class ThreadJobError extends Error {
  /** `budget`: past its time limit; `worker`: the thread failed. */
  readonly reason: "budget" | "worker";
  /** @param reason why @param message what happened */
  constructor(reason: "budget" | "worker", message: string) {
    super(message);
    this.name = "ThreadJobError";
    this.reason = reason;
  }
}

/** Whose queue a job waits in (any object: a call's credentials, its wire budget). */
export type JobOwner = object;

/** What every job and answer carries: the answer names its job. */
export interface Numbered {
  id: number;
}

/** How a pool's threads are made and how their answers are judged. */
export interface ThreadPoolOptions<Answer> {
  /** The module each thread runs. */
  url: URL;
  /** The threads' name (in profiles and crash reports). */
  name: string;
  /** How many threads at most. */
  size: number;
  /** Why an answer is a failure, or undefined for a good one. */
  failure?: (answer: Answer) => string | undefined;
}

interface Pending<Job, Answer> {
  job: Job;
  /** What the job's message transfers (a body's bytes, a line's blocks). */
  transfer: Transferable[];
  limitMs: number;
  resolve: (answer: Answer) => void;
  reject: (error: ThreadJobError) => void;
}

interface Slot<Job, Answer> {
  worker: Worker;
  job?: Pending<Job, Answer>;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * A bounded set of worker threads running jobs with time limits.
 */
export class ThreadPool<Job extends Numbered, Answer extends Numbered> {
  #options: ThreadPoolOptions<Answer>;
  #slots: Slot<Job, Answer>[] = [];
  /** Waiting jobs by owner; the first owner is served next. */
  #queues = new Map<JobOwner, Pending<Job, Answer>[]>();
  #nextId = 1;
  #closed = false;

  /** @param options the threads' module, name and number, and what fails */
  constructor(options: ThreadPoolOptions<Answer>) {
    this.#options = options;
  }

  /** A fresh job id. */
  nextId(): number {
    return this.#nextId++;
  }

  /**
   * Runs a job on a thread.
   *
   * @param job the message (its `id` names the answer)
   * @param limitMs how long it may run once a thread has it
   * @param owner whose queue it waits in
   * @param transfer buffers the message transfers (the caller loses them)
   * @returns the thread's answer
   * @throws {ThreadJobError} past the limit, or when the thread failed
   */
  run(
    job: Job,
    limitMs: number,
    owner: JobOwner,
    transfer: Transferable[] = [],
  ): Promise<Answer> {
    if (this.#closed) {
      return Promise.reject(new ThreadJobError("worker", "pool closed"));
    }
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(owner);
      const pending = { job, transfer, limitMs, resolve, reject };
      if (queue) queue.push(pending);
      else this.#queues.set(owner, [pending]);
      this.#dispatch();
    });
  }

  /** Ends every thread; queued and running jobs fail. */
  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) this.#retire(slot, "pool closed");
    for (const queue of this.#queues.values()) {
      for (const pending of queue) {
        pending.reject(new ThreadJobError("worker", "pool closed"));
      }
    }
    this.#queues.clear();
  }

  /** The next job: the first owner's first, that owner then going last. */
  #next(): Pending<Job, Answer> | undefined {
    for (const [owner, queue] of this.#queues) {
      const pending = queue.shift()!;
      this.#queues.delete(owner);
      if (queue.length > 0) this.#queues.set(owner, queue);
      return pending;
    }
    return undefined;
  }

  #dispatch(): void {
    while (this.#queues.size > 0) {
      const slot = this.#slots.find((s) => !s.job) ??
        (this.#slots.length < this.#options.size ? this.#spawn() : undefined);
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

  #spawn(): Slot<Job, Answer> {
    const worker = new Worker(this.#options.url.href, {
      type: "module",
      name: this.#options.name,
    });
    const slot: Slot<Job, Answer> = { worker };
    worker.onmessage = ({ data }: MessageEvent<Answer>) => {
      const pending = slot.job;
      if (!pending || pending.job.id !== data.id) return;
      clearTimeout(slot.timer);
      slot.job = undefined;
      const failure = this.#options.failure?.(data);
      if (failure !== undefined) {
        pending.reject(new ThreadJobError("worker", failure));
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

  /** Terminates a thread, failing its job; the next job gets a fresh one. */
  #retire(slot: Slot<Job, Answer>, why: string): void {
    clearTimeout(slot.timer);
    slot.worker.terminate();
    this.#slots = this.#slots.filter((s) => s !== slot);
    const pending = slot.job;
    slot.job = undefined;
    pending?.reject(
      why === "budget"
        ? new ThreadJobError("budget", `past its ${pending.limitMs} ms`)
        : new ThreadJobError("worker", why),
    );
    if (!this.#closed) this.#dispatch();
  }
}
