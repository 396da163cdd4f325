import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import { declaredNeeds, declaredPrograms } from "../grants/mod.ts";
import { readOwnSecret, retrieveCredentials } from "./credentials/mod.ts";
import { readKeychain } from "./credentials/mod.ts";
import { serveCrypto } from "./crypto/mod.ts";
import { checkCapabilityCall } from "./capability/mod.ts";
import type { HttpTrace } from "./http/mod.ts";
import type { DispatchContext } from "./dispatch_context.ts";

/** One op's answer, with what its audit line says. */
export interface Served {
  value: unknown;
  target?: string;
  checks?: Record<string, string>;
  bytesIn?: number;
  bytesOut?: number;
}

/**
 * Which broker serves each op a worker dispatches: checks what the skill
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
  const { skill } = context;
  const needs = declaredNeeds(skill.discovery);
  const refuseUndeclared = (need: string) =>
    new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skill.id}" may not use "${op}": it does not declare ${need} in its readme (capabilities: [${need}])`,
      { op, check: "declared" },
    );
  switch (op) {
    case "http.request": {
      const hasBase = skill.discovery.connections.some((c) => c.base_url);
      if (!needs.includes("http") && !hasBase) throw refuseUndeclared("http");
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
    case "secrets.read": {
      const { value, domain } = await readOwnSecret(skill, {
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
    case "credentials.retrieve": {
      trace.target = typeof params.domain === "string"
        ? params.domain.slice(0, 200)
        : undefined;
      const call = context.capabilityCall;
      const value = await retrieveCredentials(skill, params, {
        vault: context.vault,
        credentials: context.credentials,
        askProviders: call
          ? (inner) => call("login_credentials", inner, trace.checks)
          : undefined,
      });
      return { value, target: trace.target, checks: trace.checks };
    }
    case "sql.query": {
      trace.target = typeof params.db === "string"
        ? params.db.slice(0, 200)
        : "graph";
      if (!needs.includes("sql")) throw refuseUndeclared("sql");
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
    case "capability.call": {
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
          { skill, grants: context.grants },
          name,
          inner,
        ),
      );
      const value = await context.capabilityCall(name, inner, trace.checks);
      return { value, target: name, checks: trace.checks };
    }
    case "shell.run": {
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
      const { value, checks } = await context.shell.run({
        skillId: skill.id,
        declared: declaredPrograms(skill.discovery),
        grants: context.runGrants ?? {},
        credentials: context.credentials,
        signal: context.signal,
      }, params);
      return {
        value,
        target: trace.target,
        checks,
        bytesIn: value.stdout.length + value.stderr.length,
      };
    }
  }
  if (op.startsWith("crypto.")) {
    const { value, checks } = await serveCrypto(op, params, {
      skillId: skill.id,
      declared: needs.includes("crypto"),
      credentials: context.credentials,
    });
    return { value, target: op, checks };
  }
  if (op === "keychain.read") {
    const { identifier, value } = await readKeychain(skill, {
      vault: context.vault,
      credentials: context.credentials,
      params,
    });
    trace.target = "keychain";
    return {
      value,
      target: "keychain",
      checks: { keychain: `vault row "${identifier.slice(0, 100)}"` },
    };
  }
  if (op.startsWith("graph.")) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `"${
        op.slice(0, 100)
      }" is not available to skills: return records with @returns and the engine writes them; read with sql.query (capabilities: [sql])`,
      { op: op.slice(0, 100), check: "op" },
    );
  }
  throw new RpcError(
    ErrorCode.Forbidden,
    `Unknown op "${op.slice(0, 100)}"`,
    { op: op.slice(0, 100), check: "op" },
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
