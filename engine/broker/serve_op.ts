/**
 * Which server answers each op a worker dispatches: a table from op name
 * to its family's server (`op_servers.ts`), `crypto.*` by prefix, and a
 * clear refusal for `graph.*` and every op the engine does not offer.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import { declaredNeeds } from "../grants/mod.ts";
import type { HttpTrace } from "./http/mod.ts";
import type {
  DispatchContext,
  OpRequest,
  OpServer,
  Served,
} from "./dispatch_context.ts";
import {
  serveCapabilityCall,
  serveCredentialsRetrieve,
  serveCryptoOp,
  serveHttp,
  serveKeychainRead,
  serveSecretsRead,
  serveShell,
  serveSql,
} from "./op_servers.ts";

export type { Served } from "./dispatch_context.ts";

/** The ops served by exact name (a Map: an op named `constructor` finds nothing). */
const OP_SERVERS: ReadonlyMap<string, OpServer> = new Map([
  ["http.request", serveHttp],
  ["secrets.read", serveSecretsRead],
  ["credentials.retrieve", serveCredentialsRetrieve],
  ["sql.query", serveSql],
  ["capability.call", serveCapabilityCall],
  ["shell.run", serveShell],
  ["keychain.read", serveKeychainRead],
]);

/**
 * Serves one op a worker dispatched: its server checks what the skill
 * declared for it, performs it, and says what the audit records. An op
 * the engine does not offer is refused.
 *
 * @param context the call
 * @param op the op's name
 * @param params its params
 * @param trace filled with the target and checks as the op goes
 * @returns the answer and its audit fields
 * @throws {RpcError} the op's refusal or failure
 */
export async function serve(
  context: DispatchContext,
  op: string,
  params: Record<string, unknown>,
  trace: HttpTrace,
): Promise<Served> {
  const needs = declaredNeeds(context.skill.discovery);
  const request: OpRequest = { context, op, params, trace, needs };
  return await opServer(op)(request);
}

/** The server of an op; an op the engine does not offer gets a refusal. */
function opServer(op: string): OpServer {
  const server = OP_SERVERS.get(op);
  if (server) return server;
  if (op.startsWith("crypto.")) return serveCryptoOp;
  return () => Promise.reject(refusedOp(op));
}

/** Why an op is not served: `graph.*` says what to do instead. */
function refusedOp(op: string): RpcError {
  const name = op.slice(0, 100);
  if (op.startsWith("graph.")) {
    return new RpcError(
      ErrorCode.Forbidden,
      `"${name}" is not available to skills: return records with @returns and the engine writes them; read with sql.query (capabilities: [sql])`,
      { op: name, check: "op" },
    );
  }
  return new RpcError(
    ErrorCode.Forbidden,
    `Unknown op "${name}"`,
    { op: name, check: "op" },
  );
}

/**
 * What an op's audit line names when it failed before its broker said.
 *
 * @param op the op's name
 * @param params its params
 * @returns a host, a domain, a capability or nothing
 */
export function auditTarget(
  op: string,
  params: Record<string, unknown>,
): string | undefined {
  if (op === "http.request" && typeof params.url === "string") {
    try {
      return new URL(params.url).hostname;
    } catch {
      return undefined;
    }
  }
  if (op === "secrets.read" && typeof params.domain === "string") {
    return params.domain.slice(0, 200);
  }
  if (op === "capability.call" && typeof params.name === "string") {
    return params.name.slice(0, 100);
  }
  return undefined;
}
