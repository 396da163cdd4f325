/**
 * The keeper of the engine's cgroup tree: one long-lived POSIX shell the
 * engine starts with the tree (Deno refuses /sys short of --allow-all).
 * It makes call cgroups ahead of need and removes released ones, each in
 * batches, so no call pays a process start for its cgroup. It lives in
 * the tree's `keeper` pids cgroup: a tree whose keeper has a task belongs
 * to a live engine, whatever pid namespace that engine sees (a start-up
 * sweep reads it). When the tree has been removed under the engine, the
 * keeper makes it again and says so.
 *
 * @module
 */
import { LAUNCHER_SHELL } from "./launcher.ts";

// $1..$3 the tree in the pids, memory and cpu hierarchies. One command a
// line on stdin, one answer a line on stdout:
//   make c1 c2 …     → "made c1 c2 …" or "remade c1 c2 …" (the tree was
//                       gone and is back), or "failed <why>"
//   release c1 c2 …  → "released c1=<left> c2=<left> …" (processes killed)
// With new processes refused first (pids.max 0), a release cannot be
// outrun by forking. End of input: the keeper leaves and removes the tree.
const KEEPER = `t1=$1 t2=$2 t3=$3
keeper="$t1/keeper"
# The engine may stop reading before the end: the tree is removed anyway.
trap '' PIPE
# One answer is one line, whatever mkdir printed (a line per directory).
oneline() { printf '%s' "$1" | tr '\\n' ' '; }
home() { mkdir -p "$t1" "$t2" "$t3" "$keeper" 2>&1 && echo $$ >"$keeper/cgroup.procs"; }
why=$(home) || { echo "failed \${why:-cannot join $keeper}"; exit 1; }
echo ready
empty() {
  tries=0
  while [ "$tries" -lt 500 ]; do
    any=
    while IFS= read -r pid; do kill -9 "$pid" 2>/dev/null; any=1; done <"$1/cgroup.procs"
    [ -z "$any" ] && return
    tries=$((tries + 1)); sleep 0.01
  done
}
while IFS=' ' read -r verb names; do
  case $verb in
  make)
    said=made
    if [ ! -d "$keeper" ] || [ ! -d "$t2" ] || [ ! -d "$t3" ]; then
      why=$(home) || { echo "failed the tree was removed and cannot be made again: $(oneline "$why")"; continue; }
      said=remade
    fi
    set --
    for n in $names; do set -- "$@" "$t1/$n" "$t2/$n" "$t3/$n"; done
    if why=$(mkdir "$@" 2>&1); then echo "$said $names"; else echo "failed $(oneline "$why")"; fi ;;
  release)
    out=
    set --
    for n in $names; do
      left=0
      if [ -d "$t1/$n" ]; then
        while IFS= read -r pid; do left=$((left + 1)); done <"$t1/$n/cgroup.procs"
        if [ "$left" -gt 0 ]; then echo 0 >"$t1/$n/pids.max"; empty "$t1/$n"; fi
      fi
      out="$out $n=$left"
      for d in "$t1/$n" "$t2/$n" "$t3/$n"; do [ -d "$d" ] && set -- "$@" "$d"; done
    done
    tries=0
    while [ $# -gt 0 ] && ! rmdir "$@" 2>/dev/null && [ "$tries" -lt 100 ]; do
      tries=$((tries + 1)); sleep 0.05
      for d in "$@"; do shift; [ -d "$d" ] && set -- "$@" "$d"; done
    done
    echo "released$out" ;;
  esac
done
echo $$ >"\${t1%/*}/cgroup.procs" 2>/dev/null
# A cgroup a process just left may refuse rmdir for a moment: retry.
set -- "$keeper" "$t1" "$t2" "$t3"
tries=0
while [ $# -gt 0 ] && ! rmdir "$@" 2>/dev/null && [ "$tries" -lt 100 ]; do
  tries=$((tries + 1)); sleep 0.01
  for d in "$@"; do shift; [ -d "$d" ] && set -- "$@" "$d"; done
done
exit 0`;

/** An answer of the keeper to one command. */
export type KeeperAnswer =
  | { kind: "made" | "remade"; names: string[] }
  | { kind: "released"; left: Map<string, number> }
  | { kind: "failed"; why: string };

/** The keeper process and its line protocol. */
export class CgroupKeeper {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #ended = false;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    void child.status.then(() => this.#ended = true);
    this.#writer = child.stdin.getWriter();
    this.#lines = readLines(child.stdout)[Symbol.asyncIterator]();
  }

  /**
   * Starts the keeper in the tree (making the tree if needed).
   *
   * @param dirs the tree in the pids, memory and cpu hierarchies
   * @returns the keeper, or why it could not start
   */
  static async start(dirs: string[]): Promise<CgroupKeeper | string> {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(LAUNCHER_SHELL, {
        args: ["-c", KEEPER, "agentos-cgroup-keeper", ...dirs],
        clearEnv: true,
        env: { PATH: "/usr/bin:/bin" },
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
    } catch (error) {
      return `cannot start the cgroup keeper: ${error}`;
    }
    const keeper = new CgroupKeeper(child);
    const first = await keeper.#lines.next();
    if (first.done || first.value !== "ready") {
      await keeper.close();
      return first.done
        ? "the cgroup keeper exited at once"
        : first.value.replace(/^failed /, "");
    }
    return keeper;
  }

  /** Whether the keeper has exited (ended, or killed from outside). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Sends one command and reads its answer; commands run one at a time.
   *
   * @param verb `make` or `release`
   * @param names the call cgroups' names (`c<n>`)
   * @returns the keeper's answer
   */
  send(verb: "make" | "release", names: string[]): Promise<KeeperAnswer> {
    const answer = this.#queue.then(async (): Promise<KeeperAnswer> => {
      if (this.#closed) return { kind: "failed", why: "the keeper has ended" };
      try {
        await this.#writer.write(
          new TextEncoder().encode(`${verb} ${names.join(" ")}\n`),
        );
        const line = await this.#lines.next();
        return line.done
          ? { kind: "failed", why: "the cgroup keeper has ended" }
          : parseAnswer(line.value);
      } catch (error) {
        return { kind: "failed", why: `the cgroup keeper: ${error}` };
      }
    });
    this.#queue = answer;
    return answer;
  }

  /** Ends the keeper once the commands sent have run: it removes the tree. */
  async close(): Promise<void> {
    await this.#queue;
    this.#closed = true;
    await this.#writer.close().catch(() => {});
    await this.#lines.return?.();
    await this.#child.status;
  }
}

function parseAnswer(line: string): KeeperAnswer {
  const [verb = "", ...rest] = line.split(" ");
  if (verb === "made" || verb === "remade") {
    return { kind: verb, names: rest.filter(Boolean) };
  }
  if (verb === "released") {
    const left = new Map<string, number>();
    for (const pair of rest) {
      const [name, count] = pair.split("=");
      if (name) left.set(name, Number(count) || 0);
    }
    return { kind: "released", left };
  }
  return { kind: "failed", why: rest.join(" ") || line };
}

// A reader and a decoder of its own, not pipeThrough(TextDecoderStream):
// every answer through a transform stream cost the engine ~0.2 ms of
// stream machinery (--cpu-prof of a sustained run of calls).
async function* readLines(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        yield buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
      }
    }
  } finally {
    // Ended early (the keeper closed): the pipe is released either way.
    await reader.cancel().catch(() => {});
  }
  buffered += decoder.decode();
  if (buffered !== "") yield buffered;
}
