/**
 * The shapes of one tool run: what a caller asks ({@linkcode RunRequest}),
 * what it gets back ({@linkcode RunResult}) and what the runner is built
 * with ({@linkcode SkillRunnerOptions}). Apart from the runner so that each
 * stage of a call can read them without importing the runner.
 *
 * @module
 */
import type { Graph } from "../graph/mod.ts";
import type { Logger } from "../logger.ts";
import type { Sandbox } from "../sandbox/mod.ts";
import type {
  AuditSink,
  CredentialSource,
  HttpBroker,
  RecordCounts,
  ShellBroker,
  SqlBroker,
  ToolRun,
} from "../broker/mod.ts";
import type { SkillEntry, SkillRegistry } from "../skills/mod.ts";
import type { ReadGrants, RunGrant, SkillGrants } from "../grants/mod.ts";
import type { StoredSecret } from "./settle_credentials.ts";
import type { SparePool } from "./spare_pool.ts";
import type { WorkerProcess } from "./worker_process.ts";

/**
 * One tool run: what the capability broker asks for (`ToolRun`), and
 * whether to write the records the tool returns.
 */
export interface RunRequest extends ToolRun {
  /** Write the records the tool returns (default true). */
  remember?: boolean;
}

/** What a run gave. */
export interface RunResult {
  /** What the tool returned, as callers see it. */
  result: unknown;
  /** What was written to the graph. */
  records: RecordCounts;
  callId: string;
  ms: number;
  /** Whether a spare worker served the call. */
  spare: boolean;
  /** Credentials the tool returned in `__secrets__` (masked previews). */
  secrets: StoredSecret[];
  /** The last lines the skill printed (print() and stderr), redacted. */
  output?: string;
}

/** Options for {@linkcode SkillRunner}. */
export interface SkillRunnerOptions {
  registry: SkillRegistry;
  pool: SparePool;
  sandbox: Sandbox;
  graph: Graph;
  http: HttpBroker;
  log: Logger;
  /** The skill's graph node id (written on first use). */
  skillNode: (skill: SkillEntry) => string;
  /** Whether the owner granted a skill real credential values. */
  realValues?: (skill: SkillEntry) => boolean;
  /** The owner's egress grants of a skill. */
  grants: (skill: SkillEntry) => SkillGrants;
  /** The vault (credentials for `params["auth"]` and `secrets.read`). */
  vault?: CredentialSource;
  /** Serves `sql.query`. */
  sql?: SqlBroker;
  /** Receives one line per brokered op and per call. */
  audit?: AuditSink;
  /**
   * Skills' own Python packages: where installs live, and how to start a
   * worker that sees one (a spare has no skill's packages mounted).
   */
  packages?: { root: string; spawn: (dir: string) => WorkerProcess };
  /** Serves `shell.run`. */
  shell?: ShellBroker;
  /** The owner's `--run` grants of a skill. */
  runGrants?: (skill: SkillEntry) => Record<string, RunGrant>;
  /** The owner's `--read` grants of a skill (local databases). */
  readGrants?: (skill: SkillEntry) => ReadGrants;
  /** The keychain items the owner granted a skill (`--keychain`). */
  keychainGrants?: (skill: SkillEntry) => string[];
}
