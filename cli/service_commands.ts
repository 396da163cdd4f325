import { exists } from "./args.ts";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import {
  engineLaunch,
  isCompiled,
  resolveHome,
  RpcClient,
} from "../engine/mod.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printHint, printJson, printPairs } from "./output.ts";

/** The systemd unit's name. */
export const SYSTEMD_UNIT = "agentos.service";
/** The launchd agent's label (and plist file name). */
export const LAUNCHD_LABEL = "dev.agentos.engine";

/** Service managers `agentos service` writes for. */
export type ServicePlatform = "systemd" | "launchd";

/** A service definition: what to write and where. */
export interface ServiceFile {
  /** Which service manager reads it. */
  platform: ServicePlatform;
  /** Where it goes. */
  path: string;
  /** Its full text. */
  text: string;
}

/** Options for {@linkcode serviceFile}. */
export interface ServiceFileOptions {
  /** The service manager (default: by operating system). */
  platform: ServicePlatform;
  /** The AGENTOS_HOME the engine runs on. */
  home: string;
  /** The interpreter, pinned (a login session lacks the shell's PATH). */
  python?: string;
  /** The program and arguments that run the engine in the foreground. */
  command: string[];
  /** PATH for the engine (bubblewrap, and Deno for a checkout). */
  path: string;
  /** `$HOME`, for the launchd plist's location. */
  userHome: string;
  /** `$XDG_CONFIG_HOME`, for the systemd unit's location. */
  configHome?: string;
}

/**
 * The unit (systemd) or agent (launchd) that runs the engine in the
 * foreground at login and restarts it when it fails — but not when it exits
 * with code 3 (another engine holds the lock), which a restart cannot fix.
 *
 * @param options platform, home, command and the user's directories
 * @returns path and text
 */
export function serviceFile(options: ServiceFileOptions): ServiceFile {
  const env: [string, string][] = [["AGENTOS_HOME", options.home]];
  if (options.python) env.push(["AGENTOS_PYTHON", options.python]);
  env.push(["PATH", options.path]);
  if (options.platform === "systemd") {
    const config = options.configHome || join(options.userHome, ".config");
    return {
      platform: "systemd",
      path: join(config, "systemd", "user", SYSTEMD_UNIT),
      text: [
        "# Written by `agentos service install`; remove with `agentos service uninstall`.",
        "[Unit]",
        "Description=AgentOS engine",
        "",
        "[Service]",
        "Type=simple",
        ...env.map(([key, value]) =>
          `Environment=${systemdWord(`${key}=${value}`)}`
        ),
        `ExecStart=${options.command.map(systemdWord).join(" ")}`,
        "Restart=on-failure",
        "RestartSec=5",
        "# Exit code 3: another engine holds the lock; restarting cannot help.",
        "RestartPreventExitStatus=3",
        "# A graceful stop finishes in-flight calls (up to 60 s).",
        "TimeoutStopSec=70",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
      ].join("\n"),
    };
  }
  const string = (value: string) => `<string>${xml(value)}</string>`;
  return {
    platform: "launchd",
    path: join(
      options.userHome,
      "Library",
      "LaunchAgents",
      `${LAUNCHD_LABEL}.plist`,
    ),
    text: [
      `<?xml version="1.0" encoding="UTF-8"?>`,
      `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`,
      `<!-- Written by agentos service install; remove with agentos service uninstall. -->`,
      `<plist version="1.0">`,
      `<dict>`,
      `  <key>Label</key>`,
      `  ${string(LAUNCHD_LABEL)}`,
      `  <key>ProgramArguments</key>`,
      `  <array>`,
      ...options.command.map((word) => `    ${string(word)}`),
      `  </array>`,
      `  <key>EnvironmentVariables</key>`,
      `  <dict>`,
      ...env.flatMap(([key, value]) => [
        `    <key>${xml(key)}</key>`,
        `    ${string(value)}`,
      ]),
      `  </dict>`,
      `  <key>RunAtLoad</key>`,
      `  <true/>`,
      `  <!-- Restart when the engine fails, not after a clean shutdown. -->`,
      `  <key>KeepAlive</key>`,
      `  <dict>`,
      `    <key>SuccessfulExit</key>`,
      `    <false/>`,
      `  </dict>`,
      `  <key>ThrottleInterval</key>`,
      `  <integer>10</integer>`,
      `</dict>`,
      `</plist>`,
      "",
    ].join("\n"),
  };
}

/** Quotes one word of a systemd unit line (specifiers and variables too). */
function systemdWord(word: string): string {
  const escaped = word.replaceAll("%", "%%").replaceAll("$", "$$$$");
  return /^[\w/.,:@+=-]+$/.test(escaped)
    ? escaped
    : `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function xml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(
    ">",
    "&gt;",
  );
}

/**
 * The service file for this build, home and user, from the environment.
 *
 * @param platform the service manager (default: by operating system)
 * @returns path and text
 * @throws {CliError} on an operating system without a supported manager
 */
export function currentServiceFile(platform?: string): ServiceFile {
  const chosen = platform ??
    (Deno.build.os === "darwin"
      ? "launchd"
      : Deno.build.os === "linux"
      ? "systemd"
      : undefined);
  if (chosen !== "systemd" && chosen !== "launchd") {
    throw new CliError(
      platform === undefined
        ? `agentos service supports Linux (systemd) and macOS (launchd), not ${Deno.build.os}`
        : `Unknown --platform "${platform}"; expected systemd or launchd`,
    );
  }
  const userHome = Deno.env.get("HOME") ?? "";
  if (!userHome.startsWith("/")) {
    throw new CliError(
      `Cannot place the service file: HOME is "${userHome}", not an absolute path`,
    );
  }
  const denoDir = dirname(Deno.execPath());
  return serviceFile({
    platform: chosen,
    home: resolveHome().home,
    python: Deno.env.get("AGENTOS_PYTHON"),
    command: engineCommand(),
    path: [
      ...(isCompiled() ? [] : [denoDir]),
      "/usr/local/bin",
      "/usr/bin",
      "/bin",
    ].join(":"),
    userHome,
    configHome: Deno.env.get("XDG_CONFIG_HOME"),
  });
}

/**
 * The foreground engine command for a service: compiled, the
 * `agentos-engine` beside this executable; from a checkout,
 * `scripts/deno task -q --config deno.json engine` (scripts/deno finds Deno
 * and the interpreter even in a login session's bare environment).
 */
function engineCommand(): string[] {
  if (isCompiled()) return [engineLaunch(true).program];
  const scripts = fileURLToPath(new URL("../scripts/deno", import.meta.url));
  const config = fileURLToPath(new URL("../deno.json", import.meta.url));
  return [scripts, "task", "-q", "--config", config, "engine"];
}

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
