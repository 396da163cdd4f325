import { CliError, ExitCode } from "./exit_codes.ts";

/**
 * Asks on the terminal for a line that is not echoed (a passphrase).
 *
 * @param question printed on stderr before reading
 * @returns the line, without its end
 * @throws {CliError} on Ctrl-C
 */
export async function promptHidden(question: string): Promise<string> {
  const encoder = new TextEncoder();
  await Deno.stderr.write(encoder.encode(question));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  const buffer = new Uint8Array(1);
  try {
    while (true) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) break;
      const byte = buffer[0]!;
      if (byte === 3) throw new CliError("Cancelled", ExitCode.Error); // Ctrl-C
      if (byte === 13 || byte === 10) break;
      if (byte === 127 || byte === 8) bytes.pop();
      else bytes.push(byte);
    }
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(encoder.encode("\n"));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
