/**
 * The skill runtime: the registry of installed skills (discovered by
 * parsing their source in the sandbox), one fresh sandboxed worker process
 * per call with a pool of spares, the worker wire protocol, the brokered
 * ops (HTTP with egress checks, owner grants, address checks after DNS
 * and origin maps; masked credentials; `secrets.read`; read-only
 * `sql.query`; nested `capability.call`), record and replay, graph writes
 * of returned records, capabilities with failover, and the `skills.*`,
 * `capability.*` and `prefs.*` methods. Calls `engine/sandbox`,
 * `engine/graph` (writes through its store and record writer),
 * `engine/audit` (its entry type) and `engine/rpc`; receives the vault
 * and the audit log from `start_engine`.
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
  type InvokeOptions,
  type InvokeResult,
  paramsSchema,
  type Provider,
  providerFault,
} from "./capability_broker.ts";
export {
  bundledGrantDefaults,
  checkEgress,
  type EgressDecision,
  type EgressPolicy,
  egressPolicy,
  type EgressSubject,
  OPEN_WEB,
} from "./egress.ts";
export {
  HttpBroker,
  type HttpBrokerOptions,
  type HttpRequester,
  type HttpRequestOptions,
  type HttpResponse,
  type HttpTrace,
  MAX_REDIRECTS,
  MAX_RESPONSE_BYTES,
} from "./http_broker.ts";
export {
  addressKind,
  checkAddress,
  type CheckedAddress,
  type Resolver,
  resolveWithDns,
} from "./address_guard.ts";
export {
  type CallCredential,
  CallCredentials,
  type CredentialScope,
  type CredentialValue,
  PLACEHOLDER,
  type RequestTarget,
} from "./call_credentials.ts";
export {
  type CredentialDomains,
  credentialDomains,
  registrableDomain,
} from "./credential_domains.ts";
export {
  HttpTape,
  type Recording,
  type TapeExchange,
  type TapeRequest,
  type TapeResponse,
} from "./http_tape.ts";
export { PinnedConnector, type PinnedRoute } from "./pinned_connector.ts";
export {
  type CredentialSource,
  declaresSecrets,
  loadCredentials,
  type ReadSecretOptions,
} from "./skill_credentials.ts";
export {
  grantHost,
  type SkillGrants,
  SkillGrantStore,
} from "./skill_grants.ts";
export { SqlBroker, type SqlBrokerOptions } from "./sql_broker.ts";
export { type AuditSink, dispatchHandler } from "./dispatch_ops.ts";
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
export { checkParams } from "./check_params.ts";
export { grantsView, skillView } from "./skill_view.ts";
export {
  MAX_CALL_DEPTH,
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
