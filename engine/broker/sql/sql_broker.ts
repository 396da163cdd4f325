import { join, resolve } from "../../paths.ts";
import { ErrorCode, RpcError } from "../../errors.ts";
import { isObject } from "../../is_object.ts";
import { SQL_RUNNER_PY } from "./_sql_runner.ts";
import type { ConnectionInfo } from "../../skills/mod.ts";
import type { GrantedPath, ReadGrants } from "../../grants/mod.ts";
import { grantedPath, grantRefusal } from "../../grants/mod.ts";
import { engineFileIds } from "./engine_files.ts";
import { type Sandbox, spawnCommand } from "../../sandbox/mod.ts";

/** Rows returned by default, and at most (`limit`). */
export const DEFAULT_SQL_ROWS = 1000;
const MAX_SQL_ROWS = 10_000;

/** Most bytes of rows (as JSON) one query returns. */
export const MAX_SQL_BYTES = 4 * 1024 * 1024;

/** Longest a query may run. */
export const SQL_TIMEOUT_S = 10;

/** Queries run at the same time per engine; more wait their turn. */
export const MAX_CONCURRENT_QUERIES = 4;

/**
 * Queries one skill runs at the same time: half the runners, so the
 * queries of a skill that spins each to its deadline never keep another
 * skill's waiting behind them.
 */
export const MAX_QUERIES_PER_SKILL = 2;

/** The private /tmp of a query runner: room for a copy of a locked database. */
const SQL_TMP_BYTES = 256 * 1024 * 1024;

/** Longest query text. */
const MAX_SQL_CHARS = 100_000;

/**
 * Graph tables a skill may not read: the vault's ciphertexts (domain rows
 * and skills' own rows), the settings (grants, prefs, vault check), and
 * `dbstat`, whose page statistics give each vault table's row count and
 * payload bytes (a stored value's length).
 */
const GRAPH_DENIED_TABLES = ["secrets", "skill_secrets", "settings", "dbstat"];

/** Every skill's kept `__cache__`/`__data__`: private to its skill. */
const PRIVATE_TABLES = ["skill_state"];

/** Options for {@linkcode SqlBroker}. */
export interface SqlBrokerOptions {
  /** Confines every query runner like a worker (view, seccomp, limits, cgroup). */
  sandbox: Sandbox;
  /** The graph database file. */
  graphPath: string;
  /** `$AGENTOS_HOME/skill-data`: a skill's declared `sqlite=` files live in `<dir>/<skill id>/`. */
  skillDataDir: string;
  /** `$AGENTOS_HOME`: no runner opens its files, whatever link leads there. */
  engineHome: string;
  /** Longest a query may run, in seconds (default {@linkcode SQL_TIMEOUT_S}). */
  timeoutS?: number;
}

/** What a query gave, with what the audit line needs. */
export interface SqlOutcome {
  rows: Record<string, unknown>[];
  /** `graph` or the declared file's name, with the tables read: `graph:nodes,values`. */
  target: string;
  truncated: boolean;
  bytes: number;
}

/**
 * Serves `sql.query`: read-only queries against the graph (minus the
 * vault and settings tables) or a SQLite file one of the skill's
 * connections declares with `sqlite=`, which must lie in
 * `$AGENTOS_HOME/skill-data/<skill id>/` (checked on the real path, so a
 * symbolic link cannot lead out of it). Each query runs in its own
 * short-lived process, sandboxed like a worker: the same bubblewrap view
 * with only its databases bound read-only, the same seccomp filter,
 * limits and a cgroup of its own, nobody outside under a root engine; on a
 * read-only connection, with row, size and time limits; the process is
 * killed at the deadline. At most {@linkcode MAX_CONCURRENT_QUERIES} run
 * at once per engine and {@linkcode MAX_QUERIES_PER_SKILL} per skill; a
 * query still waiting when its call ends is dropped, a running one killed.
 */
export class SqlBroker {
  #options: SqlBrokerOptions;
  #running = 0;
  /** Running queries by skill. */
  #bySkill = new Map<string, number>();
  /** Queries waiting for a runner, first come first served among skills that may run one. */
  #waiting: { skillId: string; start: () => void }[] = [];

  /** @param options the interpreter and the paths */
  constructor(options: SqlBrokerOptions) {
    this.#options = options;
  }

  get #timeoutS(): number {
    return this.#options.timeoutS ?? SQL_TIMEOUT_S;
  }

  /**
   * Runs one query.
   *
   * @param skill the skill's id and connections
   * @param params `sql`, `params` (array or object), `db` (a declared file), `connection`, `limit`
   * @param signal the call's end: a query still waiting is dropped, a running one killed
   * @returns the rows
   * @throws {RpcError} InvalidParams, Forbidden (an undeclared file), Timeout, SkillFailed (SQLite refused it)
   */
  async query(
    skill: { id: string; connections: ConnectionInfo[]; reads?: ReadGrants },
    params: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<SqlOutcome> {
    const sql = params.sql;
    if (
      typeof sql !== "string" || sql.trim() === "" || sql.length > MAX_SQL_CHARS
    ) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `"sql" must be a query of 1 to ${MAX_SQL_CHARS} characters`,
      );
    }
    const bind = params.params ?? null;
    const scalar = (v: unknown) =>
      v === null || ["string", "number", "boolean"].includes(typeof v);
    if (
      bind !== null &&
      !(Array.isArray(bind) && bind.every(scalar)) &&
      !(isObject(bind) && Object.values(bind).every(scalar))
    ) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `"params" must be a list or an object of strings, numbers, booleans or nulls`,
      );
    }
    const limit = typeof params.limit === "number" && params.limit > 0
      ? Math.min(Math.floor(params.limit), MAX_SQL_ROWS)
      : DEFAULT_SQL_ROWS;
    const { path, target, deny, granted } = await this.#database(
      skill,
      params,
    );
    const attach = attachList(skill, params.attach);
    const answer = await this.#run(skill.id, signal, {
      path,
      host: granted !== undefined,
      attach,
      views: views([granted, ...attach.map(([, g]) => g)]),
      engine_ids: await engineFileIds(this.#options.engineHome),
      snapshot: target.startsWith("local:"),
      sql,
      params: bind,
      max_rows: limit,
      max_bytes: MAX_SQL_BYTES,
      timeout_s: this.#timeoutS,
      deny_tables: deny,
    });
    if (answer.kind === "grant") {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skill.id}" may not read that database: ${answer.error}`,
        { check: "sql_read" },
      );
    }
    if (typeof answer.error === "string") {
      throw new RpcError(
        answer.kind === "timeout" ? ErrorCode.Timeout : ErrorCode.SkillFailed,
        answer.kind === "timeout"
          ? `Query on ${target} did not finish within ${this.#timeoutS} s`
          : `SQLite refused the query on ${target}: ${answer.error}`,
        { reason: "sql", check: "sql" },
      );
    }
    const rows = Array.isArray(answer.rows)
      ? answer.rows as Record<string, unknown>[]
      : [];
    const tables = Array.isArray(answer.tables) ? answer.tables.join(",") : "";
    return {
      rows,
      target: tables ? `${target}:${tables}` : target,
      truncated: answer.truncated === true,
      bytes: JSON.stringify(rows).length,
    };
  }

  async #database(
    skill: { id: string; connections: ConnectionInfo[]; reads?: ReadGrants },
    params: Record<string, unknown>,
  ): Promise<Database> {
    const declared = skill.connections.filter((c) =>
      typeof c.sqlite === "string" && c.sqlite !== ""
    );
    let file: string | undefined;
    if (typeof params.db === "string" && params.db !== "") {
      const match = declared.find((c) =>
        c.sqlite === params.db || c.name === params.db
      );
      if (!match && isHostPath(params.db)) {
        return localDatabase(skill, params.db);
      }
      if (!match) {
        throw new RpcError(
          ErrorCode.Forbidden,
          `Skill "${skill.id}" may query only the graph or a database its connections declare with sqlite=; "${
            params.db.slice(0, 200)
          }" is not one`,
          { check: "sql" },
        );
      }
      file = match.sqlite as string;
    } else if (typeof params.connection === "string") {
      const match = declared.find((c) => c.name === params.connection);
      if (match) file = match.sqlite as string;
    }
    if (file === undefined) {
      return {
        path: this.#options.graphPath,
        target: "graph",
        deny: [...GRAPH_DENIED_TABLES, ...PRIVATE_TABLES],
      };
    }
    if (isHostPath(file)) return localDatabase(skill, file);
    const dir = join(this.#options.skillDataDir, skill.id);
    const wanted = resolve(dir, file);
    const refuse = (why: string) =>
      new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skill.id}" declares the database "${file}", which ${why}; a skill's own databases live in ${dir}/`,
        { check: "sql" },
      );
    let real: string;
    try {
      real = await Deno.realPath(wanted);
    } catch {
      throw refuse("does not exist there or cannot be read");
    }
    const realDir = await Deno.realPath(dir).catch(() => dir);
    if (!real.startsWith(`${realDir}/`)) throw refuse("is not inside it");
    return { path: real, target: file, deny: [] };
  }

  async #run(
    skillId: string,
    signal: AbortSignal | undefined,
    request: RunnerRequest,
  ): Promise<Record<string, unknown>> {
    await this.#slot(skillId, signal);
    try {
      return await this.#runConfined(request, signal);
    } finally {
      this.#running--;
      this.#bySkill.set(skillId, this.#bySkill.get(skillId)! - 1);
      const next = this.#waiting.findIndex((w) => this.#free(w.skillId));
      if (next >= 0) this.#waiting.splice(next, 1)[0]!.start();
    }
  }

  #free(skillId: string): boolean {
    return this.#running < MAX_CONCURRENT_QUERIES &&
      (this.#bySkill.get(skillId) ?? 0) < MAX_QUERIES_PER_SKILL;
  }

  /** Takes a runner for the skill, waiting while none is free to it; the call's end drops the wait. */
  #slot(skillId: string, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(callEnded());
    const take = () => {
      this.#running++;
      this.#bySkill.set(skillId, (this.#bySkill.get(skillId) ?? 0) + 1);
    };
    if (this.#free(skillId)) {
      take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiting = {
        skillId,
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          take();
          resolve();
        },
      };
      const onAbort = () => {
        this.#waiting.splice(this.#waiting.indexOf(waiting), 1);
        reject(callEnded());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiting);
    });
  }

  async #runConfined(
    request: RunnerRequest,
    signal: AbortSignal | undefined,
  ): Promise<Record<string, unknown>> {
    const { sandbox } = this.#options;
    // The engine's own files (the graph, a skill's data) are bound one by
    // one; a granted path is resolved by the runner inside its view.
    const files = request.host ? [] : [request.path];
    const command = sandbox.command(
      {
        kind: "script",
        source: SQL_RUNNER_PY,
        files,
        views: request.views.map((view) => view.path),
        readAny: true,
      },
      {
        ...sandbox.limits,
        cpuSeconds: this.#timeoutS + 1,
        tmpBytes: SQL_TMP_BYTES,
      },
    );
    const confined = {
      ...request,
      path: request.host ? request.path : (command.paths ?? files)[0],
      attach: request.attach.map(([alias, granted]) => [alias, granted.path]),
    };
    let child: Deno.ChildProcess;
    try {
      child = spawnCommand(command);
    } catch (error) {
      await command.release();
      throw new RpcError(
        ErrorCode.InternalError,
        `Cannot start the query runner: ${(error as Error).message}`,
      );
    }
    // Its cgroup goes as soon as it exits, whatever it left behind.
    const released = child.status.then(() => command.release());
    // The progress handler stops the query; this is the backstop.
    const kill = () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
    };
    const timer = setTimeout(kill, (this.#timeoutS + 5) * 1000);
    // The call that asked has ended: nobody waits for these rows.
    signal?.addEventListener("abort", kill, { once: true });
    try {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(JSON.stringify(confined)))
        .catch(() => {});
      await writer.close().catch(() => {});
      const [stdout, stderr, status] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        child.status,
      ]);
      if (!status.success) {
        if (status.signal === "SIGKILL") {
          return { error: "killed at the deadline", kind: "timeout" };
        }
        throw new RpcError(
          ErrorCode.InternalError,
          `The query runner failed: ${stderr.trim().split("\n").at(-1) ?? ""}`,
        );
      }
      return JSON.parse(stdout);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", kill);
      await released;
    }
  }
}

/** The error of a query whose call ended before it ran or finished. */
function callEnded(): RpcError {
  return new RpcError(
    ErrorCode.Timeout,
    "The call ended before its query finished",
    { reason: "sql", check: "sql" },
  );
}

/** A path of the host (`~/…` or absolute), as opposed to a file in the skill's own data directory. */
function isHostPath(path: string): boolean {
  return path.startsWith("/") || path === "~" || path.startsWith("~/");
}

/** The database a query opens, and the grant it lies in when it is the owner's. */
interface Database {
  path: string;
  target: string;
  deny: string[];
  /** Set for a `--read` grant: the runner resolves `path` inside it. */
  granted?: GrantedPath;
}

/** What the runner reads on stdin. */
type RunnerRequest = Record<string, unknown> & {
  path: string;
  /** `path` is a granted host path, resolved by the runner. */
  host: boolean;
  attach: [string, GrantedPath][];
  /** The grants bound read-only at their own paths, with their pins. */
  views: { path: string; pin: string | null }[];
};

/** The grants the paths lie in, each once: what the runner's view holds. */
function views(
  granted: (GrantedPath | undefined)[],
): { path: string; pin: string | null }[] {
  const byRoot = new Map<string, string | null>();
  for (const g of granted) if (g) byRoot.set(g.root, g.pin ?? null);
  return [...byRoot].map(([path, pin]) => ({ path, pin }));
}

/** An application's database the owner let this skill read (`--read`). */
function localDatabase(
  skill: { id: string; reads?: ReadGrants },
  requested: string,
): Database {
  const granted = grantedPath(requested, skill.reads ?? { paths: [] });
  if (granted === undefined) {
    throw grantRefusal(
      `Skill "${skill.id}" may not read "${
        requested.slice(0, 200)
      }" until the owner allows it: agentos skills allow ${skill.id} --read ${
        requested.slice(0, 200)
      }`,
      { check: "sql_read" },
      { kind: "read", skill: skill.id, path: requested },
    );
  }
  const { path } = granted;
  return {
    path,
    target: `local:${path.slice(path.lastIndexOf("/") + 1)}`,
    deny: [],
    granted,
  };
}

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]{0,30}$/;

/** `attach={alias: path}`: each a granted local database, attached read-only. */
function attachList(
  skill: { id: string; reads?: ReadGrants },
  attach: unknown,
): [string, GrantedPath][] {
  if (attach === undefined || attach === null) return [];
  if (!isObject(attach) || Object.keys(attach).length > 8) {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `"attach" must map at most 8 aliases to database paths`,
    );
  }
  return Object.entries(attach).map(([alias, path]) => {
    if (!ALIAS.test(alias) || ["main", "temp"].includes(alias.toLowerCase())) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `attach alias "${
          alias.slice(0, 40)
        }" must be a plain name (not main or temp)`,
      );
    }
    if (typeof path !== "string" || !isHostPath(path)) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `attach "${alias}" must be a path such as "~/app/data.db"`,
      );
    }
    return [alias, localDatabase(skill, path).granted!];
  });
}
