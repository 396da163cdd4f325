import type { AuditEntry } from "../audit/mod.ts";
import type { Logger } from "../logger.ts";
import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type { CallCredentials } from "./credentials/mod.ts";
import { declaredNeeds } from "../skills/mod.ts";
import type { CallSession, HttpBroker, HttpTrace } from "./http/mod.ts";
import type { HttpTape } from "./http/mod.ts";
import type { SkillGrants } from "../skills/mod.ts";
import {
  type CredentialSource,
  readOwnSecret,
  retrieveCredentials,
} from "./credentials/mod.ts";
import type { SkillEntry } from "../skills/mod.ts";
import type { SqlBroker } from "./sql/mod.ts";
import { checkCapabilityCall } from "./capability/mod.ts";
import { readKeychain } from "./credentials/mod.ts";
import { serveCrypto } from "./crypto/mod.ts";
import type { ShellBroker } from "./shell/mod.ts";
import {
  declaredPrograms,
  type ReadGrants,
  type RunGrant,
} from "../skills/mod.ts";

/** Serves the worker's side effects during a call. */
export interface DispatchHandler {
  /** An op that wants an answer; throw an `RpcError` to refuse it. */
  dispatch(op: string, params: Record<string, unknown>): Promise<unknown>;
  /** A fire-and-forget op (`log`, `progress`). */
  notify(op: string, params: Record<string, unknown>): void;
}

/** A call's dispatch handler, with the end of the call to report. */
export interface CallDispatchHandler extends DispatchHandler {
  /** The call ended: writes the summary line of ops past the per-call cap. */
  finish(): void;
}

/** Longest log message kept from a skill. */
const MAX_LOG_CHARS = 2000;

/** Log lines and progress reports kept per call; more are dropped (a flood must not fill the disk). */
const MAX_NOTES_PER_CALL = 500;

/**
 * Audit lines written per call; past it, ops are counted and summed up in
 * one line when the call ends (a skill looping on refused ops wrote 50,000
 * lines in 3 s).
 */
export const MAX_AUDIT_LINES_PER_CALL = 1000;

/** Where audit lines go (the engine's `logs/engine-io.jsonl`). */
export interface AuditSink {
  append(entry: AuditEntry): void;
}

/** A capability call made from inside a skill, as the runner serves it. */
export type NestedCapabilityCall = (
  name: string,
  params: Record<string, unknown>,
  checks: Record<string, string>,
) => Promise<unknown>;

/** What one call's dispatches are served with. */
export interface DispatchContext {
  skill: SkillEntry;
  tool: string;
  callId: string;
  http: HttpBroker;
  log: Logger;
  /** Aborted when the call ends: cancels outstanding requests. */
  signal: AbortSignal;
  /** The owner's grants for this skill. */
  grants: SkillGrants;
  /** The call's credentials (placeholders, values, redaction). */
  credentials: CallCredentials;
  /** The call's connections (auth templates, client kinds, cookie jar). */
  session?: CallSession;
  /** The vault, for `secrets.read`. */
  vault?: CredentialSource;
  /** Serves `sql.query`. */
  sql?: SqlBroker;
  /** Record or replay HTTP. */
  tape?: HttpTape;
  /** Serves `capability.call`. */
  capabilityCall?: NestedCapabilityCall;
  /** Serves `shell.run`. */
  shell?: ShellBroker;
  /** The owner's `--run` grants of this skill, by program name. */
  runGrants?: Record<string, RunGrant>;
  /** The owner's `--read` grants of this skill (local databases). */
  readGrants?: ReadGrants;
  /** Receives one line per brokered op. */
  audit?: AuditSink;
  /** Called with each progress report (forwarded to the caller). */
  onProgress?: (params: Record<string, unknown>) => void;
}

interface Served {
  value: unknown;
  target?: string;
  checks?: Record<string, string>;
  bytesIn?: number;
  bytesOut?: number;
}

/**
 * Serves one call's dispatches: `http.request` through the HTTP broker,
 * `secrets.read`, `sql.query` and `capability.call` through theirs, `log`
 * and `progress` (fire-and-forget), and a clear refusal for every other op.
 * Every answered op — served, refused or failed — writes one audit line
 * (before the skill gets the answer), up to
 * {@linkcode MAX_AUDIT_LINES_PER_CALL}; the rest are counted by op and
 * status into one summary line written by `finish()`.
 *
 * @param context the call
 * @returns the handler for {@linkcode WorkerProcess.run}
 */
export function dispatchHandler(
  context: DispatchContext,
): CallDispatchHandler {
  const { skill, tool, callId, log, credentials } = context;
  let logs = 0;
  let reports = 0;
  let lines = 0;
  const over = new Map<string, number>();
  const audit = (entry: AuditEntry) => {
    if (++lines <= MAX_AUDIT_LINES_PER_CALL) {
      context.audit?.append(entry);
      return;
    }
    const key = `${entry.op} ${entry.status}`;
    over.set(key, (over.get(key) ?? 0) + 1);
  };
  return {
    finish() {
      if (over.size === 0) return;
      const counts: Record<string, string> = {};
      for (const [key, n] of [...over].slice(0, 50)) counts[key] = String(n);
      context.audit?.append({
        call: callId,
        skill: skill.id,
        tool,
        op: "audit.summary",
        status: "ok",
        checks: counts,
        reason: `${
          lines - MAX_AUDIT_LINES_PER_CALL
        } more ops in this call past ${MAX_AUDIT_LINES_PER_CALL} lines, counted by op and status`,
      });
      over.clear();
    },
    async dispatch(op, params) {
      const started = performance.now();
      const trace: HttpTrace = { checks: {}, bytesIn: 0, bytesOut: 0 };
      const base = {
        call: callId,
        skill: skill.id,
        tool,
        op: op.slice(0, 100),
      };
      try {
        const served = await serve(context, op, params, trace);
        audit({
          ...base,
          target: served.target,
          status: "ok",
          checks: served.checks,
          bytesIn: served.bytesIn ?? 0,
          bytesOut: served.bytesOut ?? 0,
          ms: Math.round(performance.now() - started),
        });
        return served.value;
      } catch (error) {
        const wire = error instanceof RpcError ? error : new RpcError(
          ErrorCode.InternalError,
          `${op.slice(0, 100)} failed inside the engine; see logs/engine.log`,
        );
        if (!(error instanceof RpcError)) {
          log.error("Brokered op failed", {
            callId,
            skill: skill.id,
            op,
            error,
          });
        }
        const data = isObject(wire.data) ? wire.data : {};
        const checks = { ...trace.checks };
        if (typeof data.check === "string") checks[data.check] = "refused";
        const refused = wire.code === ErrorCode.Forbidden ||
          data.check === "replay";
        audit({
          ...base,
          target: trace.target ?? auditTarget(op, params),
          status: refused ? "refused" : "failed",
          checks,
          bytesIn: trace.bytesIn,
          bytesOut: trace.bytesOut,
          ms: Math.round(performance.now() - started),
          reason: auditReason(wire.message, credentials),
        });
        throw new RpcError(
          wire.code,
          credentials.redact(wire.message),
          credentials.redactValue(wire.data),
        );
      }
    },
    notify(op, params) {
      if (op === "log") {
        if (++logs > MAX_NOTES_PER_CALL) {
          if (logs === MAX_NOTES_PER_CALL + 1) {
            log.warn("Skill log lines dropped", {
              callId,
              skill: skill.id,
              tool,
              reason: `more than ${MAX_NOTES_PER_CALL} in one call`,
            });
          }
          return;
        }
        const level = params.level === "error"
          ? "error"
          : params.level === "warning" || params.level === "warn"
          ? "warn"
          : params.level === "debug"
          ? "debug"
          : "info";
        log[level]("Skill log", {
          callId,
          skill: skill.id,
          tool,
          message: credentials.redact(
            String(params.message ?? "").slice(0, MAX_LOG_CHARS),
          ),
        });
      } else if (op === "progress" && ++reports <= MAX_NOTES_PER_CALL) {
        context.onProgress?.(
          credentials.redactValue(params) as Record<string, unknown>,
        );
      }
    },
  };
}

async function serve(
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

function auditTarget(
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

/**
 * A refusal or failure as the audit keeps it: no credential, no URL query.
 *
 * @param message the error's message
 * @param credentials the call's credentials
 * @returns a short reason
 */
export function auditReason(
  message: string,
  credentials?: CallCredentials,
): string {
  const text = credentials ? credentials.redact(message) : message;
  return text.replace(/\?[^\s"')]*/g, "?…").slice(0, 500);
}
