import { SANDBOX_ID, type SandboxIdentity } from "./sandbox_identity.ts";
import type { CgroupReport } from "./call_cgroup.ts";

/** What the start-up probe found inside a sandboxed interpreter. */
export interface Confinement {
  rlimits: Record<string, [number, number]>;
  fork: string;
  uid: number;
  gid: number;
  pid: number;
  seccomp: number;
  seccompFilters: number;
  noNewPrivs: boolean;
  capEff: string;
  tmpBytes: number | null;
  shmBytes: number | null;
  devBytes: number | null;
  rootBytes: number | null;
  machine: string;
  python: string;
}

/** How the engine set the sandbox up, beside what the probe found. */
export interface ContainmentSetup {
  /** Whether bubblewrap confines the interpreter at all. */
  sandboxed: boolean;
  /** How the sandbox's user is made. */
  identity: SandboxIdentity;
  /** The engine's own effective uid. */
  engineUid: number;
  /** The engine's cgroups. */
  cgroup: CgroupReport;
}

/**
 * Which layers of containment hold, for `engine.status` and `agentos
 * doctor`: measured from inside a confined interpreter at start-up (pid,
 * seccomp mode, capabilities, the size of each writable mount), not
 * assumed from the command line.
 *
 * @param found what the `--check` probe reported
 * @param setup how the engine set the sandbox up
 * @returns namespaces, identity, uid outside and inside, seccomp on pid 1,
 *   cgroup, tmpfs sizes and read-only mounts
 */
export function containmentReport(
  found: Confinement,
  setup: ContainmentSetup,
): Record<string, unknown> {
  const { sandboxed, identity } = setup;
  return {
    namespaces: sandboxed
      ? [
        "mount",
        "pid",
        "net",
        "ipc",
        "uts",
        "cgroup",
        ...(identity === "userns" ? ["user"] : []),
      ]
      : [],
    identity,
    uidOutside: !sandboxed
      ? found.uid
      : identity === "setpriv"
      ? SANDBOX_ID
      : setup.engineUid,
    uidInside: found.uid,
    seccompOnPid1: sandboxed && found.pid === 1 && found.seccomp === 2,
    seccompFilters: found.seccompFilters,
    noNewPrivs: found.noNewPrivs,
    capabilities: found.capEff,
    cgroup: setup.cgroup,
    tmpfs: { "/tmp": found.tmpBytes, "/dev/shm": found.shmBytes },
    readOnly: { "/": found.rootBytes === 0, "/dev": found.devBytes === 0 },
  };
}
