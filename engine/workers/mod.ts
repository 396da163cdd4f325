/**
 * Running one call: a fresh sandboxed Python worker per call (or a spare
 * that already loaded the SDK), the worker wire protocol, parameter checks,
 * limits and timeouts, and the graph write of the records a tool returns.
 * Calls `engine/sandbox`, `engine/broker` (the dispatch handler),
 * `engine/skills` (the catalog) and `engine/graph`.
 *
 * @module
 */
export { checkParams } from "./check_params.ts";
export {
  callerResult,
  type RecordWrite,
  returnedShape,
  writeRecords,
} from "./record_sink.ts";
export { SkillRunner } from "./skill_runner.ts";
export type { RunRequest, RunResult, SkillRunnerOptions } from "./run_types.ts";
export { moduleName } from "./call_serve.ts";
export { type CapabilityInvoker, MAX_CALL_DEPTH } from "./nested_call.ts";
export { SparePool, type SparePoolOptions } from "./spare_pool.ts";
export { MAX_WORKER_LINE_BYTES } from "./_dispatch_server.ts";
export {
  MAX_WORKER_OUTPUT_BYTES,
  MAX_WORKER_STDERR_BYTES,
} from "./_worker_pipes.ts";
export { WorkerProcess } from "./worker_process.ts";
export type {
  WorkerCall,
  WorkerProcessOptions,
  WorkerResult,
  WorkerRunOptions,
} from "./worker_types.ts";
