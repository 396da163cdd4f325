/**
 * Capabilities: which enabled skills provide a name, in what order they
 * are tried, and failover. Runs tools through the narrow `ToolRunner`
 * interface (the skill runner in `engine/workers` implements it), so it
 * depends on no worker code. `call_policy.ts` checks a skill's own
 * `capability.call` (declared use, URL parameters in its egress set).
 *
 * @module
 */
export {
  type Attempt,
  CapabilityBroker,
  type InvokeOptions,
  type InvokeResult,
  paramsSchema,
  type Provider,
  providerFault,
  type ProvidersOptions,
} from "./capability_broker.ts";
export { checkCapabilityCall } from "./call_policy.ts";
export {
  type CallConnection,
  type ClientModel,
  ClientModelDesk,
} from "./client_model.ts";
export { CLIENT_MODEL_PROVIDER } from "./client_model_llm.ts";
export {
  type RecordCounts,
  type ToolRun,
  type ToolRunner,
} from "./tool_runner.ts";
