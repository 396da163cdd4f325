/**
 * One small server per op family a worker may dispatch: HTTP, the skill's
 * own secrets and credentials (`secrets.read`, `credentials.retrieve`,
 * `keychain.read`), SQL, nested capability calls, programs, crypto. Each
 * checks what the skill declared for its op (in the order its refusals
 * were always given), hands the op to its broker — which checks the
 * owner's grants — and says what the audit line records.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import { declaredPrograms } from "../grants/mod.ts";
import { readOwnSecret, retrieveCredentials } from "./credentials/mod.ts";
import { readKeychain } from "./credentials/mod.ts";
import { serveCrypto } from "./crypto/mod.ts";
import { checkCapabilityCall } from "./capability/mod.ts";
import type { OpRequest, Served } from "./dispatch_context.ts";

/**
 * The refusal of an op the skill did not declare in its readme.
 *
 * @param request the op
 * @param need the capability it needs
 * @returns Forbidden naming the capability to declare
 */
function refuseUndeclared({ context, op }: OpRequest, need: string): RpcError {
  return new RpcError(
    ErrorCode.Forbidden,
    `Skill "${context.skill.id}" may not use "${op}": it does not declare ${need} in its readme (capabilities: [${need}])`,
    { op, check: "declared" },
  );
}

/**
 * `http.request`: declared `http` (or a connection with a `base_url`),
 * then the HTTP broker (egress grants, address guard, credentials, tape).
 *
 * @param request the op
 * @returns the response and the trace's audit fields
 */
export async function serveHttp(request: OpRequest): Promise<Served> {
  const { context, params, trace, needs } = request;
  const { skill } = context;
  const hasBase = skill.discovery.connections.some((c) => c.base_url);
  if (!needs.includes("http") && !hasBase) {
    throw refuseUndeclared(request, "http");
  }
  const value = await context.http.request(
    {
      skillId: skill.id,
      egress: skill.egress,
      grants: context.grants,
      credentials: context.credentials,
      tape: context.tape,
      session: context.session,
    },
    params,
    { signal: context.signal, trace },
  );
  return {
    value,
    target: trace.target,
    checks: trace.checks,
    bytesIn: trace.bytesIn,
    bytesOut: trace.bytesOut,
  };
}

/**
 * `secrets.read`: a credential of the skill's own connection.
 *
 * @param request the op
 * @returns the value and its domain
 */
export async function serveSecretsRead(
  { context, params, trace }: OpRequest,
): Promise<Served> {
  const { value, domain } = await readOwnSecret(context.skill, {
    vault: context.vault,
    credentials: context.credentials,
    params,
  });
  trace.target = domain;
  return {
    value,
    target: domain,
    checks: { declared: "secrets", credential_domain: "own connection" },
  };
}

/**
 * `credentials.retrieve`: a stored login for a domain, or one asked of
 * the `login_credentials` providers through a nested capability call.
 *
 * @param request the op
 * @returns the credentials and the checks made
 */
export async function serveCredentialsRetrieve(
  { context, params, trace }: OpRequest,
): Promise<Served> {
  trace.target = typeof params.domain === "string"
    ? params.domain.slice(0, 200)
    : undefined;
  const call = context.capabilityCall;
  const value = await retrieveCredentials(context.skill, params, {
    vault: context.vault,
    credentials: context.credentials,
    askProviders: call
      ? (inner) => call("login_credentials", inner, trace.checks)
      : undefined,
  });
  return { value, target: trace.target, checks: trace.checks };
}

/**
 * `keychain.read`: a keychain item, kept in the vault's `keychain` rows.
 *
 * @param request the op
 * @returns the value and the row read
 */
export async function serveKeychainRead(
  { context, params, trace }: OpRequest,
): Promise<Served> {
  const { identifier, value } = await readKeychain(context.skill, {
    vault: context.vault,
    credentials: context.credentials,
    params,
    granted: context.keychainGrants ?? [],
  });
  trace.target = "keychain";
  return {
    value,
    target: "keychain",
    checks: { keychain: `vault row "${identifier.slice(0, 100)}"` },
  };
}

/**
 * `sql.query`: declared `sql`, then the SQL broker (read-only, the graph or
 * a database the owner granted with `--read`).
 *
 * @param request the op
 * @returns the rows and the audit fields
 */
export async function serveSql(request: OpRequest): Promise<Served> {
  const { context, params, trace, needs } = request;
  const { skill } = context;
  trace.target = typeof params.db === "string"
    ? params.db.slice(0, 200)
    : "graph";
  if (!needs.includes("sql")) throw refuseUndeclared(request, "sql");
  if (!context.sql) {
    throw new RpcError(ErrorCode.Forbidden, `sql.query is not available`);
  }
  const out = await context.sql.query(
    {
      id: skill.id,
      connections: skill.discovery.connections,
      reads: context.readGrants,
    },
    params,
    context.signal,
  );
  return {
    value: out.rows,
    target: out.target,
    checks: {
      declared: "sql",
      read_only: "connection",
      rows: `${out.rows.length}${out.truncated ? " (truncated)" : ""}`,
    },
    bytesIn: out.bytes,
  };
}

/**
 * `capability.call`: the call policy's checks, then the nested call.
 *
 * @param request the op
 * @returns the provider's result and the checks made
 */
export async function serveCapabilityCall(
  { context, params, trace }: OpRequest,
): Promise<Served> {
  const name = typeof params.name === "string" ? params.name : "";
  trace.target = name.slice(0, 100);
  if (!context.capabilityCall || name === "") {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `capability.call needs a capability "name"`,
    );
  }
  const inner = isObject(params.params) ? params.params : {};
  Object.assign(
    trace.checks,
    checkCapabilityCall(
      { skill: context.skill, grants: context.grants },
      name,
      inner,
    ),
  );
  const value = await context.capabilityCall(name, inner, trace.checks);
  return { value, target: name, checks: trace.checks };
}

/**
 * `shell.run`: the shell broker (declared programs, `--run` grants).
 *
 * @param request the op
 * @returns the program's output and the checks made
 */
export async function serveShell(
  { context, op, params, trace }: OpRequest,
): Promise<Served> {
  const { skill } = context;
  trace.target = typeof params.binary === "string"
    ? params.binary.slice(0, 100)
    : undefined;
  if (!context.shell) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `"shell.run" is not available: skills cannot run programs here`,
      { op, check: "op" },
    );
  }
  const { callId, tool } = context;
  const { value, checks } = await context.shell.run({
    skillId: skill.id,
    declared: declaredPrograms(skill.discovery),
    grants: context.runGrants ?? {},
    credentials: context.credentials,
    signal: context.signal,
    // A --net program's connections: the skill's egress, one line each.
    egress: { skillId: skill.id, egress: skill.egress, grants: context.grants },
    audit: (entry) =>
      context.audit?.append({ call: callId, skill: skill.id, tool, ...entry }),
  }, params);
  return {
    value,
    target: trace.target,
    checks,
    bytesIn: value.stdout.length + value.stderr.length,
  };
}

/**
 * `crypto.*`: the crypto broker (it checks the skill declared `crypto`).
 *
 * @param request the op
 * @returns the op's value and the checks made
 */
export async function serveCryptoOp(
  { context, op, params, needs }: OpRequest,
): Promise<Served> {
  const { value, checks } = await serveCrypto(op, params, {
    skillId: context.skill.id,
    declared: needs.includes("crypto"),
    credentials: context.credentials,
  });
  return { value, target: op, checks };
}
