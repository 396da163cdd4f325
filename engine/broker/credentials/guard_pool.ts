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
 * Jobs wait in one queue per owner (a call's credentials), served in turn
 * (`thread_pool.ts`). Workers start on first use and are kept (a worker
 * keeps its prepared secret sets); {@linkcode GuardPool.close} ends them.
 *
 * @module
 */
import type { GuardedSecret } from "./reflection_guard.ts";
import type { GuardAnswer, GuardJob } from "./guard_worker.ts";
import { install, isPrepared } from "./reflection_forms.ts";
import {
  type JobOwner,
  ThreadJobError,
  ThreadPool,
} from "../../thread_pool.ts";

/** Workers by default: the guard is CPU-bound, and the main thread needs a core. */
const DEFAULT_WORKERS = Math.max(
  1,
  Math.min(2, (navigator.hardwareConcurrency ?? 2) - 1),
);

/** Why a job failed: `budget` (past its time limit) or `worker`. */
export { ThreadJobError as GuardJobError };

/** Whose queue a job waits in: a call's credentials, or preparation. */
export type GuardOwner = JobOwner;

/** Preparations share one queue of their own. */
const PREPARING: GuardOwner = {};

/** Time a worker may take to prepare a set of secrets. */
const PREPARE_LIMIT_MS = 60_000;

/**
 * A small pool of guard workers with a queue per owner, served in turn.
 */
export class GuardPool {
  #threads: ThreadPool<GuardJob, GuardAnswer>;
  /** Sets being prepared, by their values (two calls wait for one job). */
  #preparing = new Map<string, Promise<void>>();

  /** @param size how many workers at most */
  constructor(size: number = DEFAULT_WORKERS) {
    this.#threads = new ThreadPool({
      url: new URL("./guard_worker.ts", import.meta.url),
      name: "reflection-guard",
      size,
      failure: (answer) =>
        answer.text === undefined && answer.prepared === undefined &&
          answer.json === undefined
          ? answer.error ?? "failed"
          : undefined,
    });
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
    return this.#threads.run(
      { id: this.#threads.nextId(), secrets, text },
      limitMs,
      owner,
    )
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
    const job = { id: this.#threads.nextId(), secrets, body };
    return this.#threads.run(job, limitMs, owner, [
      body.bytes.buffer as ArrayBuffer,
    ])
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
      preparing = this.#threads.run(
        { id: this.#threads.nextId(), secrets },
        PREPARE_LIMIT_MS,
        PREPARING,
      )
        .then((answer) => install(values, answer.prepared!))
        .finally(() => this.#preparing.delete(key));
      this.#preparing.set(key, preparing);
    }
    return preparing;
  }

  /** Ends every worker; queued and running jobs fail. */
  close(): void {
    this.#threads.close();
  }
}
