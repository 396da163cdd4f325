/**
 * The skill runtime: the registry of installed skills (discovered by
 * parsing their source in the sandbox), one fresh sandboxed worker process
 * per call with a pool of spares, the worker wire protocol, the brokered
 * ops (HTTP with egress checks and origin maps), graph writes of returned
 * records, capabilities with failover, and the `skills.*`, `capability.*`
 * and `prefs.*` methods. Calls `engine/sandbox`, `engine/graph` (writes
 * through its store and record writer) and `engine/rpc`.
 *
 * @module
 */
export {
  BUNDLED_SKILLS_DIR,
  DEFAULT_SPARE_WORKERS,
  openSkills,
  type SkillsOptions,
  type SkillsService,
} from "./skills_service.ts";
export {
  type Attempt,
  CapabilityBroker,
  type InvokeResult,
  paramsSchema,
  type Provider,
  providerFault,
} from "./capability_broker.ts";
export {
  checkEgress,
  type EgressPolicy,
  egressPolicy,
  OPEN_WEB,
} from "./egress.ts";
export {
  HttpBroker,
  type HttpBrokerOptions,
  type HttpRequester,
  type HttpRequestOptions,
  type HttpResponse,
  MAX_REDIRECTS,
  MAX_RESPONSE_BYTES,
} from "./http_broker.ts";
export {
  mapOrigin,
  type OriginMap,
  parseOriginMap,
  unmapOrigin,
} from "./origin_map.ts";
export {
  type DispatchHandler,
  MAX_WORKER_LINE_BYTES,
  type WorkerCall,
  WorkerProcess,
  type WorkerProcessOptions,
  type WorkerResult,
  type WorkerRunOptions,
} from "./worker_process.ts";
export { SparePool, type SparePoolOptions } from "./spare_pool.ts";
export { SettingsStore } from "./settings_store.ts";
export {
  findTool,
  SKILL_ID_PATTERN,
  type SkillEntry,
  SkillRegistry,
} from "./skill_registry.ts";
export type {
  ConnectionInfo,
  Discovery,
  ParamInfo,
  Problem,
  SkillFiles,
  ToolInfo,
} from "./skill_discovery.ts";
export { readSkillDir } from "./skill_discovery.ts";
export {
  checkParams,
  moduleName,
  type RunRequest,
  type RunResult,
  SkillRunner,
} from "./skill_runner.ts";
export {
  callerResult,
  type RecordCounts,
  type RecordWrite,
  returnedShape,
  writeRecords,
} from "./record_sink.ts";
