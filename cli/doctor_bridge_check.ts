import type { CheckResult } from "./doctor_check.ts";

/** The bridge's default port (docs/bridge.md). */
export const BRIDGE_PORT = 3456;
const BRIDGE_TIMEOUT_MS = 2_000;

/** The `bridge` check. */
export async function checkBridge(): Promise<CheckResult> {
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
