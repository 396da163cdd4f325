import { type HomePaths, pythonDir } from "../engine/mod.ts";
import {
  bwrapArgv,
  DEFAULT_LIMITS,
  detectSandbox,
  inspectPython,
  type PythonRuntime,
  type SandboxIdentity,
  type SandboxInfo,
} from "../engine/sandbox/mod.ts";
import type { CheckResult } from "./doctor_check.ts";

const PROBE_TIMEOUT_MS = 15_000;

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

/** The `python` and `sandbox` checks (the sandbox needs a Python). */
export async function checkPythonAndSandbox(
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
  // Like the engine: as root, nobody outside through setpriv (which fails
  // for anyone else); otherwise a user namespace where the host allows
  // one, else without. The engine's seccomp filter, cgroups and limits are
  // reported by the containment check, from engine.status: this probe
  // shows the view.
  const identities: SandboxIdentity[] = ["setpriv", "userns", "plain"];
  for (const identity of identities) {
    const probe = await runProbe(runtime, sdkDir, identity, paths.home);
    if ("failure" in probe) {
      failure = probe.failure;
      continue;
    }
    return probeVerdict(probe.found, identity, info, paths.home, status);
  }
  return {
    name: "sandbox",
    status: "fail",
    detail: `bubblewrap cannot start a confined interpreter: ${failure}`,
    hint:
      "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run where bubblewrap works; see docs/install.md",
  };
}

/** What {@linkcode PROBE} prints. */
interface ProbeFindings {
  python: string;
  uid: number;
  sdk: true | string;
  interfaces: string[];
  home_visible: boolean;
}

/** Runs {@linkcode PROBE} confined under one identity: what it found, or why it did not run. */
async function runProbe(
  runtime: PythonRuntime,
  sdkDir: string,
  identity: SandboxIdentity,
  home: string,
): Promise<{ found: ProbeFindings } | { failure: string }> {
  const args = bwrapArgv({
    runtime,
    sdkDir,
    identity,
    tmpBytes: DEFAULT_LIMITS.tmpBytes,
    shmBytes: DEFAULT_LIMITS.shmBytes,
    seccomp: false,
    pythonArgs: ["-I", "-S", "-c", PROBE, home],
  });
  const result = await new Deno.Command("bwrap", {
    args,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  }).output().catch((error: Error) => error);
  if (result instanceof Error) return { failure: result.message };
  if (!result.success) {
    return {
      failure: new TextDecoder().decode(result.stderr).trim().slice(-300) ||
        `exit code ${result.code}`,
    };
  }
  return { found: JSON.parse(new TextDecoder().decode(result.stdout)) };
}

/** The check's result from what the probe found: a leak fails it, an engine that found otherwise warns. */
function probeVerdict(
  found: ProbeFindings,
  identity: SandboxIdentity,
  info: SandboxInfo,
  home: string,
  status: Record<string, unknown> | undefined,
): CheckResult {
  const leaks: string[] = [];
  const interfaces = found.interfaces;
  if (interfaces.some((name) => name !== "lo")) {
    leaks.push(`network interfaces ${interfaces.join(", ")}`);
  }
  if (found.home_visible) leaks.push(`the home ${home}`);
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
    identity === "userns"
      ? ", as nobody in a user namespace"
      : identity === "setpriv"
      ? ", as nobody (65534) outside too"
      : ""
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
