/**
 * The skill sandbox: how a Python worker is started confined (bubblewrap
 * namespaces and read-only binds, resource limits and a no-fork seccomp
 * filter applied by the worker itself), or refused when no sandbox can be
 * set up. Calls no other subsystem (its errors come from `engine/errors.ts`).
 *
 * @module
 */
export {
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
  bwrapArgv,
  type BwrapArgvOptions,
  PACKAGES_MOUNT,
  SANDBOX_ID,
  SDK_MOUNT,
  SKILL_MOUNT,
  WORKER_ENV,
} from "./bwrap_argv.ts";
export {
  type HostPath,
  inspectPython,
  LIBRARY_PATHS,
  type PythonRuntime,
} from "./python_runtime.ts";
export { detectSandbox, type SandboxInfo } from "./sandbox_kind.ts";
