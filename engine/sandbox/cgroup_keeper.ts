/**
 * The keeper of the engine's cgroup tree: one long-lived interpreter the
 * engine starts with the tree (Deno refuses /sys short of --allow-all),
 * running the fixed script below with the standard library only. It
 * makes call cgroups ahead of need and removes released ones, each in
 * batches, with `mkdir` and `rmdir` as system calls: no call pays a
 * process start for its cgroup, and neither does the keeper (a shell
 * keeper started `mkdir` and `rmdir` processes, about 1 ms of CPU a call
 * in a sustained run). It lives in the tree's `keeper` pids cgroup: a
 * tree whose keeper has a task belongs to a live engine, whatever pid
 * namespace that engine sees (a start-up sweep reads it). When the tree
 * has been removed under the engine, the keeper makes it again and says
 * so.
 *
 * @module
 */
import { LAUNCHER_SHELL } from "./launcher.ts";

// argv[1] its name (what ps shows of it), argv[2..4] the tree in the pids,
// memory and cpu hierarchies. One command
// a line on stdin, one answer a line on stdout:
//   make c1 c2 …     → "made c1 c2 …" or "remade c1 c2 …" (the tree was
//                       gone and is back), or "failed <why>"
//   release c1 c2 …  → "released c1=<left> c2=<left> …" (processes killed)
// With new processes refused first (pids.max 0), a release cannot be
// outrun by forking. End of input: the keeper leaves and removes the tree.
// Every path comes from argv and the names from the engine (c<n>); no
// input is evaluated.
const KEEPER = `import os, sys, time
t1, t2, t3 = sys.argv[2:5]
keeper = t1 + "/keeper"

def say(line):
    try:
        sys.stdout.write(line + "\\n")
        sys.stdout.flush()
    except OSError:
        pass  # the engine stopped reading: the tree is removed anyway

def why(error):
    return f"mkdir: {error.filename}: {error.strerror}"

def home():
    for path in (t1, t2, t3, keeper):
        os.makedirs(path, exist_ok=True)
    with open(keeper + "/cgroup.procs", "w") as file:
        file.write(str(os.getpid()))

def pids(cgroup):
    try:
        with open(cgroup + "/cgroup.procs") as file:
            return [int(line) for line in file if line.strip()]
    except OSError:
        return []

def empty(cgroup):
    for _ in range(500):
        found = pids(cgroup)
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        time.sleep(0.01)

def remove(dirs, tries, pause):
    for _ in range(tries):
        dirs = [d for d in dirs if os.path.isdir(d)]
        for d in dirs:
            try:
                os.rmdir(d)
            except OSError:
                pass  # a cgroup a process just left may refuse for a moment
        dirs = [d for d in dirs if os.path.isdir(d)]
        if not dirs:
            return
        time.sleep(pause)

def make(names):
    said = "made"
    if not (os.path.isdir(keeper) and os.path.isdir(t2) and os.path.isdir(t3)):
        try:
            home()
        except OSError as error:
            return "failed the tree was removed and cannot be made again: " + why(error)
        said = "remade"
    failures = []
    for name in names:
        for tree in (t1, t2, t3):
            try:
                os.mkdir(tree + "/" + name)
            except OSError as error:
                failures.append(why(error))
    return "failed " + "; ".join(failures) if failures else " ".join([said] + names)

def release(names):
    out, dirs = [], []
    for name in names:
        cgroup = t1 + "/" + name
        left = len(pids(cgroup)) if os.path.isdir(cgroup) else 0
        if left > 0:
            try:
                with open(cgroup + "/pids.max", "w") as file:
                    file.write("0")
            except OSError:
                pass
            empty(cgroup)
        out.append(f"{name}={left}")
        dirs += [tree + "/" + name for tree in (t1, t2, t3)]
    remove(dirs, 100, 0.05)
    return " ".join(["released"] + out)

try:
    home()
except OSError as error:
    say("failed " + why(error))
    sys.exit(1)
say("ready")
for line in sys.stdin:
    verb, _, rest = line.strip().partition(" ")
    names = rest.split()
    if verb == "make":
        say(make(names))
    elif verb == "release":
        say(release(names))
try:
    with open(t1.rsplit("/", 1)[0] + "/cgroup.procs", "w") as file:
        file.write(str(os.getpid()))
except OSError:
    pass
remove([keeper, t1, t2, t3], 100, 0.01)
`;

/** The keeper's name on its command line (`ps` shows it). */
export const KEEPER_NAME = "agentos-cgroup-keeper";

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
   * @param python the interpreter that runs it (started through the
   *   launcher's shell, which the engine may always run)
   * @returns the keeper, or why it could not start
   */
  static async start(
    dirs: string[],
    python: string,
  ): Promise<CgroupKeeper | string> {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(LAUNCHER_SHELL, {
        args: [
          "-c",
          'exec "$@"',
          KEEPER_NAME,
          python,
          "-I",
          "-S",
          "-c",
          KEEPER,
          KEEPER_NAME,
          ...dirs,
        ],
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
