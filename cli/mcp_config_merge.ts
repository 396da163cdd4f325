/**
 * `agentos mcp config --merge FILE`: puts the agentos server into a
 * client's existing JSON configuration, keeping everything else in it
 * (other servers, other settings), instead of a `>` that overwrites it.
 *
 * @module
 */
import { dirname } from "node:path";
import { isObject } from "../engine/mod.ts";
import { CliError } from "./exit_codes.ts";

/** Largest configuration file read (a client's config is a few KiB). */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * Merges a snippet's `mcpServers` entries into the file: a missing file is
 * created; a file that is not a JSON object is left as it is and refused.
 * Written to a temporary file beside it and renamed in, with the old
 * file's permissions, so a failure never leaves half a file.
 *
 * @param file the client's configuration file
 * @param snippet the JSON snippet (`{"mcpServers": {...}}`)
 * @returns whether the file existed (then it was merged into)
 * @throws {CliError} for a file that is not a JSON object, or one too large
 */
export async function mergeMcpConfig(
  file: string,
  snippet: string,
): Promise<boolean> {
  // A linked config (dotfiles) is merged where it really lives.
  file = await Deno.realPath(file).catch(() => file);
  const existing = await readConfig(file);
  const config = existing ?? {};
  const servers = config.mcpServers ?? {};
  if (!isObject(servers)) {
    throw new CliError(
      `"${file}" has "mcpServers" that is not an object; left unchanged`,
    );
  }
  const added = (JSON.parse(snippet) as { mcpServers: object }).mcpServers;
  config.mcpServers = { ...servers, ...added };
  const mode = existing === undefined
    ? 0o600
    : (await Deno.stat(file)).mode! & 0o777;
  await Deno.mkdir(dirname(file), { recursive: true });
  const temp = `${file}.agentos-${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeTextFile(temp, JSON.stringify(config, null, 2) + "\n", {
      mode,
      createNew: true,
    });
    await Deno.rename(temp, file);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw new CliError(
      `Cannot write "${file}": ${(error as Error).message}`,
    );
  }
  return existing !== undefined;
}

/** The file's JSON object, or undefined when there is no file. */
async function readConfig(
  file: string,
): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    const info = await Deno.stat(file);
    if (!info.isFile) throw new CliError(`"${file}" is not a file`);
    if (info.size > MAX_CONFIG_BYTES) {
      throw new CliError(
        `"${file}" is ${info.size} bytes, more than a client configuration holds; left unchanged`,
      );
    }
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    if (error instanceof CliError) throw error;
    throw new CliError(`Cannot read "${file}": ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = text.trim() === "" ? {} : JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `"${file}" is not valid JSON (${
        (error as Error).message
      }); left unchanged: fix it, or paste the snippet from agentos mcp config by hand`,
    );
  }
  if (!isObject(parsed)) {
    throw new CliError(
      `"${file}" does not hold a JSON object; left unchanged`,
    );
  }
  return parsed;
}
