import { LAUNCHER_SHELL } from "./launcher.ts";

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
}

// Deno refuses /sys short of --allow-all: every cgroup file is written by
// the shell. $1 is the pids cgroup, then every directory to remove. With
// new processes refused first (pids.max 0), the sweep cannot be outrun by
// forking; it ends when the cgroup is empty or after ~5 s. Prints how
// many processes were left.
const RELEASE = `pids=$1
left=0
while IFS= read -r pid; do left=$((left + 1)); done <"$pids/cgroup.procs"
if [ "$left" -gt 0 ]; then
  echo 0 >"$pids/pids.max"
  tries=0
  while [ "$tries" -lt 500 ]; do
    any=
    while IFS= read -r pid; do kill -9 "$pid" 2>/dev/null; any=1; done <"$pids/cgroup.procs"
    [ -z "$any" ] && break
    tries=$((tries + 1)); sleep 0.01
  done
fi
echo "$left"
tries=0
until rmdir "$@" 2>/dev/null; do
  tries=$((tries + 1)); [ "$tries" -gt 100 ] && exit 1; sleep 0.05
  set -- $(for d in "$@"; do [ -d "$d" ] && echo "$d"; done)
  [ $# -eq 0 ] && exit 0
done`;

// Makes the engine's directories, after sweeping those of engines that
// died without removing theirs (killed, crashed): whatever is still in
// them is killed, the empty cgroups removed. An engine counts as dead when
// no process has its pid.
const OPEN = `for dir in "$@"; do
  for stale in "\${dir%/*}"/agentos-*; do
    [ -d "$stale" ] || continue
    [ -d "/proc/\${stale##*-}" ] && continue
    for cg in "$stale"/c*; do
      [ -d "$cg" ] || continue
      while IFS= read -r pid; do kill -9 "$pid" 2>/dev/null; done <"$cg/cgroup.procs"
      rmdir "$cg" 2>/dev/null
    done
    rmdir "$stale" 2>/dev/null
  done
done
mkdir -p "$@"`;

/**
 * The engine's cgroups: one directory per controller under the engine's
 * own cgroup (`…/agentos-<tag>-<engine pid>/`), holding one cgroup per sandboxed
 * process (a worker, a discovery run, an SQL runner), which the launcher
 * makes and joins before bubblewrap starts. Used where the host lets the
 * engine write there: cgroup v1 `pids`, `memory` and `cpu` hierarchies
 * (root, or a delegated tree). Where not, `kind` is `none` with the
 * reason, and calls keep the floor of resource limits and the seccomp
 * filter.
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
  #next = 0;
  #live = new Set<CallCgroup>();

  private constructor(report: CgroupReport, dirs?: string[]) {
    this.kind = report.kind;
    this.detail = report.detail;
    this.#dirs = dirs;
  }

  /**
   * Finds the engine's own v1 cgroups and makes its directory in each.
   *
   * @param options the engine's `/proc/self/cgroup` and `/proc/self/mounts`
   * @returns the tree; `kind` says whether calls get cgroups
   */
  static async open(options: CgroupTreeOptions): Promise<CgroupTree> {
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
    if (missing.length > 0) {
      const v2 = mounts.includes(" cgroup2 ")
        ? "; cgroup v2 is mounted, which this engine does not use yet"
        : "";
      return CgroupTree.unavailable(
        `no cgroup v1 ${missing.join(", ")} hierarchy${v2}`,
      );
    }
    const made = await shell(OPEN, dirs);
    if (!made.success) {
      return CgroupTree.unavailable(
        `cannot create the engine's cgroups: ${made.stderr || "mkdir failed"}`,
      );
    }
    return new CgroupTree({ kind: "v1", detail: dirs.join(" ") }, dirs);
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
   * Names the cgroup of one sandboxed process; the launcher makes it (with
   * its limits) and joins it. Call `release` once the process has exited.
   *
   * @returns the cgroup, or undefined when the tree is `none`
   */
  create(): CallCgroup | undefined {
    if (this.#dirs === undefined) return undefined;
    const name = `c${++this.#next}`;
    const cgroup = new CallCgroup(
      this.#dirs.map((dir) => `${dir}/${name}`),
      () => this.#live.delete(cgroup),
    );
    this.#live.add(cgroup);
    return cgroup;
  }

  /** Kills what is left in every cgroup and removes the engine's directories. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#live].map((c) => c.release()));
    if (this.#dirs) await shell('rmdir "$@"', this.#dirs);
  }
}

/**
 * The cgroup of one sandboxed process: one directory per controller, in
 * the order pids, memory, cpu.
 */
export class CallCgroup {
  /** The directories, made by the launcher. */
  readonly dirs: string[];
  #released: Promise<number> | undefined;
  #onReleased: () => void;

  /** @internal made by {@linkcode CgroupTree.create} */
  constructor(dirs: string[], onReleased: () => void) {
    this.dirs = dirs;
    this.#onReleased = onReleased;
  }

  /**
   * Kills every process left in the cgroup and removes it. Idempotent.
   *
   * @returns how many processes were left (and killed)
   */
  release(): Promise<number> {
    this.#released ??= shell(RELEASE, this.dirs).then(({ stdout }) =>
      Number(stdout.trim().split("\n")[0]) || 0
    ).finally(this.#onReleased);
    return this.#released;
  }
}

async function shell(
  script: string,
  args: string[],
): Promise<{ success: boolean; stdout: string; stderr: string }> {
  try {
    const output = await new Deno.Command(LAUNCHER_SHELL, {
      args: ["-c", script, "agentos-cgroup", ...args],
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return {
      success: output.success,
      stdout: decode(output.stdout),
      stderr: decode(output.stderr).trim(),
    };
  } catch (error) {
    return { success: false, stdout: "", stderr: String(error) };
  }
}
