/**
 * What a {@linkcode WorkerMode} asks of the interpreter (its arguments)
 * and of bubblewrap (which host paths it binds), the same for every
 * sandbox on this machine.
 *
 * @module
 */
import {
  type BwrapArgvOptions,
  PACKAGES_MOUNT,
  SDK_MOUNT,
  SKILL_MOUNT,
} from "./bwrap_argv.ts";
import { limitsSpec, type ResourceLimits } from "./resource_limits.ts";
import type { WorkerMode } from "./sandbox_types.ts";

/** Where the interpreter runs, for the paths its arguments name. */
export interface WorkerPlace {
  /** In bubblewrap: paths are the mount points, not the host's. */
  sandboxed: boolean;
  /** Host path of `python/`. */
  sdkDir: string;
  /** Pass `--no-fork` (the worker installs its own no-process filter). */
  noFork: boolean;
}

/**
 * The interpreter's arguments for a mode.
 *
 * @param mode what the interpreter is started for
 * @param limits the limits the worker applies to itself
 * @param place sandboxed or not, the SDK, `--no-fork`
 * @returns the arguments after the interpreter
 */
export function workerPythonArgs(
  mode: WorkerMode,
  limits: ResourceLimits,
  place: WorkerPlace,
): string[] {
  if (mode.kind === "script") return ["-I", "-S", "-c", mode.source];
  const { sandboxed } = place;
  const sdk = sandboxed ? SDK_MOUNT : place.sdkDir;
  const pythonArgs = ["-I", "-S", "-B", `${sdk}/worker_main.py`];
  pythonArgs.push("--limits", limitsSpec(limits));
  if (place.noFork) pythonArgs.push("--no-fork");
  if (mode.kind === "discover") pythonArgs.push("--discover");
  if (mode.kind === "read-dir") {
    pythonArgs.push("--read-dir", sandboxed ? SKILL_MOUNT : mode.dir);
  }
  const packagesDir = mode.kind === "worker" ? mode.packagesDir : undefined;
  if (packagesDir) {
    pythonArgs.push("--packages", sandboxed ? PACKAGES_MOUNT : packagesDir);
  }
  return pythonArgs;
}

/**
 * The host paths a mode binds into the sandbox, and whether its script
 * keeps the read capability.
 *
 * @param mode what the interpreter is started for
 * @returns the mode's part of {@linkcode BwrapArgvOptions}
 */
export function modeMounts(
  mode: WorkerMode,
): Pick<
  BwrapArgvOptions,
  | "skillDir"
  | "packagesDir"
  | "files"
  | "views"
  | "tryViews"
  | "readCapability"
> {
  return {
    skillDir: mode.kind === "read-dir" ? mode.dir : undefined,
    packagesDir: mode.kind === "worker" ? mode.packagesDir : undefined,
    files: mode.kind === "script" ? mode.files : undefined,
    views: mode.kind === "script" ? mode.views : undefined,
    tryViews: mode.kind === "script" ? mode.tryViews : undefined,
    readCapability: mode.kind === "script" && mode.readAny === true,
  };
}
