/**
 * The `shell.run` op: programs the owner granted (`agentos skills allow
 * <skill> --run git`), named by the skill or by their full path in the
 * program directories, each run under
 * its own bubblewrap profile with an argv array (no shell), a working
 * directory inside the granted one, output caps and a timeout. Calls
 * `engine/skills` (the grants) and `../credentials` (placeholders).
 *
 * @module
 */
export { DEFAULT_PROGRAM_TIMEOUT_S } from "./shell_params.ts";
export {
  ShellBroker,
  type ShellBrokerOptions,
  type ShellCaller,
  type ShellResult,
} from "./serve_shell.ts";
export { PROGRAM_ENV, shellArgv, type ShellArgvOptions } from "./shell_argv.ts";
export {
  MAX_PROGRAM_OUTPUT,
  type ProgramResult,
  type ProgramSpawn,
  runProgram,
} from "./program_run.ts";
