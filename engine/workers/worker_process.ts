/**
 * A worker process's life: spawned confined, ready, one call (its
 * dispatches served by `_dispatch_server.ts`), then reaped. What each line
 * on its pipe means, and the error each breach fails the call with, is
 * `worker_protocol.ts`.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type { JsonLines } from "../rpc/mod.ts";
import { type SandboxCommand, spawnCommand } from "../sandbox/mod.ts";
import { type StderrTail, withExitDetail } from "./_stderr_tail.ts";
import {
  MAX_WORKER_OUTPUT_BYTES,
  MAX_WORKER_STDERR_BYTES,
  WorkerPipes,
} from "./_worker_pipes.ts";
import type {
  WorkerCall,
  WorkerProcessOptions,
  WorkerResult,
  WorkerRunOptions,
} from "./worker_types.ts";
import { DispatchServer, MAX_WORKER_LINE_BYTES } from "./_dispatch_server.ts";
import { LARGE_LINE_BYTES, WireBudget } from "./_wire_pool.ts";
import {
  callLine,
  callTimeoutError,
  dispatchLimitError,
  exitedEarlyError,
  lineError,
  protocolError,
  readResult,
  readyTimeoutError,
  unexpectedMessage,
  type WorkerState,
  wrongCallError,
} from "./worker_protocol.ts";

/** Workers that answered and are being reaped in the background. */
const REAPING = new Set<Promise<void>>();

/** How long a worker may take to exit after its result before it is killed. */
const EXIT_GRACE_MS = 2000;

/**
 * One worker process: spawned, confined by its command line, serving at
 * most one call, then gone. Every failure of the process or of the
 * protocol (a line that is not JSON, an oversized line, a message out of
 * place, an exit before the result, no answer in time) fails the call with
 * a clear `RpcError` and kills the process; the process is always reaped.
 */
export class WorkerProcess {
  /** The spawned process id. */
  readonly pid: number;
  #child: Deno.ChildProcess;
  #lines: JsonLines;
  #ready: Promise<void>;
  #readyWaiter = Promise.withResolvers<void>();
  #result: PromiseWithResolvers<WorkerResult> | undefined;
  #dispatches: DispatchServer | undefined;
  #callId = "";
  #failure: RpcError | undefined;
  #state: WorkerState = "starting";
  #stderr: StderrTail;
  #exited = false;
  #status: Promise<Deno.CommandStatus>;
  #stdoutDone: Promise<void>;
  #stderrDone: Promise<void>;
  #pipes: WorkerPipes;
  #release: (lazy?: boolean) => Promise<number>;
  #parked: boolean;
  #readyTimeoutMs: number;
  #readyTimer: ReturnType<typeof setTimeout> | undefined;
  /** The call's budget for its large lines, read on wire workers. */
  #wire = new WireBudget();

  private constructor(
    command: SandboxCommand,
    options: WorkerProcessOptions,
  ) {
    this.#child = spawnCommand(command);
    this.pid = this.#child.pid;
    this.#status = this.#child.status.then((status) => {
      this.#exited = true;
      return status;
    });
    this.#release = command.release;
    this.#parked = command.parked ?? false;
    this.#pipes = new WorkerPipes(this.#child, {
      maxLineBytes: options.maxLineBytes ?? MAX_WORKER_LINE_BYTES,
      maxOutputBytes: options.maxOutputBytes ?? MAX_WORKER_OUTPUT_BYTES,
      maxStderrBytes: MAX_WORKER_STDERR_BYTES,
      fail: (error) => this.#fail(error),
      large: {
        bytes: LARGE_LINE_BYTES,
        parse: (line) => this.#wire.read(line),
      },
    });
    this.#lines = this.#pipes.lines;
    this.#stderr = this.#pipes.stderr;
    this.#stderrDone = this.#pipes.stderrDone;
    this.#stdoutDone = this.#pump();
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
    this.#ready = this.#readyWaiter.promise.finally(() =>
      clearTimeout(this.#readyTimer)
    );
    // Nobody may be waiting yet (a spare); the failure is kept for later.
    this.#ready.catch(() => {});
    // A parked launcher has not started anything yet: its time runs from go.
    if (!this.#parked) this.#startReadyTimer();
  }

  #startReadyTimer(): void {
    this.#readyTimer = setTimeout(
      () => this.#fail(readyTimeoutError(this.#readyTimeoutMs)),
      this.#readyTimeoutMs,
    );
  }

  /**
   * Starts a worker process.
   *
   * @param command the (confined) command line
   * @param options limits and timeouts
   * @returns the process; await {@linkcode WorkerProcess.ready} before a call
   * @throws {RpcError} SandboxUnavailable when the program cannot be started
   */
  static spawn(
    command: SandboxCommand,
    options: WorkerProcessOptions = {},
  ): WorkerProcess {
    try {
      return new WorkerProcess(command, options);
    } catch (error) {
      throw new RpcError(
        ErrorCode.SandboxUnavailable,
        `Cannot start a skill worker "${command.program}": ${
          (error as Error).message
        }`,
      );
    }
  }

  /** Resolves when the worker said `ready`; rejects when it failed first. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** Whether the launcher still waits, parked, for {@linkcode unpark}. */
  get parked(): boolean {
    return this.#parked && !this.#exited && !this.#failure;
  }

  /**
   * Starts a parked launcher's bubblewrap (see `Sandbox.command`'s
   * `parked`); the ready deadline runs from here. A no-op otherwise.
   */
  unpark(): void {
    if (!this.#parked) return;
    this.#parked = false;
    if (this.#failure || this.#exited) return;
    this.#pipes.go();
    this.#startReadyTimer();
  }

  /** Whether the worker said ready, has not served a call and still runs. */
  get idle(): boolean {
    return this.#state === "ready" && !this.#exited && !this.#failure;
  }

  /** Resolves with the exit status once the process has been reaped. */
  get exited(): Promise<Deno.CommandStatus> {
    return this.#status;
  }

  /**
   * Runs one call: sends it, serves its dispatches concurrently, and
   * resolves with the worker's result. The process is gone when this
   * settles.
   *
   * @param call what to run, with its id
   * @param options the dispatch handler and the wall-clock limit
   * @returns the worker's result (a tool error is a result, not a throw)
   * @throws {RpcError} Timeout, SkillFailed (protocol or crash) or SandboxUnavailable
   */
  async run(
    call: WorkerCall,
    options: WorkerRunOptions,
  ): Promise<WorkerResult> {
    const { handler, timeoutMs } = options;
    const callId = call.id;
    if (this.#state !== "starting" && this.#state !== "ready") {
      throw new TypeError("A worker serves exactly one call");
    }
    this.#callId = callId;
    this.unpark();
    this.#dispatches = new DispatchServer(
      handler,
      (line) => this.#lines.sendLine(line),
      () => this.#state === "running",
    );
    this.#result = Promise.withResolvers<WorkerResult>();
    this.#result.promise.catch(() => {});
    const timer = setTimeout(
      () => this.#fail(callTimeoutError(call, timeoutMs)),
      timeoutMs,
    );
    try {
      // A worker still starting gets its call now: the line waits in the
      // pipe and is read the moment the worker is ready, instead of after
      // its "ready" has reached this thread and the line has gone back
      // (a cold call's round trip). It is confined before it reads a byte.
      if (this.#state === "ready") this.#state = "running";
      void this.#lines.send(callLine(call));
      await this.#ready;
      this.#state = "running";
      const result = await this.#result.promise;
      this.#state = "done";
      clearTimeout(timer);
      // The caller gets the result now; the process (which exits right after
      // its result) is reaped in the background: waiting for the pid
      // namespace to tear down would add milliseconds to every call.
      // Nobody waits for its cgroup's removal: it may share a batch.
      const reaping = this.#finish(EXIT_GRACE_MS, true).finally(() =>
        REAPING.delete(reaping)
      );
      REAPING.add(reaping);
      return result;
    } catch (error) {
      this.#state = "done";
      clearTimeout(timer);
      const detailed = await this.#withExitDetail(error);
      await this.#finish();
      throw detailed;
    }
  }

  /** Resolves when every worker that answered has been reaped (for shutdown). */
  static reaped(): Promise<void> {
    return Promise.allSettled([...REAPING]).then(() => {});
  }

  /**
   * Stops the process and waits until it is reaped: closes its stdin (an
   * idle worker then exits by itself), and kills it after the grace time.
   *
   * @param graceMs how long to wait for a clean exit before SIGKILL
   */
  async kill(graceMs = 500): Promise<void> {
    this.#state = "done";
    this.#failure ??= new RpcError(
      ErrorCode.SkillFailed,
      "The worker was stopped",
    );
    this.#readyWaiter.reject(this.#failure);
    this.#result?.reject(this.#failure);
    await this.#finish(graceMs);
  }

  async #finish(graceMs = EXIT_GRACE_MS, lazy = false): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (!this.#exited) {
      this.#lines.close();
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([this.#status, grace]);
      clearTimeout(timer);
      if (!this.#exited) this.#signal("SIGKILL");
    }
    await this.#status;
    // Whatever the call left in its cgroup goes now; then the pipes end.
    await this.#release(lazy).catch(() => 0);
    this.#lines.close();
    await this.#pipesDone();
  }

  #pipesDone(): Promise<void> {
    return this.#pipes.done(
      [this.#stdoutDone, this.#stderrDone],
      EXIT_GRACE_MS,
    );
  }

  #signal(signal: Deno.Signal): void {
    try {
      // bwrap runs with --die-with-parent and unshares the pid namespace:
      // killing it takes its init and every process inside with it.
      this.#child.kill(signal);
    } catch {
      // Already exited.
    }
  }

  #fail(error: RpcError): void {
    if (this.#failure || this.#state === "done") return;
    this.#failure = error;
    this.#signal("SIGKILL");
    this.#dispatches?.drop();
    this.#readyWaiter.reject(error);
    this.#result?.reject(error);
  }

  async #pump(): Promise<void> {
    // Stopped before the pipe's end (a line read after the call failed: a
    // late `ready`, a result past its time; or a failed read): released
    // here, since nothing reads it again.
    let early = false;
    try {
      for await (const item of this.#lines.receive()) {
        if (item.kind === "message") this.#onMessage(item.value, item.chars);
        else this.#fail(lineError(item));
        if (this.#failure) {
          early = true;
          break;
        }
      }
    } catch (error) {
      early = true;
      // A large line past the call's budget, or its reader's failure.
      this.#fail(
        error instanceof RpcError
          ? error
          : protocolError(`Reading the worker failed: ${error}`),
      );
    }
    if (early) this.#pipes.stopWire();
    if (this.#state !== "done") this.#fail(exitedEarlyError(this.#state));
  }

  #onMessage(message: unknown, chars: number): void {
    const type = isObject(message) ? message.__type__ : undefined;
    if (this.#state === "starting" && type === "ready") {
      // Its call already sent (see run): the lines after "ready" are the call's.
      this.#state = this.#result === undefined ? "ready" : "running";
      this.#readyWaiter.resolve();
      return;
    }
    if (this.#state === "running" && isObject(message)) {
      if (type === "dispatch") return this.#onDispatch(message, chars);
      if (type === "result") return this.#onResult(message);
    }
    this.#fail(unexpectedMessage(this.#state, message));
  }

  #onResult(message: Record<string, unknown>): void {
    if (message.id !== this.#callId) {
      return this.#fail(wrongCallError(message.id, this.#callId));
    }
    this.#state = "done";
    this.#result?.resolve(readResult(message));
  }

  #onDispatch(message: Record<string, unknown>, chars: number): void {
    const { id, op } = message;
    if (typeof op !== "string") {
      return this.#fail(protocolError("Worker sent a dispatch without an op"));
    }
    const params = isObject(message.params) ? message.params : {};
    const refused = this.#dispatches!.take(id, op, params, chars);
    if (refused === undefined) return;
    this.#fail(dispatchLimitError(this.#callId, id, op, refused));
  }

  /** The last few KiB the worker wrote to stderr. */
  stderrTail(): string {
    return this.#stderr.text();
  }

  #withExitDetail(error: unknown): Promise<unknown> {
    return withExitDetail(error, {
      status: this.#status,
      graceMs: EXIT_GRACE_MS,
      kill: () => this.#signal("SIGKILL"),
      settle: async () => {
        await this.#release().catch(() => 0);
        await this.#pipesDone();
      },
      tail: () => this.stderrTail(),
    });
  }
}
