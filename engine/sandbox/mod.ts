/**
 * The skill sandbox: how a Python process is started confined (bubblewrap
 * namespaces and read-only binds, an unprivileged uid outside, the
 * engine's seccomp filter from the first instruction, resource limits set
 * before bubblewrap starts, a cgroup per process), or refused when no
 * sandbox can be set up. Imports `engine/errors.ts` only.
 *
 * @module
 */
export {
  type ProgramConfinement,
  Sandbox,
  type SandboxCommand,
  type SandboxOptions,
  type WorkerMode,
} from "./sandbox.ts";
export {
  DEFAULT_LIMITS,
  DEFAULT_TOOL_TIMEOUT_S,
  limitsSpec,
  MAX_TOOL_TIMEOUT_S,
  type ResourceLimits,
} from "./resource_limits.ts";
export {
  ancestors,
  bwrapArgv,
  type BwrapArgvOptions,
  FILES_MOUNT,
  PACKAGES_MOUNT,
  SDK_MOUNT,
  SECCOMP_FD,
  SKILL_MOUNT,
  WORKER_ENV,
} from "./bwrap_argv.ts";
export {
  identityFlags,
  SANDBOX_ID,
  type SandboxIdentity,
  SETPRIV_COMMAND,
  SETPRIV_MOUNT,
} from "./sandbox_identity.ts";
export {
  type HostPath,
  inspectPython,
  LIBRARY_PATHS,
  type PythonRuntime,
} from "./python_runtime.ts";
export {
  detectSandbox,
  type HostFacts,
  readHostFacts,
  type SandboxInfo,
} from "./sandbox_kind.ts";
export { CallCgroup, type CgroupReport, CgroupTree } from "./call_cgroup.ts";
export { seccompProgram } from "./seccomp_filter.ts";
export { LAUNCHER_GO, LAUNCHER_SHELL, launcherCommand } from "./launcher.ts";
export { spawnCommand } from "./spawn_command.ts";
