import { ErrorCode, invalidParams, RpcError } from "../../errors.ts";
import {
  expandHome,
  isCleanAbsolute,
  PROGRAM_DIRS,
  programInDirs,
  refusedArgument,
  type RunGrant,
} from "../../grants/mod.ts";
import type { CallCredentials } from "../credentials/mod.ts";
import { PLACEHOLDER } from "../credentials/mod.ts";
import { shellArgv } from "./shell_argv.ts";
import type { Sandbox, SandboxCommand } from "../../sandbox/mod.ts";
import { type ProgramResult, runProgram } from "./program_run.ts";
import type { EgressSubject } from "../../grants/mod.ts";
import { type Resolver, resolveWithDns } from "../../net/mod.ts";
import type { AuditEntry } from "../../audit/mod.ts";
import { ProgramProxy } from "./program_proxy.ts";
import { holdConfigSecrets } from "./config_secrets.ts";
import {
  copyBackArgv,
  DEFAULT_WRITE_BYTES,
  type GrantStage,
  stageCommand,
  stagedFolder,
} from "./grant_stage.ts";

/** Default and longest `timeout=` of one program, in seconds. */
export const DEFAULT_PROGRAM_TIMEOUT_S = 30;
const MAX_PROGRAM_TIMEOUT_S = 300;
const MAX_ARGS = 256;
const MAX_ARGV_CHARS = 1024 * 1024;
const MAX_INPUT_CHARS = 4 * 1024 * 1024;

/** How programs are confined on this engine (the skill sandbox). */
export interface ShellBrokerOptions {
  /** Builds the confined command: launcher, cgroup, limits, seccomp. */
  sandbox: Pick<Sandbox, "programCommand" | "command" | "limits">;
  /** Where `--net` programs' proxy sockets are made (without it, no `--net`). */
  socketDir?: string;
  /** Resolves host names for the proxy (default `Deno.resolveDns`). */
  resolve?: Resolver;
  /**
   * A directory of the engine's (`$AGENTOS_HOME/grant-stage`) on which each
   * call mounts, in its own namespace, the stage of its granted folder.
   * Without it a grant with a folder is refused.
   */
  stageDir?: string;
}

/** What `shell.run` answers: the program's result and, after `--net`, the refused connections. */
export type ShellResult = ProgramResult & { refused?: string[] };

/** The calling skill as `shell.run` checks it. */
export interface ShellCaller {
  skillId: string;
  /** Programs it names (readme `shell:` and its `shell.run` call sites): for the audit only. */
  declared: string[];
  /** The owner's grants, by program name. */
  grants: Record<string, RunGrant>;
  credentials: CallCredentials;
  signal?: AbortSignal;
  /** What a `--net` program may reach: the skill's egress set and host grants (none when absent). */
  egress?: EgressSubject;
  /** Receives one line per connection of a `--net` program. */
  audit?: (entry: AuditEntry) => void;
}

/**
 * `shell.run {binary, args?, cwd?, input?, timeout?}`: runs a program the
 * owner granted (by its name, or by its full path inside the program
 * directories), under its own bubblewrap profile
 * (see {@linkcode shellArgv}), with arguments as an argv array — never
 * through a shell — and a working directory inside the one the owner
 * granted.
 */
export class ShellBroker {
  #options: ShellBrokerOptions;

  /** @param options bubblewrap and its settings */
  constructor(options: ShellBrokerOptions) {
    this.#options = options;
  }

  /**
   * Checks and runs one program.
   *
   * @param caller the skill, its declarations, grants and credentials
   * @param params the dispatch params
   * @returns the program's result and the audit's checks
   * @throws {RpcError} Forbidden (not granted, cwd outside the grant,
   *   a credential in its input), InvalidParams
   */
  async run(
    caller: ShellCaller,
    params: Record<string, unknown>,
  ): Promise<{ value: ShellResult; checks: Record<string, string> }> {
    const program = programName(params.binary);
    const { skillId } = caller;
    // The owner's grant is the permission: what the skill names (readme
    // or source) is only what `skills list` offers to grant.
    const grant = caller.grants[program];
    if (!grant) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skillId}" may not run "${program}" until the owner allows it: agentos skills allow ${skillId} --run ${program}`,
        { check: "granted", program },
      );
    }
    const args = argList(params.args);
    refuseByRule(skillId, program, grant, args);
    const input = params.input === undefined || params.input === null
      ? undefined
      : text(params.input, "input", MAX_INPUT_CHARS);
    refuseCredentials(skillId, program, [...args, input ?? ""]);
    const cwd = workingDirectory(skillId, program, grant, params.cwd);
    const timeoutS = seconds(params.timeout);
    // Before the program runs: its config's tokens become this call's, so
    // its output reaches a masked skill with placeholders in their place.
    const masked = await holdConfigSecrets(
      this.#options.sandbox,
      grant.config,
      caller.credentials,
    );
    const stage = await this.#stage(skillId, program, grant);
    const value = await this.#execute(caller, program, grant, {
      args,
      cwd,
      stage,
      input,
      timeoutS,
    });
    // A program may print a value the call holds (its own config's token):
    // a masked skill sees the placeholder instead.
    value.stdout = caller.credentials.mask(value.stdout);
    value.stderr = caller.credentials.mask(value.stderr);
    return {
      value,
      checks: {
        declared: caller.declared.includes(program) ? "named" : "granted only",
        granted: grant.path,
        cwd: stage
          ? stage.write
            ? `granted directory, writes up to ${stage.bytes} bytes`
            : "granted directory, read-only"
          : "private /tmp",
        network: grant.net ? "engine proxy" : "none",
        ...(grant.config.length > 0
          ? {
            config: `${grant.config.length} dir(s), ${masked} value(s) masked`,
          }
          : {}),
        exit: value.timed_out ? "timed out" : String(value.exit_code),
        args: String(args.length),
      },
    };
  }

  /** Runs the confined program; with `--net`, behind its own proxy. */
  async #execute(
    caller: ShellCaller,
    program: string,
    grant: RunGrant,
    run: {
      args: string[];
      cwd: string;
      stage: GrantStage | undefined;
      input?: string;
      timeoutS: number;
    },
  ): Promise<ShellResult> {
    const proxy = grant.net ? await this.#proxy(caller, program) : undefined;
    let value: ShellResult;
    try {
      value = await runProgram({
        command: this.#command(grant, run, proxy?.socketPath),
        input: run.input,
        timeoutMs: run.timeoutS * 1000,
        signal: caller.signal,
      });
    } finally {
      await proxy?.close();
    }
    if (proxy && proxy.refused.length > 0) value.refused = proxy.refused;
    return value;
  }

  /** The confined command: the program's bubblewrap, inside its folder's stage. */
  #command(
    grant: RunGrant,
    run: { args: string[]; cwd: string; stage: GrantStage | undefined },
    netSocket: string | undefined,
  ): SandboxCommand {
    const { sandbox } = this.#options;
    const { args, cwd, stage } = run;
    return sandbox.programCommand(
      (confinement) =>
        shellArgv({
          program: grant.path,
          args,
          cwd,
          writable: grant.cwd,
          folderFrom: stage && stagedFolder(stage),
          folderReadOnly: stage?.write !== true,
          config: grant.config,
          home: grant.home,
          net: grant.net,
          netSocket,
          confinement,
          tmpBytes: sandbox.limits.tmpBytes,
        }),
      undefined,
      {
        net: grant.net,
        around: stage &&
          ((bwrap, confinement) =>
            stageCommand(
              stage,
              confinement.identity,
              bwrap,
              copyBackArgv(stage, confinement, sandbox.limits.tmpBytes),
            )),
      },
    );
  }

  /** The proxy of one `--net` run: the skill's egress, the engine's audit. */
  #proxy(caller: ShellCaller, program: string): Promise<ProgramProxy> {
    const { socketDir, resolve } = this.#options;
    if (socketDir === undefined) {
      throw new RpcError(
        ErrorCode.SandboxUnavailable,
        `"${program}" is granted the network, but programs have no network proxy here`,
      );
    }
    const { skillId } = caller;
    return ProgramProxy.open({
      socketDir,
      program,
      subject: caller.egress ??
        { skillId, egress: { hosts: [], domains: [], openWeb: false } },
      resolve: resolve ?? resolveWithDns,
      audit: caller.audit,
    });
  }

  /** The granted folder's stage, or undefined without one. */
  async #stage(
    skillId: string,
    program: string,
    grant: RunGrant,
  ): Promise<GrantStage | undefined> {
    if (grant.cwd === undefined) return undefined;
    const dir = this.#options.stageDir;
    // Overlay options are comma- and colon-separated: the stage's path
    // must hold neither.
    if (dir === undefined || /[,:\\\s]/.test(dir)) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skillId}" may not run "${program}" in ${grant.cwd}: this engine cannot stage a granted folder${
          dir
            ? ` (its home's path ${dir} holds a comma, colon, backslash or space)`
            : ""
        }`,
        { check: "cwd", program },
      );
    }
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    return {
      folder: grant.cwd,
      ...(grant.pin ? { pin: grant.pin } : {}),
      write: grant.write === true,
      bytes: grant.writeBytes ?? DEFAULT_WRITE_BYTES,
      dir,
    };
  }
}

/** Programs get no credentials: a placeholder in an argument or the input is refused. */
function refuseCredentials(
  skillId: string,
  program: string,
  parts: string[],
): void {
  const placeholder = new RegExp(PLACEHOLDER.source, "i");
  for (const part of parts) {
    if (placeholder.test(part)) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skillId}" passed a credential to "${program}": programs get no credentials (they read their own config)`,
        { check: "credentials", program },
      );
    }
  }
}

/**
 * Refuses the arguments the program's rules refuse (engine/grants
 * program_rules), looked up by its granted name and by the name of the
 * file it resolved to.
 */
function refuseByRule(
  skillId: string,
  program: string,
  grant: RunGrant,
  args: string[],
): void {
  const file = grant.path.slice(grant.path.lastIndexOf("/") + 1);
  const refusal = refusedArgument([program, file], args);
  if (refusal) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skillId}" may not run ${refusal.program} with "${refusal.argument}": ${refusal.why}`,
      { check: "program rule", program, argument: refusal.argument },
    );
  }
}

/**
 * The program's name: as given, or the name of a full path directly inside
 * the program directories (`/usr/bin/security` → `security`; the granted
 * path is what runs).
 */
function programName(value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw invalidParams(`shell.run needs a "binary" (a program's name)`);
  }
  if (!value.includes("/")) return value.slice(0, 100);
  const name = programInDirs(value);
  if (name === undefined) {
    throw invalidParams(
      `shell.run takes a program's name, or its full path in the program directories (${
        PROGRAM_DIRS.join(", ")
      }), not "${value.slice(0, 100)}"`,
    );
  }
  return name;
}

function argList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw invalidParams(
      `shell.run "args" must be a list of strings (an argv array; no shell parses it)`,
    );
  }
  if (value.length > MAX_ARGS) {
    throw invalidParams(`shell.run takes at most ${MAX_ARGS} arguments`);
  }
  let total = 0;
  return value.map((arg, i) => {
    const s = text(arg, `args[${i}]`, MAX_ARGV_CHARS);
    total += s.length;
    if (total > MAX_ARGV_CHARS) {
      throw invalidParams(
        `shell.run arguments exceed ${MAX_ARGV_CHARS} characters`,
      );
    }
    return s;
  });
}

function text(value: unknown, name: string, max: number): string {
  if (typeof value !== "string") {
    throw invalidParams(`shell.run "${name}" must be a string`);
  }
  if (value.length > max) {
    throw invalidParams(`shell.run "${name}" is longer than ${max} characters`);
  }
  if (value.includes("\0")) {
    throw invalidParams(`shell.run "${name}" contains a NUL character`);
  }
  return value;
}

function seconds(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_PROGRAM_TIMEOUT_S;
  if (typeof value !== "number" || !(value > 0)) {
    throw invalidParams(
      `shell.run "timeout" must be a positive number of seconds`,
    );
  }
  return Math.min(value, MAX_PROGRAM_TIMEOUT_S);
}

/** The working directory: the granted one, or a directory inside it. */
function workingDirectory(
  skillId: string,
  program: string,
  grant: RunGrant,
  requested: unknown,
): string {
  if (requested === undefined || requested === null || requested === "") {
    return grant.cwd ?? "/tmp";
  }
  const raw = text(requested, "cwd", 4096);
  const base = grant.cwd;
  // `~` is the owner's home, as the skill's author would mean it.
  const expanded = expandHome(raw, grant.home);
  const path = expanded.startsWith("/")
    ? expanded.replace(/\/+$/, "") || "/"
    : `${base ?? "/tmp"}/${expanded}`;
  const inside = base !== undefined && isCleanAbsolute(path) &&
    (path === base || path.startsWith(`${base}/`));
  if (!inside) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skillId}" may run "${program}" only in ${
        base ?? "its private /tmp"
      }, not in "${raw.slice(0, 200)}"${
        base
          ? ""
          : `; the owner can grant a directory: agentos skills allow ${skillId} --run ${program} --cwd DIR`
      }`,
      { check: "cwd", program },
    );
  }
  return path;
}
