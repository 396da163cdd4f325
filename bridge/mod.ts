/**
 * The bridge: an HTTP window on the graph for browser apps, bound to
 * 127.0.0.1. Reads through its own read-only SQLite connection; every
 * mutation, capability invocation and observer subscription goes to the
 * engine over its socket. Serves the graph explorer (`GET /`) and the app
 * SDK (`GET /sdk.js`). Calls `engine/graph` (read-only queries),
 * `engine/rpc` (the client) and `engine/home`.
 *
 * @module
 */
export { type BridgeAppOptions, createBridgeApp } from "./app.ts";
export {
  AppToken,
  readOrCreateTokenSync,
  rotateTokenSync,
  TOKEN_FILE,
} from "./app_token.ts";
export {
  type BridgeConfig,
  DEFAULT_PORT,
  parseOrigins,
  parsePort,
  readBridgeConfig,
} from "./bridge_config.ts";
export { type BridgeLimits, DEFAULT_LIMITS } from "./bridge_limits.ts";
export type { BridgeEnv, BridgeServices } from "./bridge_env.ts";
export { EngineLink, EngineUnavailableError } from "./engine_link.ts";
export {
  GraphReader,
  GraphUnavailableError,
  type NodeDetail,
} from "./graph_reader.ts";
export { isLoopbackHost } from "./host_guard.ts";
export { type ErrorBody, rpcStatus } from "./http_errors.ts";
export { planResume, type ResumePlan } from "./observer_routes.ts";
export { makeOpenCode, OPEN_CODE_TTL_S, OpenCodes } from "./open_code.ts";
export {
  type RunningBridge,
  serveBridge,
  type ServeBridgeOptions,
} from "./serve_bridge.ts";
