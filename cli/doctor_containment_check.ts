import type { CheckResult } from "./doctor_check.ts";

type Json = Record<string, unknown>;

function mib(bytes: unknown): string {
  return typeof bytes === "number" ? `${bytes / 1024 / 1024} MiB` : "unsized";
}

/**
 * The `containment` check: which layers hold for the running engine's
 * calls, as its start-up probe measured them from inside a confined
 * interpreter (`engine.status` → `sandbox.containment`): namespaces,
 * seccomp on pid 1, the uid outside, the cgroup kind and the tmpfs caps.
 *
 * @param status the engine's status, or undefined when it does not run
 * @returns ok when every layer holds; warn without cgroups (the floor of
 *   rlimits and seccomp remains); fail when seccomp is off pid 1 or the
 *   workers are root outside
 */
export function checkContainment(status: Json | undefined): CheckResult {
  const sandbox = status?.sandbox as Json | undefined;
  const found = sandbox?.containment as Json | undefined;
  if (found === undefined) {
    return {
      name: "containment",
      status: "skip",
      detail: status === undefined
        ? "the engine is not running: start it to see which layers hold"
        : `skills do not run sandboxed here (${sandbox?.kind ?? "unknown"})`,
    };
  }
  const cgroup = found.cgroup as Json;
  const tmpfs = found.tmpfs as Json;
  const readOnly = found.readOnly as Json;
  const detail = [
    `namespaces ${(found.namespaces as string[]).join(",")}`,
    found.seccompOnPid1 ? "seccomp on pid 1" : "seccomp NOT on pid 1",
    `uid ${found.uidOutside} outside (${found.identity})`,
    cgroup.kind === "none" ? "no cgroup" : `cgroup ${cgroup.kind}`,
    `/tmp ${mib(tmpfs["/tmp"])}, /dev/shm ${mib(tmpfs["/dev/shm"])}`,
    `${
      Object.entries(readOnly).filter(([, ro]) => ro).map(([p]) => p).join(
        " and ",
      )
    } read-only`,
  ].join("; ");
  if (!found.seccompOnPid1 || found.uidOutside === 0) {
    return {
      name: "containment",
      status: "fail",
      detail,
      hint: "report this: a skill call is not fully confined here",
    };
  }
  if (cgroup.kind === "none") {
    return {
      name: "containment",
      status: "warn",
      detail: `${detail} (${cgroup.detail})`,
      hint:
        "calls keep the rlimit + seccomp floor; give the engine a writable cgroup v1 pids/memory/cpu tree (run it as root or delegate one) for per-call caps",
    };
  }
  return { name: "containment", status: "ok", detail };
}
