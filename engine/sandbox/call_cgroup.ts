import { LAUNCHER_SHELL } from "./launcher.ts";
import { CgroupKeeper } from "./cgroup_keeper.ts";

/** The cgroup v1 controllers a call's cgroup uses, in the launcher's order. */
const CONTROLLERS = ["pids", "memory", "cpu"] as const;

/** What `engine.status` and `agentos doctor` say about cgroups. */
export interface CgroupReport {
  /** `v1` (pids, memory and cpu controllers) or `none`. */
  kind: "v1" | "none";
  /** Where, or why none. */
  detail: string;
}

/** What {@linkcode CgroupTree.open} reads of the engine's process. */
export interface CgroupTreeOptions {
  /** Text of `/proc/self/cgroup`. */
  selfCgroup: string;
  /** Text of `/proc/self/mounts`. */
  mounts: string;
  /** Where a warning goes (the tree removed under the engine and made again). */
  warn?: (message: string, fields: Record<string, unknown>) => void;
  /** The interpreter that runs the keeper (`cgroup_keeper.ts`). */
  python: string;
}

// Sweeps the trees of engines that died without removing theirs (killed,
// crashed): whatever is still in them is killed, the empty cgroups
// removed. A tree is a live engine's while its keeper cgroup (pids) has a
// task, or while a process has the pid its name ends with: an engine in
// another pid namespace shows by its keeper. $1 is the pids hierarchy's
// parent; every argument is a parent to sweep.
const SWEEP = `pids=$1
for parent in "$@"; do
  for stale in "$parent"/agentos-*; do
    [ -d "$stale" ] || continue
    name=\${stale##*/}
    [ -d "/proc/\${name##*-}" ] && continue
    tasks=0
    [ -f "$pids/$name/keeper/pids.current" ] && read -r tasks <"$pids/$name/keeper/pids.current"
    [ "\${tasks:-0}" -gt 0 ] && continue
    for cg in "$stale"/c* "$stale"/keeper; do
      [ -d "$cg" ] || continue
      # A killed process leaves its cgroup only once it has exited: retry.
      tries=0
      while [ "$tries" -lt 100 ]; do
        while IFS= read -r pid; do kill -9 "$pid" 2>/dev/null; done <"$cg/cgroup.procs"
        rmdir "$cg" 2>/dev/null && break
        tries=$((tries + 1)); sleep 0.02
      done
    done
    rmdir "$stale" 2>/dev/null
  done
done
exit 0`;

/** Call cgroups kept made ahead of need (spares and cold calls take them). */
const STOCK = 8;

/**
 * The stock is topped up once it falls to this many, so one command to
 * the keeper makes several cgroups (when the keeper was a shell, each was
 * a `mkdir` process: topping up after every call made one process a call).
 */
const RESTOCK_AT = 4;

/** The tree made again within this long of the last warning: no new one. */
const REMADE_WARNING_MS = 60_000;

/**
 * Releases are sent to the keeper together after this long, or at once
 * when this many wait: one command for several calls' cgroups. Short,
 * because some wait for it (an SQL runner's slot is free only once its
 * cgroup is gone).
 */
const RELEASE_BATCH_MS = 20;
const RELEASE_BATCH_MAX = 8;

/**
 * How long a release nobody waits for (a skill worker's, reaped after its
 * answer) may wait for company: at a sustained rate of calls one command
 * to the keeper then removes several calls' cgroups instead of one a call.
 * A release that is waited for brings the whole batch forward.
 */
export const LAZY_RELEASE_MS = 100;

/**
 * The engine's cgroups: one directory per controller under the engine's
 * own cgroup (`…/agentos-<tag>-<engine pid>/`), holding one cgroup per
 * sandboxed process (a worker, a discovery run, an SQL runner). The
 * keeper (`cgroup_keeper.ts`) makes a stock of them ahead of need and
 * removes released ones in batches; the launcher sets the call's limits
 * and joins. Used where the host lets the engine write there: cgroup v1
 * `pids`, `memory` and `cpu` hierarchies (root, or a delegated tree).
 * Where not, `kind` is `none` with the reason, and calls keep the floor of
 * resource limits and the seccomp filter.
 *
 * cgroup v2 is not used yet: it needs the engine to move itself into a leaf
 * of a delegated tree; it is reported as such.
 */
export class CgroupTree {
  /** `v1` or `none`. */
  readonly kind: CgroupReport["kind"];
  /** Where, or why none. */
  readonly detail: string;
  #dirs: string[] | undefined;
  #keeper: CgroupKeeper | undefined;
  #python: string;
  #warn: (message: string, fields: Record<string, unknown>) => void;
  #next = 0;
  #stock: string[] = [];
  #making: Promise<void> | undefined;
  #failing = false;
  #remade = 0;
  #remadeWarned = -Infinity;
  #closed = false;
  #live = new Set<CallCgroup>();
  #releasing = new Map<string, (left: number) => void>();
  #releaseTimer: ReturnType<typeof setTimeout> | undefined;
  #releaseAt = 0;
  #restarting: Promise<CgroupKeeper> | undefined;

  private constructor(
    report: CgroupReport,
    dirs?: string[],
    keeper?: { keeper: CgroupKeeper; python: string },
    warn?: CgroupTreeOptions["warn"],
  ) {
    this.kind = report.kind;
    this.detail = report.detail;
    this.#dirs = dirs;
    this.#keeper = keeper?.keeper;
    this.#python = keeper?.python ?? "";
    this.#warn = warn ?? (() => {});
  }

  /**
   * Finds the engine's own v1 cgroups, sweeps dead engines' trees, and
   * starts the keeper, which makes the engine's tree and a first stock.
   *
   * @param options the engine's `/proc/self/cgroup` and `/proc/self/mounts`
   * @returns the tree; `kind` says whether calls get cgroups
   */
  static async open(options: CgroupTreeOptions): Promise<CgroupTree> {
    const found = treeDirs(options);
    if (typeof found === "string") return CgroupTree.unavailable(found);
    await shell(SWEEP, found.map((dir) => dir.slice(0, dir.lastIndexOf("/"))));
    const keeper = await CgroupKeeper.start(found, options.python);
    if (typeof keeper === "string") {
      return CgroupTree.unavailable(
        `cannot create the engine's cgroups: ${keeper}`,
      );
    }
    const tree = new CgroupTree(
      { kind: "v1", detail: found.join(" ") },
      found,
      { keeper, python: options.python },
      options.warn,
    );
    await tree.#restock();
    return tree;
  }

  /**
   * A tree that makes no cgroups.
   *
   * @param detail why
   * @returns the tree, of kind `none`
   */
  static unavailable(detail: string): CgroupTree {
    return new CgroupTree({ kind: "none", detail });
  }

  /** The report for `engine.status`. */
  report(): CgroupReport {
    return { kind: this.kind, detail: this.detail };
  }

  /**
   * The cgroup of one sandboxed process: one made ahead when the stock has
   * one, else a name the launcher makes (its tree too, if it was removed).
   * Call `release` once the process has exited.
   *
   * @returns the cgroup, or undefined when the tree is `none`
   */
  create(): CallCgroup | undefined {
    if (this.#dirs === undefined) return undefined;
    const name = this.#stock.shift() ?? this.#name();
    if (this.#stock.length <= RESTOCK_AT) void this.#restock();
    const cgroup: CallCgroup = new CallCgroup(
      this.#dirs.map((dir) => `${dir}/${name}`),
      (lazy: boolean): Promise<number> => this.#release(name, cgroup, lazy),
    );
    this.#live.add(cgroup);
    return cgroup;
  }

  #name(): string {
    return `c${++this.#next}`;
  }

  /** Tops the stock up in one batch; one batch at a time. */
  #restock(): Promise<void> {
    if (this.#making || this.#closed || this.#keeper === undefined) {
      return Promise.resolve();
    }
    this.#making = this.#makeBatch().finally(() => this.#making = undefined);
    return this.#making;
  }

  async #makeBatch(): Promise<void> {
    const names = Array.from(
      { length: STOCK - this.#stock.length },
      () => this.#name(),
    );
    if (names.length === 0) return;
    const keeper = await this.#liveKeeper();
    const answer = await keeper.send("make", names);
    if (answer.kind === "failed") {
      // Once per spell of failures, not once per call.
      if (!this.#failing) {
        this.#warn("Cannot make call cgroups ahead; calls make their own", {
          reason: answer.why,
        });
      }
      this.#failing = true;
      return;
    }
    this.#failing = false;
    if (answer.kind === "remade") this.#warnRemade();
    if (this.#closed) {
      await keeper.send("release", names);
      return;
    }
    this.#stock.push(...names);
    // Calls took more while this batch was made: make the next one.
    if (this.#stock.length <= RESTOCK_AT) {
      queueMicrotask(() => void this.#restock());
    }
  }

  /**
   * The keeper, started again when something killed it (a sweep that took
   * the tree away kills it too); it makes the tree again as it starts.
   */
  #liveKeeper(): Promise<CgroupKeeper> {
    const current = this.#keeper!;
    if (!current.ended || this.#closed) return Promise.resolve(current);
    this.#restarting ??= CgroupKeeper.start(this.#dirs!, this.#python).then(
      (started) => {
        this.#restarting = undefined;
        if (typeof started === "string") {
          this.#warn("The engine's cgroup keeper cannot start again", {
            reason: started,
          });
          return current;
        }
        this.#warnRemade();
        this.#keeper = started;
        return started;
      },
    );
    return this.#restarting;
  }

  /** One warning per spell of removals (a sweep may race the re-making). */
  #warnRemade(): void {
    this.#remade++;
    const now = Date.now();
    if (now - this.#remadeWarned < REMADE_WARNING_MS) return;
    this.#remadeWarned = now;
    this.#warn(
      "The engine's cgroup tree or its keeper was removed; it was made again",
      { tree: this.detail, times: this.#remade },
    );
  }

  #release(name: string, cgroup: CallCgroup, lazy: boolean): Promise<number> {
    return new Promise<number>((resolve) => {
      this.#releasing.set(name, resolve);
      if (this.#releasing.size >= RELEASE_BATCH_MAX) {
        void this.#flushReleases();
        return;
      }
      // The batch goes when its most impatient release must.
      const at = Date.now() + (lazy ? LAZY_RELEASE_MS : RELEASE_BATCH_MS);
      if (this.#releaseTimer !== undefined && this.#releaseAt <= at) return;
      clearTimeout(this.#releaseTimer);
      this.#releaseAt = at;
      this.#releaseTimer = setTimeout(
        () => void this.#flushReleases(),
        at - Date.now(),
      );
    }).finally(() => this.#live.delete(cgroup));
  }

  /** Sends every pending release to the keeper as one batch. */
  async #flushReleases(): Promise<void> {
    clearTimeout(this.#releaseTimer);
    this.#releaseTimer = undefined;
    const batch = new Map(this.#releasing);
    this.#releasing.clear();
    if (batch.size === 0) return;
    const keeper = await this.#liveKeeper();
    const answer = await keeper.send("release", [...batch.keys()]);
    for (const [name, resolve] of batch) {
      resolve(answer.kind === "released" ? answer.left.get(name) ?? 0 : 0);
    }
  }

  /** Kills what is left in every cgroup and removes the engine's tree. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#making;
    const live = [...this.#live].map((c) => c.release());
    await this.#flushReleases();
    await Promise.allSettled(live);
    const stock = this.#stock.splice(0);
    if (stock.length > 0) await this.#keeper?.send("release", stock);
    await this.#keeper?.close();
  }
}

/**
 * The cgroup of one sandboxed process: one directory per controller, in
 * the order pids, memory, cpu.
 */
export class CallCgroup {
  /** The directories (made ahead by the keeper, or by the launcher). */
  readonly dirs: string[];
  #released: Promise<number> | undefined;
  #release: (lazy: boolean) => Promise<number>;

  /** @internal made by {@linkcode CgroupTree.create} */
  constructor(dirs: string[], release: (lazy: boolean) => Promise<number>) {
    this.dirs = dirs;
    this.#release = release;
  }

  /**
   * Kills every process left in the cgroup and removes it (in the keeper's
   * next batch). Idempotent: the first call says how soon.
   *
   * @param lazy nobody waits for it (a skill worker's, reaped after its
   *   answer): the batch may wait up to {@linkcode LAZY_RELEASE_MS} for
   *   others, so one `rmdir` serves several calls
   * @returns how many processes were left (and killed)
   */
  release(lazy = false): Promise<number> {
    this.#released ??= this.#release(lazy);
    return this.#released;
  }
}

/** The tree's directory in each controller's hierarchy, or why none. */
function treeDirs(options: CgroupTreeOptions): string[] | string {
  const { selfCgroup, mounts } = options;
  const dirs: string[] = [];
  const missing: string[] = [];
  // A tag of this tree, then the engine's pid: a process may hold more
  // than one tree (tests), and every engine's sweep reads the pid after
  // the last dash.
  const tree = `${crypto.randomUUID().slice(0, 8)}-${Deno.pid}`;
  for (const controller of CONTROLLERS) {
    const mount = mounts.split("\n").map((line) => line.split(" "))
      .find((f) =>
        f[2] === "cgroup" && (f[3] ?? "").split(",").includes(controller)
      )?.[1];
    const own = selfCgroup.split("\n").map((line) => line.split(":"))
      .find((f) => (f[1] ?? "").split(",").includes(controller))?.[2];
    if (mount === undefined || own === undefined) missing.push(controller);
    else dirs.push(`${mount}${own === "/" ? "" : own}/agentos-${tree}`);
  }
  if (missing.length === 0) return dirs;
  const v2 = mounts.includes(" cgroup2 ")
    ? "; cgroup v2 is mounted, which this engine does not use yet"
    : "";
  return `no cgroup v1 ${missing.join(", ")} hierarchy${v2}`;
}

async function shell(script: string, args: string[]): Promise<void> {
  try {
    await new Deno.Command(LAUNCHER_SHELL, {
      args: ["-c", script, "agentos-cgroup", ...args],
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin" },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
  } catch {
    // The keeper's start says what is wrong.
  }
}
