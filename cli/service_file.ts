import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { engineLaunch, isCompiled, resolveHome } from "../engine/mod.ts";
import { CliError } from "./exit_codes.ts";

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
