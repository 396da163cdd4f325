/**
 * Waiting for an engine to be at rest before a look at its memory, its
 * descriptors or its processes.
 *
 * @module
 */
import { descendants, openFds } from "../../bench/proc_stats.ts";
import { pause } from "./measure.ts";

/**
 * Waits until the engine is at rest: its process tree (spares refilled) and
 * its open descriptors (the last workers' pipes closed) the same in two
 * looks 500 ms apart, or 20 s have passed.
 *
 * @returns the number of processes under the engine
 */
export async function settled(pid: number): Promise<number> {
  let last = "";
  let processes = 0;
  for (let i = 0; i < 40; i++) {
    await pause(500);
    processes = descendants(pid).length;
    const now = `${processes} ${openFds(pid).size}`;
    if (now === last) break;
    last = now;
  }
  return processes;
}
