import { ErrorCode, RpcError } from "../errors.ts";
import {
  bwrapArgv,
  PACKAGES_MOUNT,
  SDK_MOUNT,
  SKILL_MOUNT,
  WORKER_ENV,
} from "./bwrap_argv.ts";
import { inspectPython, type PythonRuntime } from "./python_runtime.ts";
import {
  DEFAULT_LIMITS,
  limitsSpec,
  type ResourceLimits,
} from "./resource_limits.ts";
import { detectSandbox, type SandboxInfo } from "./sandbox_kind.ts";

/** What a sandboxed Python process is started for. */
export type WorkerMode =
  /**
   * Serve one tool call over the wire protocol; `packagesDir`, a skill's
   * installed packages, is bound read-only at `/packages` and put on its path.
   */
  | { kind: "worker"; packagesDir?: string }
  /** Describe a skill whose sources arrive on stdin. */
  | { kind: "discover" }
  /** Read and describe a skill directory of the host (bound at `/skill`). */
  | { kind: "read-dir"; dir: string };

/** A ready-to-spawn command line. */
export interface SandboxCommand {
  program: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** Options for {@linkcode Sandbox.open}. */
export interface SandboxOptions {
  /** The interpreter (`AGENTOS_PYTHON`). */
  python: string;
  /** Host path of `python/` (the SDK and `worker_main.py`). */
  sdkDir: string;
  /** Limits every worker starts with. */
  limits?: ResourceLimits;
  /** Reads an environment variable (a seam for tests). */
  env?: (name: string) => string | undefined;
  /** The bubblewrap program. */
  bwrap?: string;
}

/** What the start-up probe found inside a sandboxed interpreter. */
interface Confinement {
  rlimits: Record<string, [number, number]>;
  fork: string;
  uid: number;
  machine: string;
  python: string;
}

/**
 * How skill workers are confined on this machine, found once at engine
 * start: bubblewrap (probed by actually starting a confined interpreter),
 * `none` when the owner opted out with `AGENTOS_SANDBOX=none`, or
 * `unavailable`, in which case every skill run is refused with an error
 * that names the missing package.
 */
export class Sandbox {
  /** `bubblewrap`, `none` or `unavailable`. */
  readonly kind: SandboxInfo["kind"];
  /** Version or reason. */
  readonly detail: string;
  /** Limits every worker starts with. */
  readonly limits: ResourceLimits;
  #options: SandboxOptions;
  #runtime: PythonRuntime | undefined;
  #userNamespace = false;
  #noFork = false;
  #confinement: Confinement | undefined;
  #workerCommand: SandboxCommand | undefined;

  private constructor(
    info: SandboxInfo,
    options: SandboxOptions,
    runtime?: PythonRuntime,
  ) {
    this.kind = info.kind;
    this.detail = info.detail;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.#options = options;
    this.#runtime = runtime;
  }

  /**
   * Finds the sandbox kind, describes the interpreter (byte-compiling the
   * SDK), and proves the confinement works by starting one confined
   * interpreter that reports its limits.
   *
   * @param options interpreter, SDK directory and limits
   * @returns the sandbox; check `kind` before relying on it
   */
  static async open(options: SandboxOptions): Promise<Sandbox> {
    // Two independent process starts: run them side by side.
    const [info, runtime] = await Promise.all([
      detectSandbox({ env: options.env, bwrap: options.bwrap }),
      inspectPython(options.python, options.sdkDir).catch((error: Error) =>
        error
      ),
    ]);
    if (info.kind === "unavailable") return new Sandbox(info, options);
    if (runtime instanceof Error) {
      return new Sandbox(
        { kind: "unavailable", detail: runtime.message },
        options,
      );
    }
    const sandbox = new Sandbox(info, options, runtime);
    const failure = await sandbox.#probe();
    if (failure !== undefined) {
      return new Sandbox(
        {
          kind: "unavailable",
          detail: info.kind === "bubblewrap"
            ? `bubblewrap is installed but cannot set up a sandbox here: ${failure}`
            : `the interpreter cannot be confined: ${failure}`,
        },
        options,
      );
    }
    return sandbox;
  }

  /** Whether skills may run (sandboxed, or explicitly unsandboxed). */
  get usable(): boolean {
    return this.kind !== "unavailable";
  }

  /** For `engine.status`. */
  status(): Record<string, unknown> {
    return {
      kind: this.kind,
      detail: this.detail,
      ...(this.#runtime
        ? {
          python: this.#runtime.version,
          executable: this.#runtime.executable,
        }
        : {}),
      ...(this.#confinement
        ? {
          userNamespace: this.#userNamespace,
          processCreation: this.#noFork ? "refused (seccomp)" : "allowed",
          uid: this.#confinement.uid,
        }
        : {}),
      limits: this.limits,
    };
  }

  /**
   * The command that starts a confined interpreter.
   *
   * @param mode what the interpreter is started for
   * @param limits limits to start with (default: the sandbox's)
   * @returns program, arguments, environment and working directory
   * @throws {RpcError} SandboxUnavailable when skills cannot run here
   */
  command(
    mode: WorkerMode,
    limits: ResourceLimits = this.limits,
  ): SandboxCommand {
    this.assertUsable();
    // Every call starts a worker with the default limits: build that once.
    if (
      mode.kind === "worker" && !mode.packagesDir && limits === this.limits
    ) {
      this.#workerCommand ??= frozen(this.#build(mode, limits));
      return this.#workerCommand;
    }
    return this.#build(mode, limits);
  }

  #build(mode: WorkerMode, limits: ResourceLimits): SandboxCommand {
    const runtime = this.#runtime!;
    const sandboxed = this.kind === "bubblewrap";
    const sdk = sandboxed ? SDK_MOUNT : this.#options.sdkDir;
    const pythonArgs = ["-I", "-S", "-B", `${sdk}/worker_main.py`];
    pythonArgs.push("--limits", limitsSpec(limits));
    if (this.#noFork) pythonArgs.push("--no-fork");
    if (mode.kind === "discover") pythonArgs.push("--discover");
    if (mode.kind === "read-dir") {
      pythonArgs.push("--read-dir", sandboxed ? SKILL_MOUNT : mode.dir);
    }
    const packagesDir = mode.kind === "worker" ? mode.packagesDir : undefined;
    if (packagesDir) {
      pythonArgs.push("--packages", sandboxed ? PACKAGES_MOUNT : packagesDir);
    }
    if (!sandboxed) {
      return {
        program: this.#options.python,
        args: pythonArgs,
        env: { ...WORKER_ENV },
        cwd: "/",
      };
    }
    return {
      program: this.#options.bwrap ?? "bwrap",
      args: bwrapArgv({
        runtime,
        sdkDir: this.#options.sdkDir,
        userNamespace: this.#userNamespace,
        tmpBytes: limits.tmpBytes,
        skillDir: mode.kind === "read-dir" ? mode.dir : undefined,
        packagesDir,
        pythonArgs,
      }),
      env: {},
      cwd: "/",
    };
  }

  /**
   * Throws unless skills can run here.
   *
   * @throws {RpcError} SandboxUnavailable naming the missing package
   */
  assertUsable(): void {
    if (this.kind === "unavailable" || this.#runtime === undefined) {
      throw new RpcError(
        ErrorCode.SandboxUnavailable,
        `Skills cannot run: ${this.detail}. Install the "bubblewrap" package (Debian/Ubuntu: apt-get install bubblewrap), or set AGENTOS_SANDBOX=none to run skills without a sandbox`,
        { sandbox: this.kind, package: "bubblewrap" },
      );
    }
  }

  /** Starts `--check` confined; returns why it failed, or undefined. */
  async #probe(): Promise<string | undefined> {
    // Most confinement first: a user namespace (run as nobody, no
    // capabilities) and no process creation; fall back only where the host
    // cannot do one of them, and report which in engine.status.
    const attempts: [boolean, boolean][] = this.kind === "bubblewrap"
      ? [[true, true], [false, true], [true, false], [false, false]]
      : [[false, true], [false, false]];
    let reason = "";
    for (const [userNamespace, noFork] of attempts) {
      this.#userNamespace = userNamespace;
      this.#noFork = noFork;
      // #build, not command(): command() keeps the first worker command.
      const { program, args, env, cwd } = this.#build(
        { kind: "worker" },
        this.limits,
      );
      const checkArgs = [...args, "--check"];
      const result = await new Deno.Command(program, {
        args: checkArgs,
        env,
        cwd,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output().catch((error: Error) => error);
      if (result instanceof Error) return result.message;
      if (result.success) {
        this.#confinement = JSON.parse(new TextDecoder().decode(result.stdout));
        return undefined;
      }
      reason = new TextDecoder().decode(result.stderr).trim().slice(-400) ||
        `exit code ${result.code}`;
    }
    return reason;
  }
}

function frozen(command: SandboxCommand): SandboxCommand {
  Object.freeze(command.args);
  Object.freeze(command.env);
  return Object.freeze(command);
}
