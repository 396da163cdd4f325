import { DatabaseSync } from "node:sqlite";
import {
  type HomePaths,
  isCompiled,
  pythonDir,
  resolveHome,
  RpcClient,
} from "../engine/mod.ts";
import {
  bwrapArgv,
  DEFAULT_LIMITS,
  detectSandbox,
  inspectPython,
  type PythonRuntime,
} from "../engine/sandbox/mod.ts";
import type { Command } from "./command.ts";
import { ExitCode } from "./exit_codes.ts";
import { print, printJson } from "./output.ts";

/** How one check came out. `skip`: does not apply here; not a problem. */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** One line of the doctor's report. */
export interface CheckResult {
  /** Short name, e.g. `sandbox`. */
  name: string;
  /** The outcome. */
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** How to fix it (warn and fail only). */
  hint?: string;
}

/** The oldest Deno this project runs on (scripts/deno pins 2.9.6). */
const MIN_DENO = [2, 9];
/** The bridge's default port (DESIGN.md §6). */
const BRIDGE_PORT = 3456;
const PROBE_TIMEOUT_MS = 15_000;
const BRIDGE_TIMEOUT_MS = 2_000;

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
  vault     the master key file vault.key is 0600 (or not set up yet)
  bridge    port $AGENTOS_BRIDGE_PORT (default ${BRIDGE_PORT}) is free or serves the bridge

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
  const status = await engineStatus(paths.socket);
  return [
    checkDeno(),
    checkEngine(paths, status),
    checkHome(paths),
    ...await checkPythonAndSandbox(paths, status),
    checkDatabase(paths),
    checkVault(paths, status),
    await checkBridge(),
  ];
}

function checkDeno(): CheckResult {
  const version = Deno.version.deno;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const ok = major === MIN_DENO[0] && minor >= MIN_DENO[1]!;
  return {
    name: "deno",
    status: ok ? "ok" : "fail",
    detail: `${version}${isCompiled() ? " (compiled in)" : ""}`,
    hint: `use Deno ${
      MIN_DENO.join(".")
    } or newer 2.x: scripts/deno installs the pinned one`,
  };
}

function checkEngine(
  paths: HomePaths,
  status: Record<string, unknown> | undefined,
): CheckResult {
  const socket = stat(paths.socket);
  if (socket && (socket.mode! & 0o077) !== 0) {
    return {
      name: "engine",
      status: "fail",
      detail: `socket "${paths.socket}" has mode ${mode(socket)}, not 600`,
      hint:
        `restart the engine (it recreates the socket): agentos engine stop && agentos engine start`,
    };
  }
  if (status) {
    return {
      name: "engine",
      status: "ok",
      detail:
        `running (pid ${status.pid}, version ${status.version}), socket 600`,
    };
  }
  return {
    name: "engine",
    status: "warn",
    detail: socket
      ? `not running (a stale socket is left: the next start replaces it)`
      : "not running",
    hint:
      "agentos engine start (or agentos service install to start it at login)",
  };
}

function checkHome(paths: HomePaths): CheckResult {
  const dirs = [paths.home, paths.dataDir, paths.logsDir];
  if (!stat(paths.home)) {
    return {
      name: "home",
      status: "warn",
      detail: `${paths.home} does not exist yet`,
      hint: "agentos engine start creates it (mode 700)",
    };
  }
  const loose = dirs.filter((dir) => {
    const info = stat(dir);
    return info && (info.mode! & 0o077) !== 0;
  });
  const uid = ownUid();
  const foreign = dirs.filter((dir) => {
    const info = stat(dir);
    return info && uid !== undefined && info.uid !== uid;
  });
  if (foreign.length > 0) {
    return {
      name: "home",
      status: "fail",
      detail: `${foreign.join(", ")} belong${
        foreign.length === 1 ? "s" : ""
      } to another user`,
      hint: `chown -R "$(id -un)" ${paths.home}`,
    };
  }
  if (loose.length > 0) {
    return {
      name: "home",
      status: "fail",
      detail: loose.map((dir) => `${dir} is ${mode(stat(dir)!)}`).join(", ") +
        ": others may read credentials",
      hint: `chmod 700 ${loose.join(" ")}`,
    };
  }
  return { name: "home", status: "ok", detail: `${paths.home} (700)` };
}

// Runs confined, with the home's path as argv[1]: proves the SDK imports,
// the network namespace holds nothing but its own private loopback (so no
// route leads out of it) and the home is not visible.
const PROBE = `
import json, os, socket, sys
out = {"python": sys.version.split()[0], "uid": os.getuid()}
try:
    sys.path.insert(0, "/sdk")
    import agentos
    out["sdk"] = True
except Exception as error:
    out["sdk"] = repr(error)
out["interfaces"] = sorted(name for _, name in socket.if_nameindex())
out["home_visible"] = os.path.exists(sys.argv[1])
print(json.dumps(out))
`;

async function checkPythonAndSandbox(
  paths: HomePaths,
  status: Record<string, unknown> | undefined,
): Promise<CheckResult[]> {
  const python = Deno.env.get("AGENTOS_PYTHON");
  if (!python) {
    const hint = "run agentos through scripts/deno or an installed launcher";
    return [
      {
        name: "python",
        status: "fail",
        detail: "AGENTOS_PYTHON is not set",
        hint,
      },
      { name: "sandbox", status: "skip", detail: "needs Python" },
    ];
  }
  let runtime: PythonRuntime;
  let sdkDir: string;
  try {
    sdkDir = await pythonDir(paths, { python });
    runtime = await inspectPython(python, sdkDir);
  } catch (error) {
    return [
      {
        name: "python",
        status: "fail",
        detail: (error as Error).message,
        hint:
          "install python3 (Debian/Ubuntu: sudo apt-get install python3) or point AGENTOS_PYTHON at a working interpreter",
      },
      { name: "sandbox", status: "skip", detail: "needs Python" },
    ];
  }
  const pythonResult: CheckResult = {
    name: "python",
    status: "ok",
    detail: `${runtime.version} (${runtime.executable})`,
  };
  return [pythonResult, await checkSandbox(paths, runtime, sdkDir, status)];
}

async function checkSandbox(
  paths: HomePaths,
  runtime: PythonRuntime,
  sdkDir: string,
  status: Record<string, unknown> | undefined,
): Promise<CheckResult> {
  const info = await detectSandbox();
  if (info.kind === "none") {
    return {
      name: "sandbox",
      status: "warn",
      detail: info.detail,
      hint:
        "unset AGENTOS_SANDBOX and install bubblewrap so skills run confined",
    };
  }
  if (info.kind === "unavailable") {
    return {
      name: "sandbox",
      status: "fail",
      detail: info.detail,
      hint:
        "install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap); skills refuse to run without it",
    };
  }
  let failure = "";
  // Like the engine: a user namespace where the host allows one, else
  // without (bwrap run by root).
  for (const userNamespace of [true, false]) {
    const args = bwrapArgv({
      runtime,
      sdkDir,
      userNamespace,
      tmpBytes: DEFAULT_LIMITS.tmpBytes,
      pythonArgs: ["-I", "-S", "-c", PROBE, paths.home],
    });
    const result = await new Deno.Command("bwrap", {
      args,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    }).output().catch((error: Error) => error);
    if (result instanceof Error) {
      failure = result.message;
      continue;
    }
    if (!result.success) {
      failure = new TextDecoder().decode(result.stderr).trim().slice(-300) ||
        `exit code ${result.code}`;
      continue;
    }
    const found = JSON.parse(new TextDecoder().decode(result.stdout));
    const leaks: string[] = [];
    const interfaces = found.interfaces as string[];
    if (interfaces.some((name) => name !== "lo")) {
      leaks.push(`network interfaces ${interfaces.join(", ")}`);
    }
    if (found.home_visible) leaks.push(`the home ${paths.home}`);
    if (found.sdk !== true) leaks.push(`no SDK (${found.sdk})`);
    if (leaks.length > 0) {
      return {
        name: "sandbox",
        status: "fail",
        detail: `the confined probe sees ${leaks.join(", ")}`,
        hint: "report this: the sandbox does not confine skills here",
      };
    }
    const engineKind = (status?.sandbox as { kind?: string } | undefined)
      ?.kind;
    const detail = `${info.detail}: probe ran with no network (${
      interfaces.join(", ") || "no interfaces"
    } only), home hidden, SDK imported${
      userNamespace ? ", as nobody in a user namespace" : ""
    }`;
    if (engineKind !== undefined && engineKind !== info.kind) {
      return {
        name: "sandbox",
        status: "warn",
        detail: `${detail}; but the running engine reports "${engineKind}"`,
        hint: "restart the engine so it finds the sandbox again",
      };
    }
    return { name: "sandbox", status: "ok", detail };
  }
  return {
    name: "sandbox",
    status: "fail",
    detail: `bubblewrap cannot start a confined interpreter: ${failure}`,
    hint:
      "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run where bubblewrap works; see docs/install.md",
  };
}

function checkDatabase(paths: HomePaths): CheckResult {
  if (!stat(paths.database)) {
    return {
      name: "database",
      status: "skip",
      detail: "not created yet (the engine creates it on first start)",
    };
  }
  const loose = ["", "-wal", "-shm"]
    .map((suffix) => `${paths.database}${suffix}`)
    .filter((file) => {
      const info = stat(file);
      return info && (info.mode! & 0o077) !== 0;
    });
  if (loose.length > 0) {
    return {
      name: "database",
      status: "fail",
      detail: `${loose.join(", ")} readable by others`,
      hint: `chmod 600 ${loose.join(" ")}`,
    };
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(paths.database, { readOnly: true });
    const rows = db.prepare("PRAGMA integrity_check").all() as {
      integrity_check: string;
    }[];
    const { user_version } = db.prepare("PRAGMA user_version").get() as {
      user_version: number;
    };
    const problems = rows.map((row) => row.integrity_check).filter((text) =>
      text !== "ok"
    );
    if (problems.length > 0) {
      return {
        name: "database",
        status: "fail",
        detail: `integrity_check: ${problems.slice(0, 3).join("; ")}`,
        hint: "stop the engine and restore a backup: agentos restore <file>",
      };
    }
    return {
      name: "database",
      status: "ok",
      detail: `integrity ok, schema v${user_version}, files 600`,
    };
  } catch (error) {
    return {
      name: "database",
      status: "fail",
      detail: `cannot read ${paths.database}: ${(error as Error).message}`,
      hint: "stop the engine and restore a backup: agentos restore <file>",
    };
  } finally {
    db?.close();
  }
}

function checkVault(
  paths: HomePaths,
  status: Record<string, unknown> | undefined,
): CheckResult {
  const keyFile = `${paths.home}/vault.key`;
  const info = stat(keyFile);
  if (!info) {
    const vault = status?.vault as { key?: string } | undefined;
    if (vault?.key === "passphrase") {
      return {
        name: "vault",
        status: "ok",
        detail: "key derived from AGENTOS_VAULT_PASSPHRASE",
      };
    }
    return {
      name: "vault",
      status: "skip",
      detail: `not set up (${keyFile} is created on first use)`,
    };
  }
  if ((info.mode! & 0o077) !== 0) {
    return {
      name: "vault",
      status: "fail",
      detail: `${keyFile} has mode ${
        mode(info)
      }: others may read the master key`,
      hint: `chmod 600 ${keyFile}`,
    };
  }
  if (info.size !== 32) {
    return {
      name: "vault",
      status: "fail",
      detail: `${keyFile} holds ${info.size} bytes, not 32`,
      hint:
        "restore the key file from your backup: without it stored credentials cannot be read",
    };
  }
  return { name: "vault", status: "ok", detail: `${keyFile} (600)` };
}

async function checkBridge(): Promise<CheckResult> {
  const text = Deno.permissions.querySync({
      name: "env",
      variable: "AGENTOS_BRIDGE_PORT",
    }).state === "granted"
    ? Deno.env.get("AGENTOS_BRIDGE_PORT")
    : undefined;
  const port = text ? Number(text) : BRIDGE_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return {
      name: "bridge",
      status: "fail",
      detail: `AGENTOS_BRIDGE_PORT is "${text}", not a port number`,
      hint: "set AGENTOS_BRIDGE_PORT to a port from 1 to 65535, or unset it",
    };
  }
  // Only a connection: binding the port, even for a moment, could make a
  // bridge starting right now fail.
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${port}/sdk.js`, {
      signal: AbortSignal.timeout(BRIDGE_TIMEOUT_MS),
    });
    await response.body?.cancel();
  } catch (error) {
    if (
      error instanceof TypeError &&
      /refused/i.test(String(error.cause ?? error.message))
    ) {
      return { name: "bridge", status: "ok", detail: `port ${port} is free` };
    }
    const reason = error instanceof DOMException
      ? "does not answer HTTP"
      : (error as Error).message;
    return busy(port, `a program that ${reason}`);
  }
  if (response.headers.get("x-typescript-types") === "./sdk.d.ts") {
    return {
      name: "bridge",
      status: "ok",
      detail: `port ${port} serves the AgentOS bridge`,
    };
  }
  return busy(
    port,
    `a program that is not the bridge (GET /sdk.js: ${response.status})`,
  );
}

function busy(port: number, what: string): CheckResult {
  return {
    name: "bridge",
    status: "warn",
    detail: `port ${port} is taken by ${what}: the bridge cannot start there`,
    hint:
      "stop that program, or run the bridge on another port: AGENTOS_BRIDGE_PORT=<port>",
  };
}

async function engineStatus(
  socket: string,
): Promise<Record<string, unknown> | undefined> {
  let client: RpcClient | undefined;
  try {
    client = await RpcClient.connect(socket);
    return await client.call("engine.status", {}, { timeoutMs: 3000 });
  } catch {
    return undefined;
  } finally {
    await client?.close();
  }
}

/** This process's uid, without --allow-sys: the owner of a file it makes. */
function ownUid(): number | undefined {
  try {
    const file = Deno.makeTempFileSync({ prefix: "agentos-doctor-" });
    try {
      return Deno.statSync(file).uid ?? undefined;
    } finally {
      Deno.removeSync(file);
    }
  } catch {
    return undefined;
  }
}

function stat(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch {
    return undefined;
  }
}

function mode(info: Deno.FileInfo): string {
  return (info.mode! & 0o777).toString(8);
}
