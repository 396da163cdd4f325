/**
 * Figures of the confinement's own cost on the cold path (`--only
 * confinement`), and where a cold call's time goes. Every variant runs
 * interleaved with the others, many times, on one real `Sandbox` (the
 * engine's own command lines, opened as the engine opens it):
 *
 * - bare `bwrap … true`: the worker's namespaces and mounts, nothing else;
 * - fully confined `true`: the launcher, the call's cgroup (made ahead by
 *   the keeper, joined), the seccomp filter and, under a root engine,
 *   `setpriv` — the worker's exact command with `true` for the
 *   interpreter; the same without the cgroup splits out its join;
 * - the same from a launcher parked ahead, as a cold call takes it (it
 *   joined its cgroup and set its limits before; timed from its go to
 *   its exit), and bare `bwrap … true` behind the same parked shell wait
 *   (the confinement alone, with the process start ahead on both sides);
 * - a worker's command around `true` from a parked launcher: launcher,
 *   cgroup and filter without `setpriv` (a worker becomes nobody itself),
 *   timed in the same extra rounds as the two above, so its interval is
 *   as tight as theirs;
 * - a cold call's stages: the bare sandboxed interpreter start, the fully
 *   confined one, and the confined worker up to `ready` (the SDK
 *   imported), started on the path and from a parked launcher.
 *
 * The confinement's cost on the cold path is a difference of medians
 * (target ≤ 1 ms): for a call's worker, parked confined worker to
 * `ready` − bare worker to `ready` (its own uid drop and filter
 * included); for a script or program, parked fully confined `true` (with
 * `setpriv`) − bare `bwrap … true`.
 *
 * @module
 */
import {
  bwrapArgv,
  DEFAULT_LIMITS,
  inspectPython,
  LAUNCHER_GO,
  Sandbox,
  type SandboxCommand,
  type SandboxIdentity,
  SDK_MOUNT,
} from "../../engine/sandbox/mod.ts";
import { WorkerProcess } from "../../engine/workers/mod.ts";
import { realPython, REPO_ROOT } from "../../tests/_task_command.ts";
import { cpuMs, descendants } from "../../bench/proc_stats.ts";
import { bareStart } from "./bare_start.ts";
import type { BenchContext } from "./context.ts";
import { quantile } from "./figures.ts";
import { run } from "./measure.ts";

/** A start to time; one that times itself returns its own milliseconds. */
type Start = () => Promise<number | void>;

/** Where `true` is bound inside (the interpreter's prefixes may not hold one). */
const TRUE_INSIDE = "/.agentos-true";

/**
 * `args` running `true` instead of the interpreter: everything after the
 * interpreter's path goes, and `true` is bound before `/proc` is mounted
 * (the root is still writable there).
 */
function runningTrue(args: string[], executable: string): string[] {
  const out = args.slice(0, args.lastIndexOf(executable));
  out.splice(out.indexOf("--proc"), 0, "--ro-bind", hostTrue(), TRUE_INSIDE);
  return [...out, TRUE_INSIDE];
}

function hostTrue(): string {
  for (const path of ["/usr/bin/true", "/bin/true"]) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* next */ }
  }
  throw new Error("no true program on this host");
}

/** Cgroup releases: batched off the path, as after a call's answer. */
const RELEASES: Promise<unknown>[] = [];

/** Stops the launchers still parked when the measuring ends. */
const UNPARK_LEFT: (() => Promise<unknown>)[] = [];

/** Runs a sandbox command to its end; its cgroup is released off the path. */
async function runCommand(command: SandboxCommand, args = command.args) {
  const { success } = await new Deno.Command(command.program, {
    args,
    env: command.env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  RELEASES.push(command.release());
  if (!success) throw new Error("a confined start failed");
}

/** A command started ahead, waiting for its go; `release` after it exits. */
interface Parked {
  child: Deno.ChildProcess;
  release: () => Promise<unknown>;
}

/** Starts `argv` with stdin piped and no output (the parked variants). */
function spawnQuiet(
  argv: string[],
  env: Record<string, string> = {},
): Deno.ChildProcess {
  return new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    clearEnv: true,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** The same shell wait as the launcher's, in front of a bare `bwrap … true`. */
const PARKED_SHELL = 'IFS= read -r go && [ "$go" = go ] || exit 0; exec "$@"';

/**
 * Each start releases the command parked before (timed from its go to its
 * exit) and parks the next: started ahead, as the engine parks launchers.
 */
function parkedStarts(park: () => Parked): Start {
  let next = park();
  UNPARK_LEFT.push(async () => {
    await next.child.stdin.close(); // end of input: it leaves, starting nothing
    await next.child.status;
    await next.release();
  });
  return async () => {
    const { child, release } = next;
    const go = new TextEncoder().encode(LAUNCHER_GO);
    const t = performance.now();
    const writer = child.stdin.getWriter();
    await writer.write(go);
    const { success } = await child.status;
    const ms = performance.now() - t;
    await writer.close().catch(() => {});
    RELEASES.push(release());
    if (!success) throw new Error("a parked start failed");
    next = park();
    return ms;
  };
}

/** A confined `true` from a launcher parked in its cgroup. */
function parkedTrue(sandbox: Sandbox, exe: string): Start {
  return parkedStarts(() => {
    const c = sandbox.command(
      { kind: "script", source: "pass", files: [] },
      sandbox.limits,
      { parked: true },
    );
    const child = spawnQuiet([c.program, ...runningTrue(c.args, exe)], c.env);
    return { child, release: c.release };
  });
}

/**
 * A worker's confinement around `true` from a launcher parked in its
 * cgroup: the worker's own command (no `setpriv`: it becomes nobody
 * itself), its interpreter replaced by `true`.
 */
function parkedWorkerTrue(sandbox: Sandbox, exe: string): Start {
  return parkedStarts(() => {
    const c = sandbox.command({ kind: "worker" }, sandbox.limits, {
      parked: true,
    });
    const child = spawnQuiet([c.program, ...runningTrue(c.args, exe)], c.env);
    return { child, release: c.release };
  });
}

/** A bare `bwrap … true` behind a parked shell: no cgroup, filter or setpriv. */
function parkedBareTrue(bare: string[]): Start {
  return parkedStarts(() => ({
    child: spawnQuiet(["/bin/sh", "-c", PARKED_SHELL, "sh", "bwrap", ...bare]),
    release: () => Promise.resolve(0),
  }));
}

/** A confined worker from a parked launcher, timed from its go to `ready`. */
function parkedWorker(sandbox: Sandbox): Start {
  const park = () =>
    WorkerProcess.spawn(
      sandbox.command({ kind: "worker" }, sandbox.limits, { parked: true }),
    );
  let next = park();
  UNPARK_LEFT.push(() => next.kill(0));
  return async () => {
    const worker = next;
    const t = performance.now();
    worker.unpark();
    await worker.ready;
    const ms = performance.now() - t;
    stopWorker(worker);
    next = park();
    return ms;
  };
}

/**
 * How long a worker that said `ready` gets to leave by itself once its
 * stdin closes before it is killed. 0 while timing: killed at once, off
 * the path. While counting CPU time, long enough to exit: a killed
 * bubblewrap leaves its sandbox's processes to be reaped by another
 * process, whose CPU time no longer counts as this one's children's.
 */
let stopGraceMs = 0;

/** Stops a worker off the path (see {@linkcode stopGraceMs}). */
function stopWorker(worker: WorkerProcess): void {
  RELEASES.push(worker.kill(stopGraceMs).then(() => 0));
}

/** Starts a worker and waits for its `ready`; it is stopped off the path. */
async function workerToReady(command: SandboxCommand): Promise<void> {
  const worker = WorkerProcess.spawn(command);
  await worker.ready;
  stopWorker(worker);
}

/** The launcher's arguments with no cgroup to join (`n` = 0). */
function withoutCgroup(args: string[]): string[] {
  // -c SCRIPT $0 filter n dirs…: n sits at index 4.
  const n = Number(args[4]);
  return [...args.slice(0, 4), "0", ...args.slice(5 + n)];
}

/** The variants, each a start to time; all built before any is timed. */
async function variants(
  sandbox: Sandbox,
  identity: SandboxIdentity,
): Promise<Record<string, Start>> {
  const python = realPython();
  const runtime = await inspectPython(python, `${REPO_ROOT}/python`);
  const exe = runtime.executable;
  // The engine's namespaces and identity, without setpriv or a filter.
  const bareView = (pythonArgs: string[]) =>
    bwrapArgv({
      runtime,
      sdkDir: `${REPO_ROOT}/python`,
      identity: identity === "setpriv" ? "plain" : identity,
      tmpBytes: DEFAULT_LIMITS.tmpBytes,
      shmBytes: DEFAULT_LIMITS.shmBytes,
      seccomp: false,
      pythonArgs,
    });
  // Bubblewrap alone.
  const bare = runningTrue(bareView([]), exe);
  // The worker's own interpreter and SDK in the same view, without what
  // confines it (no launcher, cgroup, filters, --become or --limits).
  const bareWorker: SandboxCommand = {
    program: "bwrap",
    args: bareView(["-I", "-S", "-B", `${SDK_MOUNT}/worker_main.py`]),
    env: { PATH: "/usr/bin:/bin" },
    cwd: "/",
    release: () => Promise.resolve(0),
  };
  const script = () =>
    sandbox.command({ kind: "script", source: "pass", files: [] });
  const sandboxedPython = await bareStart(true);
  return {
    "bare bwrap … true": () => run(["bwrap", ...bare]),
    "fully confined true": () => {
      const c = script();
      return runCommand(c, runningTrue(c.args, exe));
    },
    "confined true, no cgroup": () => {
      const c = script();
      return runCommand(c, withoutCgroup(runningTrue(c.args, exe)));
    },
    "fully confined true, launcher parked ahead": parkedTrue(sandbox, exe),
    [PARKED_WORKER_TRUE]: parkedWorkerTrue(sandbox, exe),
    [PARKED_BARE]: parkedBareTrue(bare),
    "bare sandboxed python -I -S -c pass": () => run(sandboxedPython),
    "fully confined python -I -S -c pass": () => runCommand(script()),
    "confined worker to ready (SDK imported)": () =>
      workerToReady(sandbox.command({ kind: "worker" })),
    "confined worker to ready, launcher parked ahead": parkedWorker(sandbox),
    [BARE_WORKER]: () => workerToReady(bareWorker),
  };
}

/** The two variants whose difference is the confinement's cost. */
const PARKED = "fully confined true, launcher parked ahead";
const BARE = "bare bwrap … true";

/**
 * A worker's command around `true`, against bare `bwrap … true` behind
 * the same parked shell wait: both started ahead, so only the
 * confinement differs (launcher's limits, cgroup, filter; no `setpriv`).
 */
const PARKED_WORKER_TRUE =
  "a worker's confined true (no setpriv), launcher parked ahead";
const PARKED_BARE = "bare bwrap … true, parked behind a shell";

/** The same for a worker's start to `ready`: parked confined, and bare. */
const PARKED_WORKER = "confined worker to ready, launcher parked ahead";
const BARE_WORKER =
  "bare worker to ready (the same view; no launcher, cgroup, filters, --become or --limits)";

/** Extra pairs of the first two per round (each round runs every variant once). */
const PAIRS_PER_ROUND = 4;

/** Extra pairs of the worker's two per round (a start is 3–4 times longer). */
const WORKER_PAIRS_PER_ROUND = 1;

/** Resamples for the interval of a difference of medians. */
const RESAMPLES = 2000;

/**
 * The 95% interval of `median(a) − median(b)` by resampling each side
 * with replacement (a percentile bootstrap): how far the figure moves
 * from noise alone with this many samples.
 */
export function medianDifferenceInterval(
  a: number[],
  b: number[],
  resamples = RESAMPLES,
): [number, number] {
  const pick = (xs: number[]) =>
    quantile(
      Array.from(xs, () => xs[Math.floor(Math.random() * xs.length)]!),
      0.5,
    );
  const diffs: number[] = [];
  for (let i = 0; i < resamples; i++) diffs.push(pick(a) - pick(b));
  return [quantile(diffs, 0.025), quantile(diffs, 0.975)];
}

/** Measures the confinement's cost and a cold call's stages. */
export async function confinementFigures(
  { quick, figures }: BenchContext,
): Promise<void> {
  const runs = quick ? 40 : 150;
  const dir = await Deno.makeTempDir();
  const sandbox = await Sandbox.open({
    python: realPython(),
    sdkDir: `${REPO_ROOT}/python`,
    filterPath: `${dir}/seccomp.bpf`,
  });
  try {
    if (sandbox.kind !== "bubblewrap") {
      throw new Error(`no bubblewrap sandbox here: ${sandbox.detail}`);
    }
    const status = sandbox.status() as {
      containment?: { identity?: SandboxIdentity };
    };
    const all = await variants(
      sandbox,
      status.containment?.identity ?? "userns",
    );
    const samples = new Map<string, number[]>();
    for (const name of Object.keys(all)) samples.set(name, []);
    const time = async (name: string) => {
      const t = performance.now();
      const own = await all[name]!();
      samples.get(name)!.push(own ?? performance.now() - t);
    };
    for (let i = 0; i < runs; i++) {
      for (const name of Object.keys(all)) await time(name);
      // The target's two sides again, side by side, the order flipped
      // every other pair: the difference of two medians of 40 or 150
      // samples each moved by about a millisecond between runs.
      for (let k = 0; k < PAIRS_PER_ROUND; k++) {
        const flip = (i * PAIRS_PER_ROUND + k) % 2 === 1;
        for (
          const pair of [[PARKED, BARE], [PARKED_WORKER_TRUE, PARKED_BARE]]
        ) {
          if (flip) pair.reverse();
          for (const name of pair) await time(name);
        }
      }
      for (let k = 0; k < WORKER_PAIRS_PER_ROUND; k++) {
        const pair = [PARKED_WORKER, BARE_WORKER];
        if ((i * WORKER_PAIRS_PER_ROUND + k) % 2 === 1) pair.reverse();
        for (const name of pair) await time(name);
      }
    }
    recordConfinement(figures, samples);
    await recordCpu(figures, all, quick);
  } finally {
    await Promise.allSettled(UNPARK_LEFT.splice(0).map((stop) => stop()));
    await Promise.allSettled(RELEASES.splice(0));
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * CPU time (ms) of this process's reaped children and of its live
 * descendants (the cgroup keeper, parked launchers): what the starts cost
 * whatever the host's load does to their wall time.
 */
function childrenCpuMs(): number {
  let ms = cpuMs("self").reaped;
  for (const pid of descendants(Deno.pid)) {
    try {
      const { own, reaped } = cpuMs(pid);
      ms += own + reaped;
    } catch { /* exited while we looked */ }
  }
  return ms;
}

/**
 * CPU time per start of two variants, in blocks of `perBlock` starts
 * (the clock-tick counts of /proc are too coarse for one start), the
 * order flipped every other block; releases are awaited inside a block.
 */
async function cpuBlocks(
  all: Record<string, Start>,
  names: [string, string],
  blocks: number,
  perBlock: number,
): Promise<[number[], number[]]> {
  const out: [number[], number[]] = [[], []];
  for (let b = 0; b < blocks; b++) {
    for (const i of b % 2 === 1 ? [1, 0] : [0, 1]) {
      await Promise.allSettled(RELEASES.splice(0));
      const before = childrenCpuMs();
      for (let n = 0; n < perBlock; n++) await all[names[i]!]!();
      await Promise.allSettled(RELEASES.splice(0));
      out[i]!.push((childrenCpuMs() - before) / perBlock);
    }
  }
  return out;
}

/** The confinement's cost in CPU time: the same two pairs as in wall time. */
async function recordCpu(
  figures: BenchContext["figures"],
  all: Record<string, Start>,
  quick: boolean,
): Promise<void> {
  // 10 ms clock ticks over 40 or 80 starts: 0.25 or 0.125 ms a start.
  const [blocks, perBlock] = quick ? [4, 40] : [6, 80];
  stopGraceMs = 2000;
  const pairs: [[string, string], string][] = [
    [
      [PARKED, BARE],
      "confinement's own CPU time on the cold path (parked fully confined true − bare bwrap … true, per start; launcher, its shell start and the cgroup keeper counted)",
    ],
    [
      [PARKED_WORKER_TRUE, PARKED_BARE],
      "a worker's confinement around true in CPU time (parked worker-path confined true − bare bwrap … true behind a parked shell, per start; both shells' start and the cgroup keeper counted)",
    ],
    [
      [PARKED_WORKER, BARE_WORKER],
      "a worker's confinement in CPU time (parked confined worker to ready − bare worker to ready, per start)",
    ],
  ];
  for (const [names, label] of pairs) {
    const [a, b] = await cpuBlocks(all, names, blocks, perBlock);
    figures.add({
      name: `${label}, ${blocks} blocks of ${perBlock} a side`,
      unit: "ms",
      median: quantile(a, 0.5) - quantile(b, 0.5),
      p90: NaN,
      baseline: { name: `${names[1]}, CPU time`, median: quantile(b, 0.5) },
    });
  }
}

/** Two rows: the 95% interval of `median(a) − median(b)` from noise. */
function addInterval(
  figures: BenchContext["figures"],
  a: number[],
  b: number[],
): void {
  const [low, high] = medianDifferenceInterval(a, b);
  const interval = `its 95% interval from noise (bootstrap of both medians, ${
    Math.min(a.length, b.length)
  } interleaved samples a side)`;
  figures.add(
    { name: `  ${interval}, low end`, unit: "ms", median: low, p90: NaN },
    { name: `  ${interval}, high end`, unit: "ms", median: high, p90: NaN },
  );
}

/** A worker's path (no `setpriv`): around `true`, and up to `ready`. */
function recordWorkerConfinement(
  figures: BenchContext["figures"],
  get: (name: string) => number[],
  cost: (pair: [string, string], label: string, target?: string) => void,
): void {
  cost(
    [PARKED_WORKER_TRUE, PARKED_BARE],
    "a worker's confinement on the cold path, both started ahead (median parked worker-path confined true − median bare bwrap … true behind a parked shell: launcher's limits, cgroup, filter; no setpriv)",
  );
  addInterval(figures, get(PARKED_WORKER_TRUE), get(PARKED_BARE));
  cost(
    [PARKED_WORKER, BARE_WORKER],
    "a worker's confinement on the cold path (median parked confined worker to ready − median bare worker to ready: launcher, cgroup, both filters, --become and --limits; no setpriv)",
    // The whole of what a call's worker adds (its own uid drop and filter
    // included): the launcher + cgroup + seccomp + setpriv, as a
    // worker now does them.
    "≤ 1 ms",
  );
  addInterval(figures, get(PARKED_WORKER), get(BARE_WORKER));
}

function recordConfinement(
  figures: BenchContext["figures"],
  samples: Map<string, number[]>,
): void {
  const get = (name: string) => samples.get(name)!;
  const median = (name: string) => quantile(get(name), 0.5);
  const bareTrue = {
    name: "bare bwrap … true",
    samples: get("bare bwrap … true"),
  };
  const parked = PARKED;
  figures.record(
    "fully confined true (launcher, cgroup, seccomp, setpriv), launcher started on the path",
    "ms",
    get("fully confined true"),
    bareTrue,
  );
  figures.record(
    `${parked} (timed from its go)`,
    "ms",
    get(parked),
    bareTrue,
  );
  const diff = (a: string, b: string) => median(a) - median(b);
  const cost = (
    [name, base]: [string, string],
    label: string,
    target?: string,
  ) =>
    figures.add({
      name: label,
      unit: "ms",
      median: diff(name, base),
      p90: quantile(get(name), 0.9) - quantile(get(base), 0.9),
      target,
    });
  const bare = BARE;
  cost(
    [parked, bare],
    "confinement's own cost on the cold path of a script or program (SQL runner, shell.run: with setpriv; median parked fully confined true − median bare bwrap … true)",
    "≤ 1 ms",
  );
  addInterval(figures, get(parked), get(bare));
  cost(
    [parked, PARKED_BARE],
    "  of which the confinement alone, both started ahead (− median bare bwrap … true behind a parked shell)",
  );
  cost(
    ["fully confined true", bare],
    "  the same with the launcher started on the path (a cold call when none is parked)",
  );
  figures.add({
    name: "  of which joining the call's cgroup (median with − median without)",
    unit: "ms",
    median: diff("fully confined true", "confined true, no cgroup"),
    p90: NaN,
  });
  recordWorkerConfinement(figures, get, cost);
  const pythonStart = {
    name: "bare sandboxed start",
    samples: get("bare sandboxed python -I -S -c pass"),
  };
  for (
    const name of [
      "fully confined python -I -S -c pass",
      "confined worker to ready (SDK imported)",
      "confined worker to ready, launcher parked ahead",
    ]
  ) {
    figures.record(`cold path: ${name}`, "ms", get(name), pythonStart);
  }
}
