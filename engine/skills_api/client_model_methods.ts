/**
 * `llm.sample_answer {id, result | error}`: an MCP proxy's answer to the
 * `llm.sample` notification the engine sent on the same connection (the
 * client's model as `llm`, docs/mcp.md). Accepted only on the connection
 * the request went to.
 *
 * @module
 */
import { method, type MethodTable, param } from "../rpc/mod.ts";
import type { ClientModelDesk } from "../broker/mod.ts";

/**
 * The sampling answer method.
 *
 * @param desk the open sampling requests
 * @returns the method table
 */
export function clientModelMethods(desk: ClientModelDesk): MethodTable {
  return {
    "llm.sample_answer": method(
      { all: param.all() },
      ({ all }, request) => {
        desk.answer(request.connectionId, all);
        return { ok: true };
      },
    ),
  };
}
