/**
 * Resource limits of one sandboxed process. The launcher sets the rlimits
 * as soft = hard limits before it executes bubblewrap (so they hold for
 * every process of the sandbox, bubblewrap's own included), the cgroup
 * caps processes, memory (tmpfs and shared memory included) and CPU where
 * the host has cgroups, and the two tmpfs mounts have their own sizes.
 */
export interface ResourceLimits {
  /** CPU seconds (`RLIMIT_CPU`); a worker past it dies of SIGXCPU. */
  cpuSeconds: number;
  /** Address space in bytes (`RLIMIT_AS`). */
  memoryBytes: number;
  /** Processes and threads of the sandbox's user (`RLIMIT_NPROC`). */
  processes: number;
  /** Largest file the worker may write, in bytes (`RLIMIT_FSIZE`). */
  fileBytes: number;
  /** Open file descriptors (`RLIMIT_NOFILE`). */
  openFiles: number;
  /** Size of the private `/tmp` (a tmpfs), in bytes. */
  tmpBytes: number;
  /** Size of `/dev/shm` (a tmpfs), in bytes. */
  shmBytes: number;
}

/** Longest `@timeout` honoured, in seconds. */
export const MAX_TOOL_TIMEOUT_S = 600;

/** The tool time limit when a tool declares no `@timeout`. */
export const DEFAULT_TOOL_TIMEOUT_S = 30;

/**
 * The limits a worker starts with. CPU is a ceiling: a spare worker does not
 * know its tool yet, so the `call` lowers it to the tool's own timeout.
 */
export const DEFAULT_LIMITS: Readonly<ResourceLimits> = Object.freeze({
  cpuSeconds: MAX_TOOL_TIMEOUT_S + 5,
  memoryBytes: 1024 * 1024 * 1024,
  processes: 64,
  fileBytes: 64 * 1024 * 1024,
  openFiles: 256,
  tmpBytes: 64 * 1024 * 1024,
  shmBytes: 16 * 1024 * 1024,
});

/**
 * The `--limits` argument of `worker_main.py`.
 *
 * @param limits the limits
 * @returns e.g. `cpu=605,as=1073741824,nproc=64,fsize=67108864,nofile=256`
 */
export function limitsSpec(limits: ResourceLimits): string {
  return [
    `cpu=${Math.ceil(limits.cpuSeconds)}`,
    `as=${limits.memoryBytes}`,
    `nproc=${limits.processes}`,
    `fsize=${limits.fileBytes}`,
    `nofile=${limits.openFiles}`,
  ].join(",");
}
