import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type { JsonLines } from "../rpc/mod.ts";
import type { SandboxCommand } from "../sandbox/mod.ts";
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
import {
  byteLength,
  DispatchServer,
  MAX_WORKER_LINE_BYTES,
} from "./_dispatch_server.ts";

/** Workers that answered and are being reaped in the background. */
const REAPING = new Set<Promise<void>>();

/** How long a worker may take to exit after its result before it is killed. */
const EXIT_GRACE_MS = 2000;

/** Characters of a call's printed output kept with its result. */
const MAX_OUTPUT_CHARS = 4000;

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
  #state: "starting" | "ready" | "running" | "done" = "starting";
  #stderr: StderrTail;
  #exited = false;
  #status: Promise<Deno.CommandStatus>;
  #stdoutDone: Promise<void>;
  #stderrDone: Promise<void>;
  #pipes: WorkerPipes;
  #release: () => Promise<number>;

  private constructor(
    command: SandboxCommand,
    options: WorkerProcessOptions,
  ) {
    this.#child = new Deno.Command(command.program, {
      args: command.args,
      env: command.env,
      cwd: command.cwd,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.#child.pid;
    this.#status = this.#child.status.then((status) => {
      this.#exited = true;
      return status;
    });
    this.#release = command.release;
    this.#pipes = new WorkerPipes(this.#child, {
      maxLineBytes: options.maxLineBytes ?? MAX_WORKER_LINE_BYTES,
      maxOutputBytes: options.maxOutputBytes ?? MAX_WORKER_OUTPUT_BYTES,
      maxStderrBytes: MAX_WORKER_STDERR_BYTES,
      fail: (error) => this.#fail(error),
    });
    this.#lines = this.#pipes.lines;
    this.#stderr = this.#pipes.stderr;
    this.#stderrDone = this.#pipes.stderrDone;
    this.#stdoutDone = this.#pump();
    const readyTimeout = options.readyTimeoutMs ?? 20_000;
    const timer = setTimeout(() =>
      this.#fail(
        new RpcError(
          ErrorCode.SandboxUnavailable,
          `Worker did not start within ${readyTimeout} ms`,
          { reason: "start" },
        ),
      ), readyTimeout);
    this.#ready = this.#readyWaiter.promise.finally(() => clearTimeout(timer));
    // Nobody may be waiting yet (a spare); the failure is kept for later.
    this.#ready.catch(() => {});
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
    this.#dispatches = new DispatchServer(
      handler,
      (reply) => this.#lines.send(reply),
      () => this.#state === "running",
    );
    this.#result = Promise.withResolvers<WorkerResult>();
    this.#result.promise.catch(() => {});
    const timer = setTimeout(() =>
      this.#fail(
        new RpcError(
          ErrorCode.Timeout,
          `Tool "${call.function}" of skill "${call.skill.id}" did not finish within ${
            timeoutMs / 1000
          } s; its process was killed`,
          { reason: "timeout", timeoutMs },
        ),
      ), timeoutMs);
    try {
      await this.#ready;
      this.#state = "running";
      const line = { __type__: "call", ...call };
      if (byteLength(line) > MAX_WORKER_LINE_BYTES) {
        throw new RpcError(
          ErrorCode.InvalidParams,
          `The call to "${call.function}" is larger than ${MAX_WORKER_LINE_BYTES} bytes`,
        );
      }
      void this.#lines.send(line);
      const result = await this.#result.promise;
      this.#state = "done";
      clearTimeout(timer);
      // The caller gets the result now; the process (which exits right after
      // its result) is reaped in the background: waiting for the pid
      // namespace to tear down would add milliseconds to every call.
      const reaping = this.#finish().finally(() => REAPING.delete(reaping));
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

  async #finish(graceMs = EXIT_GRACE_MS): Promise<void> {
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
    await this.#release().catch(() => 0);
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
    try {
      for await (const item of this.#lines.receive()) {
        if (item.kind === "oversized") {
          this.#fail(protocolError(
            `Worker sent a line of ${item.bytes} bytes, over the ${MAX_WORKER_LINE_BYTES} byte limit`,
          ));
        } else if (item.kind === "invalid") {
          this.#fail(protocolError(
            `Worker sent a line that is not JSON (${item.reason})`,
          ));
        } else this.#onMessage(item.value, item.chars);
        if (this.#failure) break;
      }
    } catch (error) {
      this.#fail(protocolError(`Reading the worker failed: ${error}`));
    }
    if (this.#state !== "done") {
      this.#fail(
        new RpcError(
          ErrorCode.SkillFailed,
          this.#state === "starting"
            ? "Worker exited before it was ready"
            : "Worker exited before answering",
          { reason: "crash" },
        ),
      );
    }
  }

  #onMessage(message: unknown, chars: number): void {
    const type = isObject(message) ? message.__type__ : undefined;
    if (this.#state === "starting" && type === "ready") {
      this.#state = "ready";
      this.#readyWaiter.resolve();
      return;
    }
    if (this.#state === "running" && isObject(message)) {
      if (type === "dispatch") return this.#onDispatch(message, chars);
      if (type === "result") {
        if (message.id !== this.#callId) {
          return this.#fail(protocolError(
            `Worker answered call ${
              JSON.stringify(message.id)
            }, expected "${this.#callId}"`,
          ));
        }
        this.#state = "done";
        // The last lines the skill printed (print() and stderr).
        const output = typeof message.output === "string"
          ? { output: message.output.slice(-MAX_OUTPUT_CHARS) }
          : {};
        const result: WorkerResult = message.ok === true
          ? { ok: true, value: message.value ?? null, ...output }
          : {
            ok: false,
            error: isObject(message.error)
              ? message.error
              : { type: "Error", message: String(message.error) },
            ...output,
          };
        this.#result?.resolve(result);
        return;
      }
    }
    this.#fail(protocolError(
      `Worker sent an unexpected message while ${this.#state}: ${
        JSON.stringify(message).slice(0, 200)
      }`,
    ));
  }

  #onDispatch(message: Record<string, unknown>, chars: number): void {
    const { id, op } = message;
    if (typeof op !== "string") {
      return this.#fail(protocolError("Worker sent a dispatch without an op"));
    }
    const params = isObject(message.params) ? message.params : {};
    const refused = this.#dispatches!.take(id, op, params, chars);
    if (refused === undefined) return;
    this.#fail(
      new RpcError(
        refused.scope === "the engine"
          ? ErrorCode.Overloaded
          : ErrorCode.SkillFailed,
        `Call "${this.#callId}" stopped at dispatch ${JSON.stringify(id)} (${
          op.slice(0, 100)
        }): ${refused.message}; a skill must await its dispatches rather than send them without end`,
        { reason: "dispatch_limit", scope: refused.scope },
      ),
    );
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

function protocolError(message: string): RpcError {
  return new RpcError(ErrorCode.SkillFailed, message, { reason: "protocol" });
}
