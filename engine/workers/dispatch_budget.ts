/**
 * Dispatches of one call held by the engine at once (served or waiting for
 * a slot): more fail the call.
 */
export const MAX_HELD_DISPATCHES_PER_CALL = 1024;

/**
 * Size of the dispatch lines one call may have held by the engine at once,
 * counted in UTF-16 code units of the line (bytes for ASCII, which JSON
 * escaping makes almost every line; at most twice that in memory).
 */
export const MAX_HELD_BYTES_PER_CALL = 32 * 1024 * 1024;

/** Dispatches held by the engine at once over every running call. */
export const MAX_HELD_DISPATCHES_PER_ENGINE = 8192;

/** Bytes of dispatch lines held by the engine at once over every running call. */
export const MAX_HELD_BYTES_PER_ENGINE = 256 * 1024 * 1024;

/** Why a {@linkcode DispatchBudget} refused a dispatch. */
export interface BudgetRefusal {
  /** The budget that refused (`this call`, `the engine`). */
  scope: string;
  /** What was over its limit, with the figures. */
  message: string;
}

/** Limits of a {@linkcode DispatchBudget}. */
export interface DispatchLimits {
  /** Most dispatches held at once. */
  dispatches: number;
  /** Most bytes (the dispatch lines' lengths) held at once. */
  bytes: number;
}

/**
 * Counts the dispatches the engine holds (being served or queued behind the
 * per-call concurrency limit) and the size of their lines, for one call and,
 * through its parent, for the whole engine. A worker writing dispatches
 * faster than they are served filled the engine's memory (1,500 queued
 * 100 KiB dispatches added 180 MB); past a limit the call fails instead.
 */
export class DispatchBudget {
  #limits: DispatchLimits;
  #parent: DispatchBudget | undefined;
  #what: string;
  #held = 0;
  #bytes = 0;

  /**
   * @param limits the most dispatches and bytes held at once
   * @param options `parent`: a budget every take also counts against (the
   *   engine's); `what`: names the scope in refusals ("this call")
   */
  constructor(
    limits: DispatchLimits,
    options: { parent?: DispatchBudget; what?: string } = {},
  ) {
    this.#limits = limits;
    this.#parent = options.parent;
    this.#what = options.what ?? "this call";
  }

  /** Dispatches held now. */
  get held(): number {
    return this.#held;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Counts one more dispatch, unless a limit (here or in the parent) would
   * be passed.
   *
   * @param bytes the dispatch line's length
   * @returns undefined when taken, else which budget refused and why
   *   (nothing is counted then)
   */
  take(bytes: number): BudgetRefusal | undefined {
    if (this.#held + 1 > this.#limits.dispatches) {
      return {
        scope: this.#what,
        message:
          `${this.#what} has ${this.#held} dispatches waiting or being served, the most allowed is ${this.#limits.dispatches}`,
      };
    }
    if (this.#bytes + bytes > this.#limits.bytes) {
      return {
        scope: this.#what,
        message:
          `${this.#what} has ${this.#bytes} bytes of dispatches waiting or being served and this one adds ${bytes}; the most allowed is ${this.#limits.bytes}`,
      };
    }
    const refused = this.#parent?.take(bytes);
    if (refused !== undefined) return refused;
    this.#held++;
    this.#bytes += bytes;
    return undefined;
  }

  /**
   * Releases one dispatch taken with {@linkcode take}.
   *
   * @param bytes the same length it was taken with
   */
  release(bytes: number): void {
    this.#held--;
    this.#bytes -= bytes;
    this.#parent?.release(bytes);
  }
}

/** The engine-wide budget every call's budget counts against. */
export const ENGINE_DISPATCH_BUDGET = new DispatchBudget({
  dispatches: MAX_HELD_DISPATCHES_PER_ENGINE,
  bytes: MAX_HELD_BYTES_PER_ENGINE,
}, { what: "the engine" });
