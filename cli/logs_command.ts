import { resolveHome } from "../engine/mod.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit_codes.ts";

const POLL_MS = 250;

/** `agentos logs`. */
export const logsCommand: Command = {
  name: "logs",
  summary: "Print the engine log's last lines, or follow it",
  usage: "logs [-n <lines>] [--follow]",
  help: `Reads $AGENTOS_HOME/logs/engine.log (the engine need not run).

Options:
  -n <lines>    How many of the last lines (default 50; 0 for none)
  -f, --follow  Keep printing lines as the engine writes them (Ctrl-C ends)

Example:
  agentos logs -n 20`,
  options: {
    n: { type: "string", short: "n" },
    follow: { type: "boolean", short: "f" },
  },
  async run({ values }) {
    const count = lineCount(values.n);
    const file = resolveHome().engineLog;
    let text = "";
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound) || !values.follow) {
        throw new CliError(
          `Cannot read ${file}: ${(error as Error).message}`,
          ExitCode.Error,
          "the engine writes it once started: agentos engine start",
        );
      }
    }
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    const shown = count === 0 ? [] : lines.slice(-count);
    if (shown.length > 0) await write(shown.join("\n") + "\n");
    if (values.follow) {
      await follow(file, new TextEncoder().encode(text).length);
    }
    return ExitCode.Ok;
  },
};

function lineCount(raw: unknown): number {
  if (raw === undefined) return 50;
  const text = String(raw);
  if (!/^\d{1,6}$/.test(text)) {
    throw new CliError(`-n must be a whole number of lines, got "${text}"`);
  }
  return Number(text);
}

async function write(text: string): Promise<void> {
  await Deno.stdout.write(new TextEncoder().encode(text));
}

/** Prints what is appended from `offset` on; starts over when the log rotates. */
async function follow(file: string, offset: number): Promise<never> {
  let position = offset;
  while (true) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    let size: number;
    try {
      size = (await Deno.stat(file)).size;
    } catch {
      continue; // Rotating right now, or not created yet.
    }
    if (size < position) position = 0;
    if (size === position) continue;
    using handle = await Deno.open(file, { read: true });
    await handle.seek(position, Deno.SeekMode.Start);
    const chunk = new Uint8Array(size - position);
    let read = 0;
    while (read < chunk.length) {
      const n = await handle.read(chunk.subarray(read));
      if (n === null) break;
      read += n;
    }
    position += read;
    await Deno.stdout.write(chunk.subarray(0, read));
  }
}
