import { type SandboxCommand, spawnCommand } from "../../sandbox/mod.ts";

/** Most bytes kept of a program's stdout and of its stderr; past it the program is killed. */
export const MAX_PROGRAM_OUTPUT = 4 * 1024 * 1024;

/** What `shell.run` answers. */
export interface ProgramResult {
  exit_code: number | null;
  stdout: string;
  stderr: string;
  timed_out: boolean;
  /** True when an output passed {@linkcode MAX_PROGRAM_OUTPUT} and the program was killed. */
  truncated: boolean;
}

/** How to start one confined program. */
export interface ProgramSpawn {
  /** The confined command (the sandbox's launcher and bubblewrap), released after. */
  command: SandboxCommand;
  /** Text for its standard input. */
  input?: string;
  timeoutMs: number;
  /** Aborted when the call ends: the program is killed. */
  signal?: AbortSignal;
}

/**
 * Reads a stream to its end, keeping at most {@linkcode MAX_PROGRAM_OUTPUT}
 * bytes; past that it calls `onPast` and drains the rest, so the pipe closes.
 */
async function collectCapped(
  stream: ReadableStream<Uint8Array>,
  onPast: () => void,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (size + chunk.length > MAX_PROGRAM_OUTPUT) {
      chunks.push(chunk.subarray(0, MAX_PROGRAM_OUTPUT - size));
      size = MAX_PROGRAM_OUTPUT;
      onPast();
      continue;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(all);
}

/**
 * Runs one confined program to its end: feeds its input, keeps at most
 * {@linkcode MAX_PROGRAM_OUTPUT} bytes of each output (killing it past
 * that), kills it at its timeout or when the call ends, and never lets it
 * outlive this function.
 *
 * @param spawn the command (bubblewrap and its arguments), input, timeout, signal
 * @returns exit code (null when killed), outputs as text, and how it ended
 */
export async function runProgram(spawn: ProgramSpawn): Promise<ProgramResult> {
  const { command } = spawn;
  const child = spawnCommand(command);
  let timedOut = false;
  let truncated = false;
  // Bubblewrap first (so the launcher cannot make a cgroup after), then
  // every process of the call's cgroup: on a root engine the program
  // becomes nobody through setpriv, which clears its parent-death signal,
  // so killing bubblewrap alone would leave it running with the pipes open.
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    void command.release();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, spawn.timeoutMs);
  spawn.signal?.addEventListener("abort", kill, { once: true });
  const collect = (stream: ReadableStream<Uint8Array>) =>
    collectCapped(stream, () => {
      truncated = true;
      kill();
    });
  const feed = (async () => {
    const writer = child.stdin.getWriter();
    try {
      if (spawn.input) {
        await writer.write(new TextEncoder().encode(spawn.input));
      }
      await writer.close();
    } catch {
      // The program exited without reading all of it: not an error of ours.
    }
  })();
  try {
    const [stdout, stderr, status] = await Promise.all([
      collect(child.stdout),
      collect(child.stderr),
      child.status,
      feed,
    ]);
    return {
      exit_code: status.signal === null ? status.code : null,
      stdout,
      stderr,
      timed_out: timedOut,
      truncated,
    };
  } finally {
    clearTimeout(timer);
    spawn.signal?.removeEventListener("abort", kill);
    // Whatever the program left behind dies with its cgroup.
    await command.release();
  }
}
