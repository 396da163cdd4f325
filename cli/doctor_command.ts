import { type HomePaths, resolveHome } from "../engine/mod.ts";
import { tryEngineStatus } from "./engine_connection.ts";
import type { Command } from "./command.ts";
import { BRIDGE_PORT, checkBridge } from "./doctor_bridge_check.ts";
import type { CheckResult } from "./doctor_check.ts";
import {
  checkDatabase,
  checkDeno,
  checkEngine,
  checkHome,
  checkVault,
  MIN_DENO,
} from "./doctor_host_checks.ts";
import { checkPythonAndSandbox } from "./doctor_sandbox_check.ts";
import { checkVaultKeyMatches } from "./doctor_vault_key.ts";
import { checkContainment } from "./doctor_containment_check.ts";
import { ExitCode } from "./exit_codes.ts";
import { print, printJson } from "./output.ts";

export type { CheckResult, CheckStatus } from "./doctor_check.ts";

/** `agentos doctor`. */
export const doctor: Command = {
  name: "doctor",
  summary: "Check Deno, Python, the sandbox, permissions, database, vault",
  usage: "doctor [--json]",
  help: `Checks, each printed as ok, warn, fail or skip with a fix:
  deno      the running Deno is at least ${MIN_DENO.join(".")}
  engine    an engine answers on the socket; the socket is 0600
  home      the home and its data/ and logs/ are 0700 and yours
  python    the interpreter (AGENTOS_PYTHON) runs
  sandbox   a probe runs confined exactly as skill workers are (bubblewrap,
            empty network namespace, no home) and imports the SDK
  database  PRAGMA integrity_check on a read-only connection; files 0600
  vault     the master key file vault.key is 0600 (or not set up yet) and
            opens the vault (the running engine's word, else a read-only check)
  bridge    the bridge's port (the engine's bridge, else $AGENTOS_BRIDGE_PORT, else
            bridge.port, else ${BRIDGE_PORT}) is free or serves the bridge

Exit codes: 0 all is well (only ok and skip), 1 a warning or a failure.`,
  options: { json: { type: "boolean" } },
  async run({ values }) {
    const results = await runChecks(resolveHome());
    const bad = results.filter((r) =>
      r.status === "warn" || r.status === "fail"
    );
    if (values.json) {
      printJson({ ok: bad.length === 0, checks: results });
    } else {
      const width = Math.max(...results.map((r) => r.name.length));
      for (const result of results) {
        print(
          `${result.status.padEnd(4)}  ${
            result.name.padEnd(width)
          }  ${result.detail}`,
        );
        if (result.hint && result.status !== "ok") {
          print(`${" ".repeat(width + 8)}fix: ${result.hint}`);
        }
      }
      print();
      print(
        bad.length === 0
          ? "All is well."
          : `${bad.length} problem${bad.length === 1 ? "" : "s"} found.`,
      );
    }
    return bad.length === 0 ? ExitCode.Ok : ExitCode.Error;
  },
};

/**
 * Runs every check against a home.
 *
 * @param paths the home
 * @returns one result per check, in report order
 */
export async function runChecks(paths: HomePaths): Promise<CheckResult[]> {
  const status = await tryEngineStatus(paths);
  return [
    checkDeno(),
    checkEngine(paths, status),
    checkHome(paths),
    ...await checkPythonAndSandbox(paths, status),
    checkContainment(status),
    checkDatabase(paths),
    await checkVaultKeyMatches(paths, status) ?? checkVault(paths, status),
    await checkBridge(paths, status),
  ];
}
