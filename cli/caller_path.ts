import { isAbsolute, resolve } from "node:path";

/**
 * Resolves a path the user typed against the directory they ran `agentos`
 * from. `deno task` (and `scripts/deno`) change to the checkout, so the
 * launchers pass the caller's directory in `INIT_CWD`.
 *
 * @param path as typed
 * @returns an absolute path
 */
export function callerPath(path: string): string {
  if (isAbsolute(path)) return path;
  return resolve(Deno.env.get("INIT_CWD") || Deno.cwd(), path);
}
