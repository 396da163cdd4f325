import { ErrorCode, RpcError } from "../errors.ts";
import { bwrapArgv, FILES_MOUNT, WORKER_ENV } from "./bwrap_argv.ts";
import { CgroupTree } from "./call_cgroup.ts";
import { hostTimeZone } from "./host_time_zone.ts";
import {
  type ProbeAttempt,
  probeConfinement,
  probeIdentities,
} from "./confinement_probe.ts";
import { type Confinement, containmentReport } from "./containment_report.ts";
import {
  LAUNCHER_SHELL,
  launcherCommand,
  SHARED_UID_NPROC,
} from "./launcher.ts";
import { writeSeccompFilters } from "./seccomp_files.ts";
import type {
  ProgramConfinement,
  SandboxCommand,
  SandboxOptions,
  WorkerMode,
} from "./sandbox_types.ts";

export type {
  ProgramConfinement,
  SandboxCommand,
  SandboxOptions,
  WorkerMode,
} from "./sandbox_types.ts";
import { inspectPython, type PythonRuntime } from "./python_runtime.ts";
import { DEFAULT_LIMITS, type ResourceLimits } from "./resource_limits.ts";
import {
  detectSandbox,
  type HostFacts,
  readHostFacts,
  type SandboxInfo,
} from "./sandbox_kind.ts";
import { SANDBOX_ID, type SandboxIdentity } from "./sandbox_identity.ts";
import { modeMounts, workerPythonArgs } from "./worker_args.ts";

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
  #identity: SandboxIdentity = "userns";
  #noFork = false;
  #seccomp = false;
  #filterPath = "";
  #programFilterPath = "";
  #programNetFilterPath = "";
  #cgroups: CgroupTree;
  #uid: number;
  #confinement: Confinement | undefined;
  #workerArgv: string[] | undefined;
  /** The host's `TZ`, read once (see `hostTimeZone`). */
  #timeZone = hostTimeZone();

  private constructor(
    info: SandboxInfo,
    options: SandboxOptions,
    runtime?: PythonRuntime,
    facts?: HostFacts,
  ) {
    this.kind = info.kind;
    this.detail = info.detail;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.#options = options;
    this.#runtime = runtime;
    this.#uid = options.uid ?? facts?.uid ?? NaN;
    this.#cgroups = options.cgroups ??
      CgroupTree.unavailable(
        facts ? "skills do not run in bubblewrap" : "cannot read /proc/self",
      );
  }

  /**
   * Finds the sandbox kind, describes the interpreter (byte-compiling the
   * SDK), writes the seccomp filter, and proves the confinement works by
   * starting one confined interpreter that reports what it finds.
   *
   * @param options interpreter, SDK directory and limits
   * @returns the sandbox; check `kind` before relying on it
   */
  static async open(options: SandboxOptions): Promise<Sandbox> {
    // Two independent process starts: run them side by side.
    const [info, runtime, facts] = await Promise.all([
      detectSandbox({ env: options.env, bwrap: options.bwrap }),
      inspectPython(options.python, options.sdkDir).catch((error: Error) =>
        error
      ),
      readHostFacts(LAUNCHER_SHELL).catch(() => undefined),
    ]);
    if (info.kind === "unavailable") return new Sandbox(info, options);
    if (runtime instanceof Error || facts === undefined) {
      return new Sandbox(
        {
          kind: "unavailable",
          detail: runtime instanceof Error
            ? runtime.message
            : `${LAUNCHER_SHELL} cannot run (it launches bubblewrap)`,
        },
        options,
      );
    }
    const cgroups = options.cgroups ??
      (info.kind === "bubblewrap"
        ? await CgroupTree.open({
          ...facts,
          warn: options.warn,
          python: runtime.executable,
        })
        : undefined);
    const sandbox = new Sandbox(info, { ...options, cgroups }, runtime, facts);
    const failure = await sandbox.#probe();
    if (failure !== undefined) {
      return new Sandbox(
        {
          kind: "unavailable",
          detail: info.kind === "bubblewrap"
            ? `bubblewrap is installed but cannot set up a sandbox here: ${failure}`
            : `the interpreter cannot be confined: ${failure}`,
        },
        { ...options, cgroups: sandbox.#cgroups },
      );
    }
    return sandbox;
  }

  /** Whether skills may run (sandboxed, or explicitly unsandboxed). */
  get usable(): boolean {
    return this.kind !== "unavailable";
  }

  /** For `engine.status` (and `agentos doctor`, which reads it). */
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
          userNamespace: this.#identity === "userns",
          processCreation: this.#noFork ? "refused (seccomp)" : "allowed",
          uid: this.#confinement.uid,
          containment: containmentReport(this.#confinement, {
            sandboxed: this.kind === "bubblewrap",
            identity: this.#identity,
            engineUid: this.#uid,
            cgroup: this.#cgroups.report(),
          }),
        }
        : {}),
      limits: this.limits,
    };
  }

  /**
   * The command that starts a confined interpreter, in a fresh cgroup
   * when the host has them. Call `release` once it has exited.
   *
   * @param mode what the interpreter is started for
   * @param limits limits to start with (default: the sandbox's)
   * @param options `parked`: the launcher joins its cgroup, sets its limits
   *   and waits for `LAUNCHER_GO` on stdin before it starts bubblewrap
   *   (bubblewrap only: elsewhere the command starts at once, and says so)
   * @returns program, arguments, environment, working directory, release
   * @throws {RpcError} SandboxUnavailable when skills cannot run here
   */
  command(
    mode: WorkerMode,
    limits: ResourceLimits = this.limits,
    options: { parked?: boolean } = {},
  ): SandboxCommand {
    this.assertUsable();
    const runtime = this.#runtime!;
    if (this.kind !== "bubblewrap") {
      return {
        program: this.#options.python,
        args: this.#pythonArgs(mode, limits, false),
        env: { ...WORKER_ENV },
        cwd: "/",
        paths: mode.kind === "script" ? mode.files : undefined,
        release: () => Promise.resolve(0),
      };
    }
    // Every call starts a worker with the default limits: build that once.
    let argv: string[];
    if (
      mode.kind === "worker" && !mode.packagesDir && limits === this.limits
    ) {
      this.#workerArgv ??= Object.freeze(
        this.#bwrap(mode, limits, runtime),
      ) as string[];
      argv = this.#workerArgv;
    } else argv = this.#bwrap(mode, limits, runtime);
    return {
      ...this.#launch(argv, limits, this.#filterPath, options.parked),
      paths: mode.kind === "script"
        ? mode.files.map((_, i) => `${FILES_MOUNT}/${i}.sqlite`)
        : undefined,
    };
  }

  /** bubblewrap's argv started by the launcher, in a fresh cgroup. */
  #launch(
    argv: string[],
    limits: ResourceLimits,
    filterPath: string,
    parked = false,
  ): SandboxCommand {
    const cgroup = this.#cgroups.create();
    return {
      ...launcherCommand({
        filterPath,
        limits,
        processes: this.#nproc(limits),
        cgroupDirs: cgroup?.dirs ?? [],
        argv,
        parked,
      }),
      parked,
      cwd: "/",
      release: (lazy) => cgroup?.release(lazy) ?? Promise.resolve(0),
    };
  }

  /**
   * The command that starts a program `shell.run` runs, confined like a
   * worker: bubblewrap's arguments come from `argv`, given how this engine
   * confines (identity, `setpriv`, the filter on fd 3); it starts inside a
   * fresh cgroup with these limits and the seccomp floor that allows new
   * processes (and, with `net`, IPv4/IPv6 sockets: the program's private
   * network namespace reaches out only through the engine's proxy). Call
   * `release` once it has exited.
   *
   * @param argv builds bubblewrap's arguments (without the program `bwrap`)
   * @param limits the program's limits (default: the sandbox's)
   * @param options `net`: the owner granted the program `--net`; `around`
   *   wraps bubblewrap's command line (a granted folder's stage): it gets
   *   `bwrap` and its arguments and returns what the launcher runs
   * @returns program, arguments, environment, working directory, release
   * @throws {RpcError} SandboxUnavailable unless programs run in bubblewrap here
   */
  programCommand(
    argv: (confinement: ProgramConfinement) => string[],
    limits: ResourceLimits = this.limits,
    options: {
      net?: boolean;
      around?: (bwrap: string[], confinement: ProgramConfinement) => string[];
    } = {},
  ): SandboxCommand {
    this.assertUsable();
    if (this.kind !== "bubblewrap") {
      throw new RpcError(
        ErrorCode.SandboxUnavailable,
        `Programs run only in bubblewrap, and skills here run without a sandbox (${this.detail})`,
      );
    }
    const confinement = {
      identity: this.#identity,
      setpriv: this.#options.setpriv,
      seccomp: this.#seccomp && this.#programFilterPath !== "",
      python: interpreterMounts(this.#runtime!),
    };
    const bwrap = [this.#options.bwrap ?? "bwrap", ...argv(confinement)];
    return this.#launch(
      options.around ? options.around(bwrap, confinement) : bwrap,
      limits,
      options.net ? this.#programNetFilterPath : this.#programFilterPath,
    );
  }

  /**
   * `RLIMIT_NPROC` of a sandboxed process. The kernel counts it over every
   * process and thread of the uid: under a root engine every worker is
   * nobody outside, so a per-call value refused threads host-wide past a
   * few dozen calls. There it is a host-wide ceiling, and the call's own
   * cap is its cgroup's `pids.max`; in a user namespace it counts the call.
   */
  #nproc(limits: ResourceLimits): number {
    return this.#identity === "setpriv" ? SHARED_UID_NPROC : limits.processes;
  }

  /** Kills what is left in every cgroup of the engine and removes them. */
  close(): Promise<void> {
    return this.#cgroups.close();
  }

  #pythonArgs(
    mode: WorkerMode,
    limits: ResourceLimits,
    sandboxed: boolean,
  ): string[] {
    // The worker lowers its own limits; RLIMIT_NPROC among them only where
    // it counts this call alone (see #nproc).
    return workerPythonArgs(
      mode,
      { ...limits, processes: this.#nproc(limits) },
      {
        sandboxed,
        sdkDir: this.#options.sdkDir,
        noFork: this.#noFork,
        // A root engine's worker becomes nobody itself (no setpriv exec).
        become: sandboxed && this.#identity === "setpriv"
          ? SANDBOX_ID
          : undefined,
      },
    );
  }

  #bwrap(
    mode: WorkerMode,
    limits: ResourceLimits,
    runtime: PythonRuntime,
  ): string[] {
    return [
      this.#options.bwrap ?? "bwrap",
      ...bwrapArgv({
        runtime,
        sdkDir: this.#options.sdkDir,
        identity: this.#identity,
        setpriv: this.#options.setpriv,
        tmpBytes: limits.tmpBytes,
        shmBytes: limits.shmBytes,
        seccomp: this.#seccomp,
        ...modeMounts(mode),
        pythonArgs: this.#pythonArgs(mode, limits, true),
        timeZone: this.#timeZone,
      }),
    ];
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
    const sandboxed = this.kind === "bubblewrap";
    if (sandboxed) {
      const files = await writeSeccompFilters(
        this.#runtime!.machine,
        this.#options.filterPath,
      );
      this.#seccomp = files.seccomp;
      this.#filterPath = files.filterPath;
      this.#programFilterPath = files.programFilterPath;
      this.#programNetFilterPath = files.programNetFilterPath;
    }
    // No process creation first; without it only where the worker's own
    // filter cannot be installed. engine.status reports which.
    const found = await probeConfinement(
      probeIdentities(sandboxed, this.#uid),
      (attempt) => this.#attempt(attempt),
    );
    if ("failure" in found) return found.failure;
    this.#confinement = found.confinement;
    return undefined;
  }

  /** Adopts a way of confining and builds the worker command it starts. */
  #attempt({ identity, noFork }: ProbeAttempt): SandboxCommand {
    this.#identity = identity;
    this.#noFork = noFork;
    return this.command({ kind: "worker" }, { ...this.limits });
  }
}

/** The interpreter and the host directories it runs from (outermost prefixes, its own directory). */
function interpreterMounts(
  runtime: PythonRuntime,
): { executable: string; dirs: string[] } {
  const inside = (path: string, dir: string) =>
    path === dir || path.startsWith(dir === "/" ? "/" : `${dir}/`);
  const dirs = runtime.prefixes.filter((prefix, _, all) =>
    !all.some((other) => other !== prefix && inside(prefix, other))
  );
  const { executable } = runtime;
  if (!dirs.some((dir) => inside(executable, dir))) {
    dirs.push(executable.slice(0, executable.lastIndexOf("/")));
  }
  return { executable, dirs };
}
