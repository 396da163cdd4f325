/**
 * JSON-RPC 2.0 over newline-delimited JSON: framing, the dispatcher, the
 * Unix-socket server and its client. Used by the engine (server), the CLI,
 * the MCP proxy and the bridge (clients), and the skill runtime (framing of
 * the worker pipe). Calls no other subsystem.
 *
 * @module
 */
export { type Line, readLines, type ReadLinesOptions } from "./line_reader.ts";
export {
  type ByteChunks,
  type ByteEndpoint,
  type Incoming,
  JsonLines,
  type JsonLinesOptions,
  type LargeLines,
} from "./json_lines.ts";
export {
  copyWithout,
  encodeJsonLine,
  encodeJsonLineParts,
  holdsMadeJson,
  type MadeFacts,
  madeFacts,
  withMadeJson,
} from "./made_json.ts";
export {
  type Handler,
  type RequestContext,
  type Response,
  RpcDispatcher,
  type RpcDispatcherOptions,
} from "./rpc_dispatcher.ts";
export { RpcServer, type RpcServerOptions } from "./rpc_server.ts";
export {
  type CallOptions,
  RpcClient,
  type RpcClientOptions,
} from "./rpc_client.ts";
export {
  objectParam,
  optionalInteger,
  optionalString,
  stringParam,
} from "./params.ts";
export {
  method,
  type MethodSpec,
  type MethodTable,
  param,
  type ParamReader,
  type ParamSchema,
  readParams,
  registerTable,
} from "./method_table.ts";
