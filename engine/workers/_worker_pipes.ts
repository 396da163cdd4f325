import { ErrorCode, RpcError } from "../errors.ts";
import { JsonLines, type LargeLines } from "../rpc/mod.ts";
import { LAUNCHER_GO } from "../sandbox/mod.ts";
import { PipeReader } from "./_pipe_reader.ts";
import { StderrTail } from "./_stderr_tail.ts";

/** Most bytes a worker may write to stdout over its whole life. */
export const MAX_WORKER_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Most bytes a worker may write to stderr (where skill code's print goes). */
export const MAX_WORKER_STDERR_BYTES = 64 * 1024 * 1024;

/** Largest chunk read from a worker's pipe at once (one buffer per pipe). */
const PIPE_READ_BYTES = 16 * 1024;

/**
 * The same once a read filled it: a worker writing megabytes on its wire
 * is read in chunks of up to a whole pipe (64 KiB on Linux), a quarter of
 * the reads.
 */
const PIPE_GROWN_BYTES = 64 * 1024;

/** Options for {@linkcode WorkerPipes}. */
export interface WorkerPipesOptions {
  /** Line size limit. */
  maxLineBytes: number;
  /** Total stdout limit. */
  maxOutputBytes: number;
  /** Total stderr limit. */
  maxStderrBytes: number;
  /** Called with the error when the worker passes an output limit. */
  fail: (error: RpcError) => void;
  /** How large lines are read (off the main thread). */
  large?: LargeLines;
}

/**
 * The three pipes of a worker: the wire (JSON lines over stdin/stdout,
 * with a cap on everything it may write) and stderr (drained to its end,
 * its tail kept for error messages, capped too).
 */
export class WorkerPipes {
  /** The wire protocol over stdin and stdout. */
  readonly lines: JsonLines;
  /** The tail of stderr. */
  readonly stderr: StderrTail;
  /** Resolves when stderr has ended. */
  readonly stderrDone: Promise<void>;
  #readers: PipeReader[];
  #stdin: WritableStreamDefaultWriter<Uint8Array>;

  /**
   * @param child the spawned worker, all three pipes piped
   * @param options limits and the failure callback
   */
  constructor(child: Deno.ChildProcess, options: WorkerPipesOptions) {
    let seen = 0;
    const stdout = new PipeReader(
      child.stdout,
      PIPE_READ_BYTES,
      PIPE_GROWN_BYTES,
    );
    const stdin = child.stdin.getWriter();
    this.#stdin = stdin;
    this.lines = new JsonLines(
      {
        chunks: {
          read: async () => {
            const chunk = await stdout.read();
            seen += chunk.value?.length ?? 0;
            if (seen <= options.maxOutputBytes) return chunk;
            options.fail(
              new RpcError(
                ErrorCode.SkillFailed,
                `Worker wrote more than ${options.maxOutputBytes} bytes to the wire`,
                { reason: "protocol" },
              ),
            );
            stdout.cancel();
            return { done: true, value: undefined };
          },
          write: (bytes) => stdin.write(bytes),
          // Nothing to cancel: the pipe ends when the process does (it is
          // killed with its whole pid namespace), and cancelling a pending
          // read costs an error object per call.
          cancel: () => {},
        },
        close: () => void stdin.close().catch(() => {}),
      },
      { maxLineBytes: options.maxLineBytes, large: options.large },
    );
    this.stderr = new StderrTail({
      maxBytes: options.maxStderrBytes,
      onOverflow: () =>
        options.fail(
          new RpcError(
            ErrorCode.SkillFailed,
            `Worker wrote more than ${options.maxStderrBytes} bytes to stderr (its print output); it was killed`,
            { reason: "output" },
          ),
        ),
    });
    const stderr = new PipeReader(
      child.stderr,
      PIPE_READ_BYTES,
      PIPE_GROWN_BYTES,
    );
    this.#readers = [stdout, stderr];
    this.stderrDone = this.stderr.drain(stderr);
  }

  /**
   * Tells a parked launcher to start bubblewrap. A launcher that is gone
   * by then ends its pipes: the pump sees it exit before `ready`.
   */
  go(): void {
    this.#stdin.write(new TextEncoder().encode(LAUNCHER_GO)).catch(() => {});
  }

  /**
   * Releases stdout when the wire is read no more before its end. Deno
   * closes a pipe only at its end or when its reader is cancelled: a pump
   * that stops early and leaves the read end to its fate leaks one
   * descriptor per failed call (`deno task bench --only leaks`).
   */
  stopWire(): void {
    this.#readers[0]!.cancel();
  }

  /**
   * Waits for the given reads to end, at most `graceMs`; past it both
   * pipes are cancelled. A process that kept them open past its sandbox
   * (none can: the cgroup is emptied and every process dies with its
   * parent) must not hold the engine, its shutdown included.
   *
   * @param reads the stdout pump and the stderr drain
   * @param graceMs the longest wait
   */
  async done(reads: Promise<void>[], graceMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = Promise.allSettled(reads);
    const late = await Promise.race([
      done.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (late) {
      for (const reader of this.#readers) reader.cancel();
      await done;
    }
  }
}
