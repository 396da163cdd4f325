/**
 * What Linux says about a process and its children, read from /proc: the
 * figures the bench reports for memory, descriptors and leftover processes.
 *
 * @module
 */

/** Resident set size of `pid` in MB (VmRSS). */
export function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** What each open file descriptor of `pid` points at, by number. */
export function openFds(pid: number): Map<string, string> {
  const fds = new Map<string, string>();
  for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      fds.set(entry.name, Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`));
    } catch {
      // Closed while we looked.
    }
  }
  return fds;
}

/** Parent pid of every live process. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      // The command name may hold spaces and parentheses: split after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      map.set(pid, ppid);
    } catch {
      // Exited while we looked.
    }
  }
  return map;
}

/** Every process descended from `pid`, at any depth. */
export function descendants(pid: number): number[] {
  const map = parents();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.pop()!;
    for (const [child, ppid] of map) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/**
 * Live processes whose command line contains `needle` and whose parent died
 * (re-parented to init): what a worker leaks if its engine loses track of it.
 */
export function orphansMatching(needle: string): number[] {
  const found: number[] = [];
  for (const [pid, ppid] of parents()) {
    if (ppid !== 1) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
      if (cmdline.includes(needle)) found.push(pid);
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}

/** Clock ticks a second in /proc's times (`USER_HZ`: 100 on Linux). */
const TICKS_PER_S = 100;

/**
 * CPU time in ms of `pid` itself (user + system) and of its children it
 * has waited for (`cutime` + `cstime`: their own waited-for children
 * included), from /proc/<pid>/stat.
 */
export function cpuMs(pid: number | "self"): { own: number; reaped: number } {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // After the command name's last ")": state is field 3, utime field 14.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  const ms = (ticks: number) => ticks * 1000 / TICKS_PER_S;
  return { own: ms(f[11]! + f[12]!), reaped: ms(f[13]! + f[14]!) };
}

/**
 * CPU time in ms of `pid`, its reaped children and its live descendants
 * (a long-lived helper such as the cgroup keeper, by pid).
 */
export function treeCpuMs(pid: number): Map<number, number> {
  const all = new Map<number, number>();
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const { own, reaped } = cpuMs(p);
      all.set(p, own + reaped);
    } catch {
      // Exited while we looked.
    }
  }
  return all;
}
