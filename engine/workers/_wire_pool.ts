/**
 * The large lines of the worker wire, read off the engine's main thread.
 * A skill's worker may write lines of up to 16 MiB (a result, a log line,
 * records, a request body): decoding and parsing one on the main thread
 * held every other client for tens of milliseconds, and a skill could
 * repeat it until its output bound. A line of {@linkcode LARGE_LINE_BYTES}
 * or more now costs the main thread a scan for its newline and one copy;
 * its bytes go (transferred) to a wire worker thread that parses it and
 * gives back what the main thread needs (`wire_worker.ts`): a log line
 * already cut, a result's long strings with their JSON made.
 *
 * Each call has a budget of wire-worker time for this work
 * ({@linkcode DEFAULT_WIRE_BUDGET_MS}, or `AGENTOS_WIRE_BUDGET_MS`): a
 * line past what is left of it is stopped (its worker terminated, a fresh
 * one takes its place) and fails the call with a clear error. The work is
 * linear (a line is at most 16 MiB, a worker's whole output 256 MiB: a
 * second or two of parsing), so the budget is a bound no honest call
 * nears.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import { holdsMadeJson, type Incoming, withMadeJson } from "../rpc/mod.ts";
import { MAX_LOG_CHARS, PLACEHOLDER } from "../broker/mod.ts";
import type { MadeString, WireAnswer, WireJob } from "./wire_worker.ts";
import { ThreadJobError, ThreadPool } from "../thread_pool.ts";

/** Lines from this size on are read on a wire worker. */
export const LARGE_LINE_BYTES = 64 * 1024;

/**
 * Strings of a large line's result from this length on come with their
 * JSON made (and searched for placeholders) on the wire worker: a result
 * of many strings of a few KiB (records) is then not serialised on the
 * main thread either.
 */
const MADE_CHARS = 1024;

/** A call's budget for reading its large lines, unless `AGENTOS_WIRE_BUDGET_MS` says. */
export const DEFAULT_WIRE_BUDGET_MS = 30_000;

/** The budget: `AGENTOS_WIRE_BUDGET_MS` (a whole number of ms, 1 or more) or the default. */
function wireBudgetMs(): number {
  let raw: string | undefined;
  try {
    raw = Deno.env.get("AGENTOS_WIRE_BUDGET_MS");
  } catch {
    // A process not allowed to read it (the CLI) keeps the default.
  }
  const ms = Number(raw);
  return raw && Number.isSafeInteger(ms) && ms >= 1
    ? ms
    : DEFAULT_WIRE_BUDGET_MS;
}

const BUDGET_MS = wireBudgetMs();

/** Wire workers at most: one is enough for the parses, two keep calls apart. */
const MAX_WORKERS = 2;

/**
 * The wire workers, shared by every call (started on first use, kept).
 * A call's pump waits for its line before it reads the next, and calls
 * take turns (`thread_pool.ts`).
 */
const POOL = new ThreadPool<WireJob, WireAnswer>({
  url: new URL("./wire_worker.ts", import.meta.url),
  name: "wire-reader",
  size: MAX_WORKERS,
});

/** A job reading one line (its parts' buffers are transferred). */
function lineJob(parts: Uint8Array[]): WireJob {
  return {
    id: POOL.nextId(),
    parts,
    logChars: MAX_LOG_CHARS,
    madeChars: MADE_CHARS,
    // A result's notice (`placeholder_notice.ts`) takes this answer.
    patterns: { placeholder: PLACEHOLDER.source },
  };
}

/** A worker's budget for reading its large lines (its one call's), and what it has spent. */
export class WireBudget {
  readonly budgetMs = BUDGET_MS;
  spentMs = 0;

  /**
   * Reads one large line on a wire worker within what is left of the
   * budget.
   *
   * @param line the line's parts, each in a buffer of its own
   *   (transferred), and its size
   * @returns the item it holds, or undefined for a blank line
   * @throws {RpcError} Timeout past the budget; SkillFailed when the
   *   worker failed on the line
   */
  async read(
    line: { parts: Uint8Array[]; size: number },
  ): Promise<Incoming | undefined> {
    const bytes = { length: line.size };
    const left = this.budgetMs - this.spentMs;
    if (left <= 0) throw this.#spent(bytes.length);
    let answer: WireAnswer;
    try {
      answer = await POOL.run(
        lineJob(line.parts),
        left,
        this,
        line.parts.map((part) => part.buffer as ArrayBuffer),
      );
    } catch (error) {
      if (error instanceof ThreadJobError && error.reason === "budget") {
        this.spentMs = this.budgetMs;
        throw this.#spent(bytes.length);
      }
      throw new RpcError(
        ErrorCode.SkillFailed,
        `Reading a line of ${bytes.length} bytes from the worker failed (${
          (error as Error).message
        })`,
        { reason: "protocol" },
      );
    }
    this.spentMs += answer.ms;
    // Read past the budget before its timer fired: stopped all the same.
    if (this.spentMs > this.budgetMs) throw this.#spent(bytes.length);
    if (answer.blank) return undefined;
    if (answer.invalid !== undefined) {
      return { kind: "invalid", reason: answer.invalid };
    }
    const value = answer.value;
    for (const made of answer.made ?? []) {
      spliceMade(value, made, answer.json!.subarray(made.start, made.end));
    }
    return { kind: "message", value, chars: answer.chars! };
  }

  #spent(bytes: number): RpcError {
    return new RpcError(
      ErrorCode.Timeout,
      `The engine spent this call's budget of ${this.budgetMs} ms reading the large lines its worker wrote (a line of ${bytes} bytes was not taken); the call was stopped. AGENTOS_WIRE_BUDGET_MS sets the budget`,
      { reason: "wire_budget", budget_ms: this.budgetMs },
    );
  }
}

/**
 * Puts a long string back where the worker took it from, its JSON made,
 * and marks the containers on its way (so the reply finds it).
 */
function spliceMade(
  message: unknown,
  made: MadeString,
  json: Uint8Array,
): void {
  let container = message as Record<string, unknown>;
  const { path } = made;
  for (const key of path.slice(0, -1)) {
    container = container[key] as Record<string, unknown>;
    holdsMadeJson(container);
  }
  withMadeJson(
    container,
    String(path.at(-1)!),
    json,
    made.text,
    made.facts,
  );
}
