import { RpcError } from "../errors.ts";

/** Bytes of a worker's stderr kept for error messages (the tail). */
const TAIL_BYTES = 8 * 1024;

/**
 * Drains a worker's stderr to the end (a full pipe would block the worker)
 * and keeps only the last few KiB, for the error message of a failed call.
 * Past `maxBytes` in total it calls `onOverflow` once (the worker is then
 * killed) and goes on draining.
 */
export class StderrTail {
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #total = 0;
  #maxBytes: number;
  #onOverflow: (() => void) | undefined;

  /**
   * @param options the most bytes a worker may write, and what to do past it
   */
  constructor(
    options: { maxBytes?: number; onOverflow?: () => void } = {},
  ) {
    this.#maxBytes = options.maxBytes ?? Infinity;
    this.#onOverflow = options.onOverflow;
  }

  /**
   * Reads the stream to its end.
   *
   * @param stream the worker's stderr, read chunk by chunk
   */
  async drain(
    stream: { read(): Promise<ReadableStreamReadResult<Uint8Array>> },
  ): Promise<void> {
    try {
      while (true) {
        const { value, done } = await stream.read();
        if (done) break;
        const chunk = value.slice(); // the reader reuses its buffer
        this.#total += chunk.length;
        if (this.#total > this.#maxBytes && this.#onOverflow) {
          const onOverflow = this.#onOverflow;
          this.#onOverflow = undefined;
          onOverflow();
        }
        this.#chunks.push(chunk);
        this.#bytes += chunk.length;
        while (
          this.#chunks.length > 1 &&
          this.#bytes - this.#chunks[0]!.length >= TAIL_BYTES
        ) {
          this.#bytes -= this.#chunks.shift()!.length;
        }
      }
    } catch {
      // The process is gone.
    }
  }

  /** The kept tail as text. */
  text(): string {
    const all = new Uint8Array(this.#bytes);
    let offset = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    const text = new TextDecoder().decode(all).trim();
    return text.length > TAIL_BYTES ? text.slice(-TAIL_BYTES) : text;
  }
}

// bwrap reports a child killed by a signal as exit code 128 + the signal.
const SIGNALS: Record<number, string> = {
  6: "SIGABRT",
  9: "SIGKILL (out of memory, or killed)",
  11: "SIGSEGV",
  24: "SIGXCPU: CPU time limit reached",
  25: "SIGXFSZ: file size limit reached",
};

/**
 * How a worker ended, for messages: an exit code, or the signal that
 * killed it (seen directly, or through bwrap's 128 + signal exit code).
 *
 * @param status the exit status
 * @returns e.g. `exit code 152, killed by SIGXCPU: CPU time limit reached`
 */
export function describeExit(status: Deno.CommandStatus): string {
  if (status.signal) return `killed by ${status.signal}`;
  const signal = status.code > 128 ? SIGNALS[status.code - 128] : undefined;
  return signal
    ? `exit code ${status.code}, killed by ${signal}`
    : `exit code ${status.code}`;
}

/**
 * A crash or protocol error of a worker, completed with how the process
 * ended and the last lines of its stderr; other errors as they are. Waits
 * for the exit at most `graceMs`, then kills.
 *
 * @param error the call's error
 * @param process the worker's exit, how to kill it, how to wait for its
 *   pipes, and its stderr tail
 * @returns the error to report
 */
export async function withExitDetail(
  error: unknown,
  process: {
    status: Promise<Deno.CommandStatus>;
    graceMs: number;
    kill: () => void;
    settle: () => Promise<void>;
    tail: () => string;
  },
): Promise<unknown> {
  if (!(error instanceof RpcError)) return error;
  const reason = (error.data as { reason?: string } | undefined)?.reason;
  if (reason !== "crash" && reason !== "protocol") return error;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = await Promise.race([
    process.status,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), process.graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (status === undefined) process.kill();
  await process.status;
  await process.settle();
  const stderr = process.tail();
  const how = reason === "crash" && status ? ` (${describeExit(status)})` : "";
  const lastLines = stderr.split("\n").slice(-3).join(" | ");
  return new RpcError(
    error.code,
    `${error.message}${how}${stderr ? `: ${lastLines}` : ""}`,
    { ...(error.data as object), stderr, exit: status ?? null },
  );
}
