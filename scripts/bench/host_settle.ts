/**
 * A settled machine before each group of figures: the bench waits (with a
 * deadline) until the host's processors are nearly idle, its 1-minute load
 * average is below the core count and the processes under the bench (the
 * shared engine's spares and helpers, the last group's engines on their
 * way out) stay the same between two looks. What it saw is kept with
 * every figure of the group; a group that started on a machine that did
 * not settle says so in the table and the JSON.
 *
 * @module
 */
import { descendants } from "../../bench/proc_stats.ts";
import { pause } from "./measure.ts";

/** The host as a group of figures found it. */
export interface HostState {
  /** The 1-minute load average. */
  load1: number;
  /** Share of the host's processor time that was busy over the last look (0–1). */
  busy: number;
  /** Processes under the bench. */
  processes: number;
  /** Whether the host met the conditions before the deadline. */
  settled: boolean;
  /** How long the bench waited for it (ms). */
  waitedMs: number;
}

/** How quiet the host must be, and how long to wait for it. */
export interface SettleOptions {
  /** The longest wait (ms). */
  deadlineMs: number;
  /** Most busy share over a look (default 0.15). */
  maxBusy?: number;
  /** The 1-minute load average must be below this (default: the core count). */
  maxLoad1?: number;
  /** Longest look (ms, default 1000). */
  lookMs?: number;
  /** How many processes are under the bench (default: this process's descendants). */
  processes?: () => number;
}

/** Busy and total processor time of the whole host so far (clock ticks). */
export function cpuTicks(): { busy: number; total: number } {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, n) => sum + n, 0);
  // user nice system idle iowait irq softirq steal: idle and iowait wait.
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/** The 1-minute load average. */
export function load1(): number {
  return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
}

/**
 * Waits until two looks in a row find the host quiet: busy at most
 * `maxBusy` of the time, the 1-minute load average below the core count
 * and the same processes under the bench; or until the deadline.
 *
 * @param options the deadline and the thresholds
 * @returns what the last look saw, and whether it was settled
 */
export async function settleHost(options: SettleOptions): Promise<HostState> {
  const maxBusy = options.maxBusy ?? 0.15;
  const lookMs = options.lookMs ?? 1000;
  const maxLoad1 = options.maxLoad1 ?? navigator.hardwareConcurrency;
  const under = options.processes ?? (() => descendants(Deno.pid).length);
  const started = performance.now();
  let quietLooks = 0;
  let lastProcesses = under();
  for (;;) {
    const before = cpuTicks();
    await pause(lookMs);
    const after = cpuTicks();
    const busy = (after.busy - before.busy) /
      Math.max(1, after.total - before.total);
    const processes = under();
    const state = {
      load1: load1(),
      busy,
      processes,
      waitedMs: Math.round(performance.now() - started),
    };
    const quiet = busy <= maxBusy && state.load1 < maxLoad1 &&
      processes === lastProcesses;
    quietLooks = quiet ? quietLooks + 1 : 0;
    lastProcesses = processes;
    if (quietLooks >= 2) return { ...state, settled: true };
    if (state.waitedMs + lookMs > options.deadlineMs) {
      return { ...state, settled: false };
    }
  }
}

/** The state as one short phrase for the tables, e.g. `load 0.42, 3% busy`. */
export function describeHost(host: HostState): string {
  const said = `load ${host.load1.toFixed(2)}, ${
    Math.round(100 * host.busy)
  }% busy`;
  return host.settled
    ? said
    : `${said}, not settled in ${Math.round(host.waitedMs / 1000)} s`;
}
