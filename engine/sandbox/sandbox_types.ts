/**
 * The shapes the sandbox is driven with: what a confined process is
 * started for, the command that starts it, and the sandbox's options.
 *
 * @module
 */
import type { SandboxIdentity } from "./sandbox_identity.ts";
import type { CgroupTree } from "./call_cgroup.ts";
import type { ResourceLimits } from "./resource_limits.ts";

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
  | { kind: "read-dir"; dir: string }
  /**
   * Run a fixed engine script (`python -c`) with host files bound read-only
   * (the SQL runner's databases; their paths inside are the command's
   * `paths`). With `readAny`, a root engine's script may open files only
   * root may read: it keeps `CAP_DAC_READ_SEARCH` and must drop it before
   * it reads untrusted input. `views`: host files or folders bound
   * read-only at their own paths (`--read` grants), which the script
   * resolves names in itself; `tryViews` likewise, bound only when they
   * exist on the host (a host probe's program directories).
   */
  | {
    kind: "script";
    source: string;
    files: string[];
    views?: string[];
    tryViews?: string[];
    readAny?: boolean;
  };

/** How this engine confines a program (for its bubblewrap arguments). */
export interface ProgramConfinement {
  identity: SandboxIdentity;
  /** Host path of `setpriv` (identity `setpriv`). */
  setpriv?: string;
  /** Whether the launcher opens a seccomp filter on fd 3. */
  seccomp: boolean;
  /**
   * The engine's interpreter and the host directories it needs, bound
   * read-only (a `--net` program's proxy forwarder is Python).
   */
  python?: { executable: string; dirs: string[] };
}

/** A ready-to-spawn command line, with its cgroup. */
export interface SandboxCommand {
  program: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /**
   * The launcher waits for `LAUNCHER_GO` on stdin, in its cgroup with its
   * limits set, before it starts bubblewrap (`Sandbox.command`'s `parked`).
   */
  parked?: boolean;
  /** A `script`'s files as it sees them (bound paths, or the host's). */
  paths?: string[];
  /**
   * Call once the process has exited (or to end it): kills whatever is
   * left in its cgroup and removes the cgroup. Resolves with how many
   * processes were left. A no-op without a cgroup.
   */
  release: () => Promise<number>;
}

/** Options for `Sandbox.open`. */
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
  /** `setpriv` (util-linux), run inside the sandbox by a root engine. */
  setpriv?: string;
  /** Where the compiled seccomp filter is written (default: a temp file). */
  filterPath?: string;
  /** The engine's cgroups (default: `CgroupTree.open`). */
  cgroups?: CgroupTree;
  /** Where the cgroup tree's warnings go (the engine's log). */
  warn?: (message: string, fields: Record<string, unknown>) => void;
  /** The engine's effective uid (default: read from `/proc/self/status`). */
  uid?: number;
}
