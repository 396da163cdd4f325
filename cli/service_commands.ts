import { exists } from "./args.ts";
import { dirname } from "node:path";
import { resolveHome, RpcClient } from "../engine/mod.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printHint, printJson, printPairs } from "./output.ts";
import {
  currentServiceFile,
  LAUNCHD_LABEL,
  SYSTEMD_UNIT,
} from "./service_file.ts";

/** What the service manager can do here, and why not when it cannot. */
interface Manager {
  usable: boolean;
  reason: string;
}

function systemdHere(): Manager {
  // sd_booted(): systemd is the running init exactly when this exists.
  if (!exists("/run/systemd/system")) {
    return {
      usable: false,
      reason: "systemd is not running on this machine (no /run/systemd/system)",
    };
  }
  return { usable: true, reason: "" };
}

async function systemctl(
  ...args: string[]
): Promise<{ ok: boolean; out: string }> {
  try {
    const output = await new Deno.Command("systemctl", {
      args: ["--user", ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return {
      ok: output.success,
      out: (decode(output.stdout) + decode(output.stderr)).trim(),
    };
  } catch (error) {
    return { ok: false, out: (error as Error).message };
  }
}

const PLATFORM_OPTION = {
  platform: { type: "string" },
} as const;

const PLATFORM_HELP =
  `  --platform NAME  systemd or launchd (default: this machine's; launchd is untested)`;

/** `agentos service install`. */
export const serviceInstall: Command = {
  name: "service install",
  summary: "Start the engine at login (systemd user unit, launchd agent)",
  usage:
    "service install [--print | --write-only] [--platform systemd|launchd]",
  help: `Options:
  --print          Print the unit (stdout) and where it would go (stderr); write nothing
  --write-only     Write the unit but do not run systemctl
${PLATFORM_HELP}

Linux: writes ~/.config/systemd/user/${SYSTEMD_UNIT} (or under $XDG_CONFIG_HOME)
and, where systemd runs, enables and starts it with systemctl --user.
macOS: writes ~/Library/LaunchAgents/${LAUNCHD_LABEL}.plist and prints the
launchctl command to load it.
The engine restarts when it fails, except with exit code 3 (another engine
holds the lock). It runs with AGENTOS_HOME and AGENTOS_PYTHON as they are now.`,
  options: {
    print: { type: "boolean" },
    "write-only": { type: "boolean" },
    ...PLATFORM_OPTION,
  },
  async run({ values }) {
    const unit = currentServiceFile(values.platform as string | undefined);
    if (values.print) {
      print(unit.text.trimEnd());
      printHint(`# would be written to ${unit.path}`);
      return ExitCode.Ok;
    }
    await Deno.mkdir(dirname(unit.path), { recursive: true });
    const tmp = `${unit.path}.tmp-${Deno.pid}`;
    await Deno.writeTextFile(tmp, unit.text, { mode: 0o644 });
    await Deno.rename(tmp, unit.path);
    print(`Wrote ${unit.path}`);
    const running = await runningPid();
    if (unit.platform === "launchd") {
      print(
        `Load it (macOS, untested here): launchctl bootstrap gui/$(id -u) ${unit.path}`,
      );
      return ExitCode.Ok;
    }
    if (values["write-only"]) {
      print(
        `Not enabled (--write-only): systemctl --user daemon-reload && systemctl --user enable --now ${SYSTEMD_UNIT}`,
      );
      return ExitCode.Ok;
    }
    const manager = systemdHere();
    if (!manager.usable) {
      print(`Not enabled: ${manager.reason}.`);
      print(
        `On a machine with systemd, run: systemctl --user daemon-reload && systemctl --user enable --now ${SYSTEMD_UNIT}`,
      );
      return ExitCode.Ok;
    }
    for (
      const args of [
        ["daemon-reload"],
        running === undefined
          ? ["enable", "--now", SYSTEMD_UNIT]
          : ["enable", SYSTEMD_UNIT],
      ]
    ) {
      const result = await systemctl(...args);
      if (!result.ok) {
        throw new CliError(
          `systemctl --user ${args.join(" ")} failed: ${result.out}`,
          ExitCode.Error,
          "The unit is written; fix the above and run that command again",
        );
      }
    }
    if (running !== undefined) {
      print(
        `Enabled for the next login. An engine already runs outside the service (pid ${running}): to hand it over, run agentos engine stop && systemctl --user start ${SYSTEMD_UNIT}`,
      );
    } else print(`Enabled and started ${SYSTEMD_UNIT}`);
    print(
      `To keep it running while you are logged out: loginctl enable-linger "$USER"`,
    );
    return ExitCode.Ok;
  },
};

/** `agentos service uninstall`. */
export const serviceUninstall: Command = {
  name: "service uninstall",
  summary: "Stop starting the engine at login and remove the unit",
  usage: "service uninstall [--platform systemd|launchd]",
  help: `Options:
${PLATFORM_HELP}

A running engine is stopped by systemd (systemd) or left running (launchd:
unload it first with launchctl bootout gui/$(id -u)/${LAUNCHD_LABEL}).`,
  options: { ...PLATFORM_OPTION },
  async run({ values }) {
    const unit = currentServiceFile(values.platform as string | undefined);
    if (!exists(unit.path)) {
      print(`No service installed (${unit.path} does not exist)`);
      return ExitCode.Ok;
    }
    const manager = unit.platform === "systemd"
      ? systemdHere()
      : { usable: false, reason: "" };
    if (manager.usable) {
      // Fails harmlessly when the unit was never loaded.
      await systemctl("disable", "--now", SYSTEMD_UNIT);
    }
    await Deno.remove(unit.path);
    if (manager.usable) await systemctl("daemon-reload");
    print(`Removed ${unit.path}`);
    if (unit.platform === "systemd" && !manager.usable) {
      print(`(${manager.reason}: nothing to disable)`);
    }
    return ExitCode.Ok;
  },
};

/** `agentos service status`. */
export const serviceStatus: Command = {
  name: "service status",
  summary: "Show whether the engine starts at login, and whether it runs",
  usage: "service status [--json] [--platform systemd|launchd]",
  help: `Options:
  --json           Print the status as JSON
${PLATFORM_HELP}

Exit codes: 0 installed, 1 not installed.`,
  options: { json: { type: "boolean" }, ...PLATFORM_OPTION },
  async run({ values }) {
    const unit = currentServiceFile(values.platform as string | undefined);
    const installed = exists(unit.path);
    let current: boolean | undefined;
    if (installed) {
      current = (await Deno.readTextFile(unit.path)) === unit.text;
    }
    let manager = "launchd: not queried (macOS support is untested)";
    let active: string | undefined;
    let enabled: string | undefined;
    if (unit.platform === "systemd") {
      const here = systemdHere();
      manager = here.usable ? "systemd" : here.reason;
      if (here.usable && installed) {
        active = (await systemctl("is-active", SYSTEMD_UNIT)).out;
        enabled = (await systemctl("is-enabled", SYSTEMD_UNIT)).out;
      }
    }
    const pid = await runningPid();
    const status = {
      platform: unit.platform,
      path: unit.path,
      installed,
      current: current ?? null,
      manager,
      active: active ?? null,
      enabled: enabled ?? null,
      engine: pid === undefined ? "not running" : `running (pid ${pid})`,
    };
    if (values.json) printJson(status);
    else {
      printPairs([
        [
          "service",
          installed
            ? `installed (${unit.path})`
            : `not installed (would be ${unit.path})`,
        ],
        ...(installed
          ? [[
            "unit",
            current
              ? "current"
              : "differs from what service install writes now (run it again)",
          ] as [string, string]]
          : []),
        ["manager", manager],
        ...(active !== undefined
          ? [["active", active], ["enabled", enabled]] as [string, unknown][]
          : []),
        ["engine", status.engine],
      ]);
    }
    return installed ? ExitCode.Ok : ExitCode.Error;
  },
};

async function runningPid(): Promise<number | undefined> {
  let client: RpcClient | undefined;
  try {
    client = await RpcClient.connect(resolveHome().socket);
    const status = await client.call<{ pid: number }>("engine.status", {}, {
      timeoutMs: 2000,
    });
    return status.pid;
  } catch {
    return undefined;
  } finally {
    await client?.close();
  }
}
