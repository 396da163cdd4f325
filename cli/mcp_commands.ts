import { exists } from "./args.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isCompiled, resolveHome } from "../engine/mod.ts";
import { callerPath } from "./caller_path.ts";
import type { Command } from "./command.ts";
import { CliError } from "./exit_codes.ts";
import { print, printHint } from "./output.ts";
import { mergeMcpConfig } from "./mcp_config_merge.ts";

/** The MCP clients `agentos mcp config` knows. */
export const MCP_CLIENTS = ["claude-desktop", "claude-code", "cursor"] as const;
/** One of {@linkcode MCP_CLIENTS}. */
export type McpClient = typeof MCP_CLIENTS[number];

/** The server name the snippets register. */
const SERVER_NAME = "agentos";

/** How a client starts agentos-mcp. */
export interface McpLauncher {
  /** An absolute path: GUI clients do not search the shell's PATH. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** Environment the client passes. */
  env: Record<string, string>;
}

const WHERE: Record<McpClient, string> = {
  "claude-desktop":
    "Merge into claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/, Windows: %APPDATA%\\Claude\\, Linux: ~/.config/Claude/), then restart Claude Desktop",
  "claude-code":
    "Run this once in a shell (--scope user: every project; --scope project writes .mcp.json instead)",
  cursor:
    "Merge into ~/.cursor/mcp.json (every workspace) or <workspace>/.cursor/mcp.json",
};

const TITLE: Record<McpClient, string> = {
  "claude-desktop": "Claude Desktop",
  "claude-code": "Claude Code",
  cursor: "Cursor",
};

/** `agentos mcp config`. */
export const mcpConfig: Command = {
  name: "mcp config",
  summary: "Print the MCP client configuration that runs agentos-mcp",
  usage:
    "mcp config [--client claude-desktop|claude-code|cursor] [--command PATH] [--merge FILE]",
  help: `Options:
  --client NAME   Print only that client's snippet (stdout), with where it goes (stderr)
  --command PATH  Run this launcher instead (e.g. an installed agentos-mcp) (a path; relative to where you run agentos)
  --merge FILE    Put the agentos server into the client's existing JSON config
                  FILE (claude-desktop, cursor), keeping its other servers and
                  settings; a FILE that is not JSON is left unchanged

By default the snippet runs agentos-mcp from this checkout with
"<checkout>/scripts/deno task -q mcp" (which bootstraps Deno and sets
AGENTOS_PYTHON), and pins AGENTOS_HOME to the current home. A compiled or
installed agentos CLI points at the agentos-mcp beside it instead.

Examples:
  agentos mcp config
  agentos mcp config --client claude-code | sh
  agentos mcp config --client cursor --merge ~/.cursor/mcp.json`,
  options: {
    client: { type: "string" },
    command: { type: "string" },
    merge: { type: "string" },
  },
  run({ values }) {
    const client = values.client as string | undefined;
    if (client !== undefined && !MCP_CLIENTS.includes(client as McpClient)) {
      throw new CliError(
        `Unknown client "${client}"; expected one of ${MCP_CLIENTS.join(", ")}`,
        undefined,
        "See: agentos mcp config --help",
      );
    }
    const command = values.command as string | undefined;
    const launcher = mcpLauncher({
      // A path (./bin/agentos-mcp) means the caller's; a bare name is refused.
      command: command?.includes("/") ? callerPath(command) : command,
      home: resolveHome().home,
    });
    if (typeof values.merge === "string") {
      return mergeInto(client as McpClient | undefined, values.merge, launcher);
    }
    if (client !== undefined) {
      print(mcpConfigSnippet(client as McpClient, launcher));
      printHint(WHERE[client as McpClient]);
      return Promise.resolve(0);
    }
    for (const each of MCP_CLIENTS) {
      print(`# ${TITLE[each]}: ${WHERE[each]}`);
      print(mcpConfigSnippet(each, launcher));
      print();
    }
    return Promise.resolve(0);
  },
};

/** `--merge FILE`: the client's snippet merged into its config file. */
async function mergeInto(
  client: McpClient | undefined,
  file: string,
  launcher: McpLauncher,
): Promise<number> {
  if (client === undefined || client === "claude-code") {
    throw new CliError(
      "--merge needs --client claude-desktop or --client cursor (Claude Code is configured by its own command: agentos mcp config --client claude-code)",
    );
  }
  const path = callerPath(file);
  const merged = await mergeMcpConfig(
    path,
    mcpConfigSnippet(client, launcher),
  );
  print(
    `${merged ? "Merged the agentos server into" : "Wrote"} ${path}`,
  );
  return 0;
}

/** Options for {@linkcode mcpLauncher}. */
export interface McpLauncherOptions {
  /** An explicit launcher (absolute path). */
  command?: string;
  /** The AGENTOS_HOME the client should use. */
  home: string;
}

/**
 * How a client should start agentos-mcp: an explicit `--command`; else,
 * from a checkout, its `scripts/deno task -q mcp`; else (a compiled
 * `agentos`) the `agentos-mcp` beside the running executable.
 *
 * @param options the explicit command and the home
 * @returns the launcher
 * @throws {CliError} when `command` is not absolute, or a compiled build has no agentos-mcp beside it
 */
export function mcpLauncher(options: McpLauncherOptions): McpLauncher {
  const env = { AGENTOS_HOME: options.home };
  if (options.command !== undefined) {
    if (!options.command.startsWith("/")) {
      throw new CliError(
        `--command must be an absolute path, got "${options.command}"`,
        undefined,
        "MCP clients start servers without your shell's PATH",
      );
    }
    return { command: options.command, args: [], env };
  }
  if (!isCompiled()) {
    const checkout = fileURLToPath(
      new URL("../scripts/deno", import.meta.url),
    );
    return { command: checkout, args: ["task", "-q", "mcp"], env };
  }
  const beside = join(dirname(Deno.execPath()), "agentos-mcp");
  if (!exists(beside)) {
    throw new CliError(
      `Cannot find agentos-mcp beside this executable ("${beside}")`,
      undefined,
      "Pass its absolute path with --command",
    );
  }
  return { command: beside, args: [], env };
}

/**
 * The configuration snippet of one client, exactly as it should be pasted
 * (JSON for Claude Desktop and Cursor, a shell command for Claude Code).
 *
 * @param client the client
 * @param launcher how to start agentos-mcp
 * @returns the snippet
 */
export function mcpConfigSnippet(
  client: McpClient,
  launcher: McpLauncher,
): string {
  if (client === "claude-code") {
    return [
      "claude mcp add --scope user --transport stdio",
      ...Object.entries(launcher.env).map(([key, value]) =>
        `--env ${shellQuote(`${key}=${value}`)}`
      ),
      SERVER_NAME,
      "--",
      shellQuote(launcher.command),
      ...launcher.args.map(shellQuote),
    ].join(" ");
  }
  const server: Record<string, unknown> = {
    command: launcher.command,
    args: launcher.args,
    env: launcher.env,
  };
  if (client === "cursor") server.type = "stdio";
  return JSON.stringify({ mcpServers: { [SERVER_NAME]: server } }, null, 2);
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'"'"'`)}'`;
}
