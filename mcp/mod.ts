/**
 * agentos-mcp: a thin stdio MCP server (official TypeScript SDK) that
 * translates MCP requests into engine JSON-RPC calls over `engine.sock`,
 * and starts the engine when none runs. The only subsystem that imports
 * `@modelcontextprotocol/sdk`. Calls `engine/rpc`, `engine/home` and
 * `engine/logger`; never opens the database.
 *
 * @module
 */
export { BUILTIN_TOOLS, GRAPH_LIST_LIMIT } from "./builtin_tools.ts";
export { CallProgress, type CallProgressOptions } from "./call_progress.ts";
export { type CapabilityInfo, capabilityTools } from "./capability_tools.ts";
export {
  EngineLink,
  type EngineLinkOptions,
  EngineRestartedError,
  EngineUnavailableError,
  type LinkCallOptions,
} from "./engine_link.ts";
export {
  answers,
  EngineStartError,
  startEngine,
  type StartEngineOptions,
} from "./start_engine.ts";
export { McpLog, type McpLogOptions } from "./mcp_log.ts";
export {
  DEFAULT_POLL_MS,
  MAX_ARGUMENT_CHARS,
  MAX_RESULT_CHARS,
  McpProxy,
  type McpProxyOptions,
} from "./mcp_proxy.ts";
export { RESOURCE_TEMPLATES } from "./resources.ts";
export {
  type Direction,
  MAX_MESSAGE_BYTES,
  StdioTransport,
  type StdioTransportOptions,
} from "./stdio_transport.ts";
export { ToolCatalog } from "./tool_catalog.ts";
export { explain, toolError, ToolInputError } from "./tool_errors.ts";
export { type JsonSchema, type ToolSpec } from "./tool_spec.ts";
export { TrafficLog } from "./traffic_log.ts";
