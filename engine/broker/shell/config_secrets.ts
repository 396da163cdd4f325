import { ErrorCode, RpcError } from "../../errors.ts";
import { type Sandbox, spawnCommand } from "../../sandbox/mod.ts";
import type { CallCredentials } from "../credentials/mod.ts";
import { CONFIG_SCAN_PY } from "./_config_scan.ts";

/** Longest the scan of a program's config directories may take. */
const SCAN_TIMEOUT_MS = 10_000;

/**
 * Reads a program's granted config directories at the start of a
 * `shell.run` (in a sandboxed process that sees only them) and holds every
 * value that looks like a secret as a credential of the call that may go
 * nowhere: the program's output is masked (a skill without `--secrets`
 * sees placeholders) and a request that carries one is refused. The rule
 * is {@linkcode CONFIG_SCAN_PY}'s.
 *
 * @param sandbox runs the scan confined
 * @param dirs the granted config directories
 * @param credentials the call's credentials
 * @returns how many values are now held
 * @throws {RpcError} InternalError when the scan fails (the program does not run)
 */
export async function holdConfigSecrets(
  sandbox: Pick<Sandbox, "command" | "limits">,
  dirs: string[],
  credentials: CallCredentials,
): Promise<number> {
  if (dirs.length === 0 || !credentials.masked) return 0;
  const command = sandbox.command({
    kind: "script",
    source: CONFIG_SCAN_PY,
    files: [],
    views: dirs,
  });
  let values: unknown;
  try {
    const child = spawnCommand(command);
    const timer = setTimeout(() => child.kill("SIGKILL"), SCAN_TIMEOUT_MS);
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify({ dirs })));
    await writer.close();
    const out = await child.output().finally(() => clearTimeout(timer));
    values = JSON.parse(new TextDecoder().decode(out.stdout));
  } catch (error) {
    // Not knowing what to mask, the program does not run.
    throw new RpcError(
      ErrorCode.InternalError,
      `Cannot read the program's config directories to mask their secrets: ${
        (error as Error).message
      }`,
    );
  } finally {
    await command.release();
  }
  const held = Array.isArray(values)
    ? values.filter((v): v is string => typeof v === "string")
    : [];
  if (held.length > 0) {
    credentials.add({
      domain: `config ${dirs.join(", ")}`.slice(0, 200),
      value: Object.fromEntries(held.map((v, i) => [`v${i}`, v])),
      // A value of the owner's config goes nowhere through the engine.
      scope: { hosts: [], domains: [] },
    });
  }
  return held.length;
}
