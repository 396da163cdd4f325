/**
 * A figure group that fails does not end the run: the table gets a row
 * saying which group could not be measured and why (a busy host, a
 * removed cgroup tree the engine could not make again, a crashed call),
 * and the next group runs.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import type { BenchContext } from "./context.ts";

/**
 * Runs one group of figures; on failure records why instead of throwing.
 *
 * @param name the group's name
 * @param measure the group
 * @param context the run
 */
export async function measureOrSay(
  name: string,
  measure: (context: BenchContext) => Promise<void>,
  context: BenchContext,
): Promise<void> {
  try {
    await measure(context);
  } catch (error) {
    const why = (error instanceof Error ? error.message : String(error))
      .replace(/\s+/g, " ").slice(0, 300);
    console.error(`  ${name}: not measured: ${why}`);
    context.figures.add({
      name: `${name} (not measured)`,
      unit: "",
      median: NaN,
      p90: NaN,
      unmeasured: why,
    });
  }
}

/**
 * The host's load averages (1, 5, 15 minutes) and core count, so figures
 * from a shared, busy machine say so.
 *
 * @returns e.g. `{ load: [5.36, 7.69, 9.08], cores: 2 }`
 */
export function hostLoad(): { load: number[]; cores: number } {
  const text = (() => {
    try {
      return Deno.readTextFileSync("/proc/loadavg");
    } catch {
      return "";
    }
  })();
  return {
    load: text.split(" ").slice(0, 3).map(Number),
    cores: navigator.hardwareConcurrency,
  };
}
