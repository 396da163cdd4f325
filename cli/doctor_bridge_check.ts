import type { HomePaths } from "../engine/mod.ts";
import { bridgePort, probeBridge } from "./bridge_locate.ts";
import type { CheckResult } from "./doctor_check.ts";

export { BRIDGE_PORT } from "./bridge_locate.ts";

/**
 * The `bridge` check: the port the bridge really uses (the engine's
 * supervised one, `AGENTOS_BRIDGE_PORT`, `bridge.port`, or the default) is
 * free or serves the bridge.
 *
 * @param paths the home
 * @param status the running engine's status, if any
 */
export async function checkBridge(
  paths: HomePaths,
  status?: Record<string, unknown>,
): Promise<CheckResult> {
  let port: number;
  let source: string;
  try {
    ({ port, source } = bridgePort(paths, status));
  } catch (error) {
    return {
      name: "bridge",
      status: "fail",
      detail: (error as Error).message,
      hint: "set AGENTOS_BRIDGE_PORT to a port from 1 to 65535, or unset it",
    };
  }
  const probe = await probeBridge(port);
  // The environment and the default are what a user set or expects; the
  // engine's bridge and the preference are worth naming.
  const from = source === "engine" || source === "bridge.port"
    ? ` (from ${source})`
    : "";
  if (probe.kind === "free") {
    return {
      name: "bridge",
      status: "ok",
      detail: `port ${port} is free${from}`,
    };
  }
  if (probe.kind === "bridge") {
    return {
      name: "bridge",
      status: "ok",
      detail: `port ${port} serves the AgentOS bridge${from}`,
    };
  }
  return {
    name: "bridge",
    status: "warn",
    detail:
      `port ${port} is taken by ${probe.what}: the bridge cannot start there${from}`,
    hint:
      "stop that program, or run the bridge on another port: AGENTOS_BRIDGE_PORT=<port> or agentos prefs set bridge.port <port>",
  };
}
