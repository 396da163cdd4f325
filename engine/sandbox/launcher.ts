import type { ResourceLimits } from "./resource_limits.ts";
import { SECCOMP_FD } from "./bwrap_argv.ts";

/** The shell that launches bubblewrap (dash or another POSIX `sh`). */
export const LAUNCHER_SHELL = "/bin/sh";

/**
 * `RLIMIT_NPROC` when every worker shares one uid outside (root engine):
 * the kernel counts it over all processes of that uid on the host, so it
 * is a host-wide ceiling there; the per-call cap is the cgroup's
 * `pids.max`. With a user namespace the count is per namespace.
 */
export const SHARED_UID_NPROC = 4096;

/** CPU a call may use: one core (`cpu.cfs_quota_us` over a 100 ms period). */
export const CPU_QUOTA_US = 100_000;

// Fixed text: every value arrives as a positional parameter or in the
// environment, never interpolated. $1 the seccomp filter, $2 how many
// cgroup directories follow (0, or 3: pids, memory, cpu), then those, then
// bubblewrap's argv. The engine's cgroup keeper has made the call's
// cgroups ahead of need; the shell (builtins only: no process start) sets
// their limits and joins them (its pid becomes bubblewrap's). Only when
// they are missing (the stock ran out, or the tree was removed under the
// engine) does it make them itself, tree included. Then it sets the
// rlimits, opens the filter on fd 3 and becomes bubblewrap: every process
// of the call, bubblewrap's own included, starts inside all of it. Without
// -H or -S, ulimit sets the soft and the hard limit (dash, bash, busybox);
// the processes flag is -u except in dash (-p). A parked launcher
// (AGENTOS_PARKED) stops there, in its cgroups with every limit set, until
// the engine writes "go" on its stdin (the shell's read takes no byte past
// the line); at the end of input, or on any other word, it leaves without
// starting anything. Joining a cgroup waits for a grace period of the
// kernel's RCU (5–10 ms on a busy host under cgroup v1): parked ahead of a
// cold call, that wait and the shell's own start are off the call's path.
const SCRIPT = `fail() { echo "agentos sandbox: $*" >&2; exit 71; }
filter=$1; n=$2; shift 2
if [ "$n" -eq 3 ]; then
  if [ ! -d "$1" ] || [ ! -d "$2" ] || [ ! -d "$3" ]; then
    mkdir -p "$1" "$2" "$3" || fail "cannot make the call's cgroups under \${1%/*}"
  fi
  echo "$AGENTOS_PIDS_MAX" >"$1/pids.max" || fail "cannot set pids.max"
  echo "$AGENTOS_MEMORY_MAX" >"$2/memory.limit_in_bytes" || fail "cannot set the memory limit"
  if [ -e "$2/memory.memsw.limit_in_bytes" ]; then
    echo "$AGENTOS_MEMORY_MAX" >"$2/memory.memsw.limit_in_bytes" || fail "cannot set the swap limit"
  fi
  echo "$AGENTOS_CPU_QUOTA" >"$3/cpu.cfs_quota_us" || fail "cannot set the CPU quota"
  for dir in "$1" "$2" "$3"; do echo $$ >"$dir/cgroup.procs" || fail "cannot join $dir"; done
  shift 3
fi
limit() { ulimit "$1" "$2" || fail "cannot set ulimit $1 $2"; }
limit -t "$AGENTOS_CPU"; limit -v "$AGENTOS_AS_KIB"; limit -f "$AGENTOS_FSIZE_BLOCKS"
limit -n "$AGENTOS_NOFILE"
if ulimit -u >/dev/null 2>&1; then limit -u "$AGENTOS_NPROC"; else limit -p "$AGENTOS_NPROC"; fi
if [ -n "$AGENTOS_PARKED" ]; then IFS= read -r go && [ "$go" = go ] || exit 0; fi
exec "$@" ${SECCOMP_FD}<"$filter"
`;

/** Options for {@linkcode launcherCommand}. */
export interface LauncherOptions {
  /** The compiled seccomp filter file. */
  filterPath: string;
  /** The limits to set as hard limits. */
  limits: ResourceLimits;
  /** `RLIMIT_NPROC` (see {@linkcode SHARED_UID_NPROC}). */
  processes: number;
  /** The call's cgroup directories to join (made if missing): pids, memory, cpu. */
  cgroupDirs: string[];
  /** bubblewrap and its arguments. */
  argv: string[];
  /**
   * Wait, joined and limited, for {@linkcode LAUNCHER_GO} on stdin before
   * starting bubblewrap.
   */
  parked?: boolean;
}

/** What a parked launcher waits for on its stdin before it starts bubblewrap. */
export const LAUNCHER_GO = "go\n";

/**
 * The command that starts bubblewrap with the filter on fd 3, inside the
 * call's cgroups and resource limits. Deno cannot hand a child an extra
 * descriptor or set limits on it, and refuses /sys to anything short of
 * --allow-all, so a POSIX shell does it all, then executes bubblewrap in
 * its place.
 *
 * The limits travel in the environment of the shell only: bubblewrap
 * clears it (`--clearenv`) before the sandbox starts.
 *
 * @param options filter, limits, cgroups and bubblewrap's argv
 * @returns program, arguments and environment
 */
export function launcherCommand(
  options: LauncherOptions,
): { program: string; args: string[]; env: Record<string, string> } {
  const { limits } = options;
  return {
    program: LAUNCHER_SHELL,
    args: [
      "-c",
      SCRIPT,
      "agentos-sandbox",
      options.filterPath,
      String(options.cgroupDirs.length),
      ...options.cgroupDirs,
      ...options.argv,
    ],
    env: {
      PATH: "/usr/bin:/bin",
      AGENTOS_CPU: String(Math.ceil(limits.cpuSeconds)),
      AGENTOS_AS_KIB: String(Math.floor(limits.memoryBytes / 1024)),
      // ulimit -f counts 512-byte blocks.
      AGENTOS_FSIZE_BLOCKS: String(Math.floor(limits.fileBytes / 512)),
      AGENTOS_NOFILE: String(limits.openFiles),
      AGENTOS_NPROC: String(options.processes),
      AGENTOS_PIDS_MAX: String(limits.processes),
      AGENTOS_MEMORY_MAX: String(limits.memoryBytes),
      AGENTOS_CPU_QUOTA: String(CPU_QUOTA_US),
      ...(options.parked ? { AGENTOS_PARKED: "1" } : {}),
    },
  };
}
