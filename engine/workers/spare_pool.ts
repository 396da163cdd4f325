import type { Logger } from "../logger.ts";
import { WorkerProcess } from "./worker_process.ts";

/** Options for {@linkcode SparePool}. */
export interface SparePoolOptions {
  /** Spares kept ready (0 disables the pool). */
  size: number;
  /** Starts one worker process (a seam for tests). */
  spawn: () => WorkerProcess;
  /**
   * Starts a worker whose launcher waits, parked in its cgroup, for
   * `unpark` (bubblewrap only: see `Sandbox.command`'s `parked`). Without
   * it, cold calls start their launcher on their path.
   */
  park?: () => WorkerProcess;
  /** Where failures to start a spare are reported. */
  log?: Logger;
}

/** Longest a refill waits for the call that took the spare to end. */
const REFILL_DELAY_MS = 50;

/** Consecutive spare start failures after which refilling pauses. */
const MAX_FAILURES = 3;

/**
 * Launchers kept parked for cold calls. One is a shell (well under 1 MB)
 * and a call cgroup; it saves a cold call the shell's start and the wait
 * for joining the cgroup (5–10 ms on a busy host).
 */
export const PARKED_LAUNCHERS = 2;

/**
 * Keeps up to N worker processes that have started the interpreter and
 * imported the SDK but know no skill yet. Each serves exactly one call (a
 * worker exits after its result); the pool refills in the background and
 * never holds more than N, counting those still starting. When the pool is
 * empty a call starts its own worker (a cold start): from a launcher kept
 * parked in its cgroup when there is one (bubblewrap, the interpreter and
 * the SDK still start on the call's path), else from scratch.
 */
export class SparePool {
  #options: SparePoolOptions;
  #ready: WorkerProcess[] = [];
  #parked: WorkerProcess[] = [];
  #starting = 0;
  #failures = 0;
  #closed = false;
  #spawned = 0;
  #servedBySpare = 0;
  #servedCold = 0;
  #servedParked = 0;
  #pending = new Set<Promise<void>>();

  /** @param options pool size and how to start a worker */
  constructor(options: SparePoolOptions) {
    this.#options = options;
  }

  /** Spares kept ready. */
  get size(): number {
    return this.#options.size;
  }

  /** Counts for `engine.status`. */
  counts(): Record<string, number> {
    return {
      sparesReady: this.#ready.length,
      sparesStarting: this.#starting,
      launchersParked: this.#parked.length,
      workersSpawned: this.#spawned,
      callsServedBySpare: this.#servedBySpare,
      callsServedCold: this.#servedCold,
      callsServedParked: this.#servedParked,
    };
  }

  /** Process ids of the ready spares (for tests and status). */
  sparePids(): number[] {
    return this.#ready.map((worker) => worker.pid);
  }

  /** Starts filling the pool in the background. */
  fill(): void {
    this.#failures = 0;
    this.#refill();
  }

  #refill(): void {
    while (
      !this.#closed && this.#failures < MAX_FAILURES &&
      this.#ready.length + this.#starting < this.#options.size
    ) {
      this.#startSpare();
    }
    while (
      !this.#closed && this.#options.park &&
      this.#parked.length < PARKED_LAUNCHERS
    ) {
      if (!this.#startParked()) break;
    }
  }

  /** Parks one more launcher; false when it cannot start. */
  #startParked(): boolean {
    try {
      this.#parked.push(this.#options.park!());
      this.#spawned++;
      return true;
    } catch (error) {
      this.#options.log?.warn("Cannot park a launcher", { error });
      return false;
    }
  }

  /** A parked launcher, started; those that died while parked are reaped. */
  #unparked(): WorkerProcess | undefined {
    let worker: WorkerProcess | undefined;
    while ((worker = this.#parked.shift()) !== undefined && !worker.parked) {
      void worker.kill();
    }
    if (worker === undefined) return undefined;
    worker.unpark();
    this.#servedParked++;
    return worker;
  }

  /**
   * A worker for one call: a ready spare when there is one, else a fresh
   * process. Either way the pool then refills in the background.
   *
   * @returns the worker and whether it was a spare
   * @throws {RpcError} SandboxUnavailable when no worker can be started
   */
  take(): { worker: WorkerProcess; spare: boolean } {
    let worker: WorkerProcess | undefined;
    while ((worker = this.#ready.shift()) !== undefined && !worker.idle) {
      void worker.kill();
    }
    const spare = worker !== undefined;
    if (spare) this.#servedBySpare++;
    else {
      this.#servedCold++;
      worker = this.#unparked();
      if (worker === undefined) {
        this.#spawned++;
        worker = this.#options.spawn();
      }
    }
    this.#refillAfter(worker!);
    return { worker: worker!, spare };
  }

  // A process start takes a core for ~10 ms and blocks this thread while it
  // forks; on a small machine it would slow the very call that emptied the
  // slot. So the refill waits for that call's process to end, or at most
  // REFILL_DELAY_MS when the call runs long. (`deno task bench --quick
  // --only calls`: a spare-served no-op call went from 6.7 to 3.3–3.7 ms.)
  #refillAfter(worker: WorkerProcess): void {
    const refill = () => {
      clearTimeout(timer);
      this.fill();
    };
    const timer = setTimeout(refill, REFILL_DELAY_MS);
    worker.exited.then(refill, refill);
  }

  /** Kills every spare and waits until all are reaped. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#pending]);
    const spares = [...this.#ready.splice(0), ...this.#parked.splice(0)];
    await Promise.allSettled(spares.map((worker) => worker.kill()));
  }

  #startSpare(): void {
    let worker: WorkerProcess;
    try {
      worker = this.#options.spawn();
    } catch (error) {
      this.#failures++;
      this.#options.log?.warn("Cannot start a spare worker", { error });
      return;
    }
    this.#spawned++;
    this.#starting++;
    const pending: Promise<void> = worker.ready.then(
      () => {
        this.#failures = 0;
        if (this.#closed) return void worker.kill();
        this.#ready.push(worker);
        // A spare that dies while idle (killed from outside) is replaced.
        void worker.exited.then(() => {
          const index = this.#ready.indexOf(worker);
          if (index === -1 || this.#closed) return;
          this.#ready.splice(index, 1);
          this.#refill();
        });
      },
      async (error) => {
        this.#failures++;
        this.#options.log?.warn("A spare worker failed to start", {
          error: (error as Error).message,
        });
        await worker.kill();
      },
    ).finally(() => {
      this.#starting--;
      this.#pending.delete(pending);
      // Refill after a failure too, until MAX_FAILURES in a row.
      this.#refill();
    });
    this.#pending.add(pending);
  }
}
