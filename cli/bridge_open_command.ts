import { type HomePaths, resolveHome } from "../engine/mod.ts";
import { tryEngineStatus } from "./engine_connection.ts";
import {
  makeOpenCode,
  OPEN_CODE_TTL_S,
  readOrCreateTokenSync,
  TOKEN_FILE,
} from "../bridge/mod.ts";
import { bridgePort, howToStartBridge, probeBridge } from "./bridge_locate.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printError, printJson } from "./output.ts";

/** `agentos bridge open`. */
export const bridgeOpen: Command = {
  name: "bridge open",
  summary: "Print (or open) a one-time link to the graph explorer",
  usage: "bridge open [--browser] [--json]",
  help:
    `Prints http://127.0.0.1:<port>/?open=<code>. Open it in your browser: the
page trades the code for the app token once and keeps it for that tab. The
code works once, for ${OPEN_CODE_TTL_S} seconds, and only the owner of
$AGENTOS_HOME/${TOKEN_FILE} can make one (it is an HMAC under the token), so
another local user who sees the link cannot use it after you did.

The port is the one the bridge really runs on: the engine's own bridge
(bridge.autostart), else $AGENTOS_BRIDGE_PORT, else the bridge.port
preference, else 3456. When no bridge answers there, nothing is printed and
the error says how to start one.

Options:
  --browser  Open the link with the desktop's opener (xdg-open, or open on macOS)
  --json     Print {"url", "expiresInSeconds"}

Example:
  agentos bridge open --browser`,
  options: { json: { type: "boolean" }, browser: { type: "boolean" } },
  async run({ values }) {
    const paths = resolveHome();
    const port = await liveBridgePort(paths);
    const token = readOrCreateTokenSync(`${paths.home}/${TOKEN_FILE}`);
    const url = `http://127.0.0.1:${port}/?open=${await makeOpenCode(token)}`;
    if (values.json) printJson({ url, expiresInSeconds: OPEN_CODE_TTL_S });
    else print(url);
    if (values.browser) await openInBrowser(url);
    return ExitCode.Ok;
  },
};

/** The port of a bridge that answers, or an error saying how to get one. */
async function liveBridgePort(paths: HomePaths): Promise<number> {
  let located;
  try {
    located = bridgePort(paths, await tryEngineStatus(paths));
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const { port, source } = located;
  const probe = await probeBridge(port);
  if (probe.kind === "bridge") return port;
  if (probe.kind === "free") {
    throw new CliError(
      `No bridge listens on 127.0.0.1:${port} (the port from ${source})`,
      ExitCode.Error,
      howToStartBridge(port),
    );
  }
  throw new CliError(
    `127.0.0.1:${port} (the port from ${source}) is taken by ${probe.what}`,
    ExitCode.Error,
    "stop that program, or choose another port: agentos prefs set bridge.port <port>",
  );
}

async function openInBrowser(url: string): Promise<void> {
  const opener = Deno.build.os === "darwin" ? "open" : "xdg-open";
  try {
    const { success } = await new Deno.Command(opener, {
      args: [url],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    if (success) return;
  } catch {
    // Not installed, or not allowed: say so below.
  }
  printError(`Could not run ${opener}; open the link above yourself`);
}
