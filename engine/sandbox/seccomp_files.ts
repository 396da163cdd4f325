/**
 * The seccomp filters on disk: the launcher opens one on fd 3 before it
 * starts bubblewrap, so the filter is written once at engine start, the
 * workers' (no process creation) and beside it `shell.run`'s programs',
 * and the programs' granted `--net` (IPv4/IPv6 sockets allowed too).
 *
 * @module
 */
import { seccompProgram } from "./seccomp_filter.ts";

/** Where the filters were written, or that this machine has none. */
export interface SeccompFiles {
  /** Whether a filter exists for this machine. */
  seccomp: boolean;
  /** The workers' filter, `""` without one. */
  filterPath: string;
  /** The programs' filter (processes allowed), `""` without one. */
  programFilterPath: string;
  /** The filter of programs granted `--net`, `""` without one. */
  programNetFilterPath: string;
}

/**
 * Writes the workers' filter and the programs' filter for a machine.
 *
 * @param machine the interpreter's machine (`x86_64`, `aarch64`, …)
 * @param filterPath where the workers' filter goes (default: a temp file);
 *   the programs' goes beside it
 * @returns the paths, or `seccomp: false` when the machine has no filter
 */
export async function writeSeccompFilters(
  machine: string,
  filterPath: string | undefined,
): Promise<SeccompFiles> {
  const program = seccompProgram(machine);
  if (program === undefined) {
    return {
      seccomp: false,
      filterPath: "",
      programFilterPath: "",
      programNetFilterPath: "",
    };
  }
  const workers = filterPath ??
    await Deno.makeTempFile({ prefix: "agentos-seccomp-" });
  await Deno.writeFile(workers, program, { mode: 0o644 });
  // shell.run's programs fork (git does): the same floor, processes allowed.
  // Beside the workers' filter (the engine may write only its home).
  const programs = filterPath
    ? filterPath.replace(/(\.bpf)?$/, "-programs.bpf")
    : await Deno.makeTempFile({ prefix: "agentos-seccomp-programs-" });
  await Deno.writeFile(
    programs,
    seccompProgram(machine, { processes: true })!,
    { mode: 0o644 },
  );
  // Sockets of the network only where the network is the private
  // namespace the engine's proxy serves (see shell_argv.ts).
  const net = filterPath
    ? filterPath.replace(/(\.bpf)?$/, "-programs-net.bpf")
    : await Deno.makeTempFile({ prefix: "agentos-seccomp-programs-net-" });
  await Deno.writeFile(
    net,
    seccompProgram(machine, { processes: true, inet: true })!,
    { mode: 0o644 },
  );
  return {
    seccomp: true,
    filterPath: workers,
    programFilterPath: programs,
    programNetFilterPath: net,
  };
}
