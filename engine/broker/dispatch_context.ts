/**
 * What one call's dispatches are served with ({@linkcode DispatchContext}),
 * and the shape of serving one op: {@linkcode OpRequest} in,
 * {@linkcode Served} out, by an {@linkcode OpServer}.
 *
 * @module
 */
import type { AuditEntry } from "../audit/mod.ts";
import type { Logger } from "../logger.ts";
import type { CallCredentials, CredentialSource } from "./credentials/mod.ts";
import type {
  CallSession,
  HttpBroker,
  HttpTape,
  HttpTrace,
} from "./http/mod.ts";
import type { SkillEntry } from "../skills/mod.ts";
import type {
  CredentialRefusal,
  GrantNeed,
  ReadGrants,
  RunGrant,
  SkillGrants,
} from "../grants/mod.ts";
import type { SqlBroker } from "./sql/mod.ts";
import type { ShellBroker } from "./shell/mod.ts";

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
  /** The keychain items the owner granted this skill (`--keychain`). */
  keychainGrants?: string[];
  /** Receives one line per brokered op. */
  audit?: AuditSink;
  /** Called with each progress report (forwarded to the caller). */
  onProgress?: (params: Record<string, unknown>) => void;
  /** Called when an op was refused for a grant the owner could give. */
  onGrantNeed?: (need: GrantNeed) => void;
  /**
   * Called when a nested `capability.call` failed after a provider's
   * stored credential was refused by its domain (the engine's fact).
   */
  onCredentialRefusal?: (refusal: CredentialRefusal) => void;
}

/** One op a worker dispatched, as its server reads it. */
export interface OpRequest {
  context: DispatchContext;
  /** The op's name. */
  op: string;
  params: Record<string, unknown>;
  /** Filled with the target and checks as the op goes (audited on failure too). */
  trace: HttpTrace;
  /** What the skill declares in its readme (`capabilities: [...]`). */
  needs: string[];
}

/** One op's answer, with what its audit line says. */
export interface Served {
  value: unknown;
  target?: string;
  checks?: Record<string, string>;
  bytesIn?: number;
  bytesOut?: number;
}

/** Serves one op (or one family of ops): checks it, performs it, says what to audit. */
export type OpServer = (request: OpRequest) => Promise<Served>;
