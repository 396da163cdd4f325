/**
 * The engine's front door for its clients (the CLI, the MCP proxy, the
 * bridge): where the home and its files are, how to launch the engine, its
 * version, the single-engine lock, the JSON-RPC client and line reader, the
 * logger, and the errors that cross the socket. Clients import the engine
 * through this file and the `mod.ts` of a subsystem (graph, shapes,
 * sandbox, audit), never a file behind them.
 *
 * @module
 */
export { ErrorCode, invalidParams, RpcError } from "./errors.ts";
// How a refused grant reads as `skills allow` takes it (the MCP proxy's prompts).
export { grantText } from "./grants/mod.ts";
export { isObject } from "./is_object.ts";
export { closest, didYouMean } from "./closest_word.ts";
export { ensureHome, type HomePaths, homePaths, resolveHome } from "./home.ts";
export {
  ENGINE_EXECUTABLE,
  type EngineLaunch,
  engineLaunch,
  isCompiled,
  PYTHON_SOURCE_DIR,
  pythonDir,
  type PythonDirOptions,
} from "./runtime_layout.ts";
export { VERSION } from "./version.ts";
export {
  EngineLock,
  EngineLockedError,
  readPidFile,
  type StaleState,
} from "./engine_lock.ts";
export {
  LevelLog,
  Logger,
  type LoggerOptions,
  type LogLevel,
} from "./logger.ts";
export { dirname, join, pathOf, relative, resolve } from "./paths.ts";
export {
  type CallOptions,
  type Line,
  readLines,
  RpcClient,
  type RpcClientOptions,
} from "./rpc/mod.ts";
