import { ErrorCode, RpcError } from "../../errors.ts";
import { grantRefusal, type RunGrant } from "../../grants/mod.ts";
import type { CallCredentials, OffThreadGuard } from "../credentials/mod.ts";
import {
  argList,
  MAX_INPUT_CHARS,
  programName,
  refuseByRule,
  refuseCredentials,
  seconds,
  text,
  workingDirectory,
} from "./shell_params.ts";
import { shellArgv } from "./shell_argv.ts";
import type { Sandbox, SandboxCommand } from "../../sandbox/mod.ts";
import { type ProgramResult, runProgram } from "./program_run.ts";
import type { EgressSubject } from "../../grants/mod.ts";
import { type Resolver, resolveWithDns } from "../../net/mod.ts";
import type { AuditEntry } from "../../audit/mod.ts";
import { ProgramProxy } from "./program_proxy.ts";
import {
  copyBackArgv,
  DEFAULT_WRITE_BYTES,
  type GrantStage,
  stageCommand,
  stagedFolder,
} from "./grant_stage.ts";

/** How programs are confined on this engine (the skill sandbox). */
export interface ShellBrokerOptions {
  /** Builds the confined command: launcher, cgroup, limits, seccomp. */
  sandbox: Pick<Sandbox, "programCommand" | "limits">;
  /**
   * `$AGENTOS_HOME`: hidden from programs where a system directory holds it
   * (by its real path: a home reached through a link lies where it lies).
   */
  engineHome?: string;
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
  /**
   * Where a large output is masked, off the main thread and within the
   * call's guard budget (the HTTP broker's guard workers). Without it the
   * output is masked inline.
   */
  guard?: () => OffThreadGuard;
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
    const home = options.engineHome;
    this.#options = home === undefined
      ? options
      : { ...options, engineHome: realPathOr(home) };
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
      throw grantRefusal(
        `Skill "${skillId}" may not run "${program}" until the owner allows it: agentos skills allow ${skillId} --run ${program}`,
        { check: "granted", program },
        { kind: "program", skill: skillId, program },
      );
    }
    refuseConfigWhenMasked(caller, program, grant);
    const args = argList(params.args);
    refuseByRule(skillId, program, grant, args);
    const input = params.input === undefined || params.input === null
      ? undefined
      : text(params.input, "input", MAX_INPUT_CHARS);
    refuseCredentials(skillId, program, [...args, input ?? ""]);
    const cwd = workingDirectory(skillId, program, grant, params.cwd);
    const timeoutS = seconds(params.timeout);
    const stage = await this.#stage(skillId, program, grant);
    const value = await this.#execute(caller, program, grant, {
      args,
      cwd,
      stage,
      input,
      timeoutS,
    });
    // A program may print a value the call holds (a key given as input):
    // a masked skill sees the placeholder instead.
    // Off the main thread: 2 × 4 MiB crafted against the guard would
    // otherwise hold every other client for seconds.
    const guard = this.#options.guard?.();
    // A worker builds the automaton; a small output is then masked here
    // without building one on the main thread.
    if (guard) await caller.credentials.ready(guard.pool);
    const mask = (text: string) =>
      guard
        ? caller.credentials.maskOffThread(text, guard)
        : caller.credentials.mask(text);
    value.stdout = await mask(value.stdout);
    value.stderr = await mask(value.stderr);
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
          ? { config: `${grant.config.length} dir(s)` }
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
          engineHome: this.#options.engineHome,
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

/**
 * A program that reads a config directory can print its tokens in a shape
 * no mask knows (a character-level word diff), so a `--config` grant
 * stands only beside the owner's trust with real values.
 *
 * @throws {RpcError} Forbidden naming `--secrets` (a grant a prompt may ask for)
 */
function refuseConfigWhenMasked(
  caller: ShellCaller,
  program: string,
  grant: RunGrant,
): void {
  if (grant.config.length === 0 || !caller.credentials.masked) return;
  const { skillId } = caller;
  throw grantRefusal(
    `Skill "${skillId}" runs "${program}" with the owner's config (--config), which hands the program's tokens to the skill; it runs only for a skill the owner trusts with real values: agentos skills allow ${skillId} --secrets`,
    { check: "config", program },
    { kind: "secrets", skill: skillId },
  );
}

/** The real path of `path`, or `path` itself while it does not exist. */
function realPathOr(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}
