import { bridgePort, probeBridge } from "./bridge_locate.ts";
import { exists } from "./args.ts";
import {
  engineLaunch,
  readPidFile,
  resolveHome,
  RpcClient,
} from "../engine/mod.ts";
import type { Command } from "./command.ts";
import { callEngine, START_HINT } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printPairs } from "./output.ts";

const START_TIMEOUT_MS = 20_000;

/** `agentos engine start`. */
export const engineStart: Command = {
  name: "engine start",
  summary: "Start the engine (in the background unless --foreground)",
  usage: "engine start [--foreground] [--json]",
  help: `Options:
  --foreground  Stay attached: log to the terminal, stop with Ctrl-C
  --json        Print the engine's status as JSON once it answers

Exit codes: 0 started (or already running), 1 failed, 3 another engine holds the lock.`,
  options: {
    foreground: { type: "boolean" },
    json: { type: "boolean" },
  },
  async run({ values }) {
    const paths = resolveHome();
    const running = await tryStatus(paths.socket);
    if (running) {
      if (values.json) printJson(running);
      else {print(
          `Engine already running (pid ${running.pid}) at ${paths.home}`,
        );}
      return ExitCode.Ok;
    }
    // The checkout's `deno task engine`, or a compiled agentos-engine.
    const launch = engineLaunch();
    const command = new Deno.Command(launch.program, {
      args: launch.args,
      stdin: "null",
      stdout: values.foreground ? "inherit" : "null",
      stderr: values.foreground ? "inherit" : "null",
      detached: !values.foreground,
    });
    const child = command.spawn();
    if (values.foreground) {
      // Let the child take Ctrl-C; we just wait for it.
      const ignore = () => {};
      Deno.addSignalListener("SIGINT", ignore);
      const { code } = await child.status;
      Deno.removeSignalListener("SIGINT", ignore);
      return code;
    }
    let exited: number | undefined;
    child.status.then((status) => exited = status.code);
    child.unref();
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (exited !== undefined) {
        if (exited === ExitCode.Locked) {
          const pid = readPidFile(paths.pidFile);
          throw new CliError(
            `Another engine holds "${paths.lockFile}"${
              pid ? ` (pid ${pid})` : ""
            }`,
            ExitCode.Locked,
          );
        }
        throw new CliError(
          `The engine exited during start-up with code ${exited}`,
          ExitCode.Error,
          `Run "agentos engine start --foreground" to see why, or read ${paths.engineLog}`,
        );
      }
      const status = await tryStatus(paths.socket);
      if (status) {
        if (values.json) printJson(status);
        else print(`Engine started (pid ${status.pid}) at ${paths.home}`);
        return ExitCode.Ok;
      }
    }
    throw new CliError(
      `The engine did not answer within ${START_TIMEOUT_MS / 1000} s`,
      ExitCode.Error,
      `Read ${paths.engineLog}`,
    );
  },
};

/** `agentos engine stop`. */
export const engineStop: Command = {
  name: "engine stop",
  summary: "Stop the engine gracefully (finishes in-flight calls)",
  usage: "engine stop",
  async run() {
    const paths = resolveHome();
    const { pid } = await callEngine<{ pid: number }>("engine.shutdown");
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (!exists(paths.pidFile) && !exists(paths.socket)) {
        print(`Engine stopped (pid ${pid})`);
        return ExitCode.Ok;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new CliError(`Engine (pid ${pid}) did not stop within 60 s`);
  },
};

/** `agentos engine status`. */
export const engineStatus: Command = {
  name: "engine status",
  summary: "Show whether the engine runs, and its version, uptime and counts",
  usage: "engine status [--json]",
  help: "Exit codes: 0 running, 2 not running.",
  options: { json: { type: "boolean" } },
  async run({ values }) {
    const status = await callEngine<Record<string, unknown>>("engine.status");
    if (values.json) {
      printJson(status);
      return ExitCode.Ok;
    }
    const sandbox = status.sandbox as { kind?: string } | undefined;
    printPairs([
      ["engine", `running (pid ${status.pid})`],
      ["version", status.version],
      ["uptime", formatDuration(Number(status.uptimeMs))],
      ["home", status.home],
      ["sandbox", sandbox?.kind ?? "unknown"],
      ["bridge", await bridgeLine(status)],
      ...Object.entries(status.counts as Record<string, number>),
    ]);
    return ExitCode.Ok;
  },
};

/** The bridge that really runs: the engine's own, or one found on its port. */
async function bridgeLine(status: Record<string, unknown>): Promise<string> {
  const own = status.bridge as { url: string; pid: number | null } | undefined;
  if (own) return `${own.url} (started by the engine, pid ${own.pid})`;
  try {
    const { port, source } = bridgePort(resolveHome(), status);
    const probe = await probeBridge(port);
    if (probe.kind === "bridge") {
      return `http://127.0.0.1:${port}/ (port from ${source})`;
    }
    return `not running (port ${port}, from ${source})`;
  } catch (error) {
    return (error as Error).message;
  }
}

async function tryStatus(
  socket: string,
): Promise<{ pid: number } | undefined> {
  let client: RpcClient | undefined;
  try {
    client = await RpcClient.connect(socket);
    return await client.call("engine.status", {}, { timeoutMs: 2000 });
  } catch {
    return undefined;
  } finally {
    await client?.close();
  }
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const parts = [
    [Math.floor(s / 86400), "d"],
    [Math.floor(s / 3600) % 24, "h"],
    [
      Math.floor(s / 60) % 60,
      "m",
    ],
    [s % 60, "s"],
  ] as const;
  return parts.filter(([n], i) => n > 0 || i === 3).map(([n, u]) => `${n}${u}`)
    .join(" ");
}

export { START_HINT };
