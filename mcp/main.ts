/**
 * agentos-mcp's entry point (`deno task mcp`): a stdio MCP server for one
 * client session. Stdout carries only the protocol; everything else goes to
 * `logs/mcp.log` (stderr only when that file cannot be written). Exits when
 * the client closes stdin, or on SIGTERM / SIGINT.
 *
 * Environment: `AGENTOS_HOME` (required through the task), and optionally
 * `AGENTOS_MCP_LOG_LEVEL` (debug|info|warn|error, default info) and
 * `AGENTOS_MCP_POLL_MS` (skills-change poll interval, default 2000, 0 = off)
 * and `AGENTOS_MCP_LINK_TTL_MS` (life of a credential link, default 10 min)
 * and `AGENTOS_MCP_URL_ELICITATION` (`request`, the default: send
 * `elicitation/create` and wait; `error`: answer the tool call with the
 * URL-elicitation-required error -32042, for clients that open the link and
 * call again themselves).
 *
 * @module
 */
import { type LogLevel, resolveHome } from "../engine/mod.ts";
import {
  EngineLink,
  McpLog,
  McpProxy,
  StdioTransport,
  TrafficLog,
} from "./mod.ts";

const paths = resolveHome();
const level = Deno.env.get("AGENTOS_MCP_LOG_LEVEL") as LogLevel | undefined;
const log = new McpLog(paths.mcpLog, {
  level: ["debug", "info", "warn", "error"].includes(level ?? "")
    ? level
    : "info",
});
const pollMs = Number(Deno.env.get("AGENTOS_MCP_POLL_MS") ?? "");
const linkTtlMs = Number(Deno.env.get("AGENTOS_MCP_LINK_TTL_MS") ?? "");
const askTimeoutMs = Number(Deno.env.get("AGENTOS_MCP_ASK_TIMEOUT_MS") ?? "");
const linkStyle = Deno.env.get("AGENTOS_MCP_URL_ELICITATION") ?? "request";
if (linkStyle !== "request" && linkStyle !== "error") {
  log.warn(
    "AGENTOS_MCP_URL_ELICITATION must be request or error; using request",
    {
      value: linkStyle.slice(0, 40),
    },
  );
}

const link = new EngineLink(paths, {
  onEvent: (message, fields) => {
    log.info(message, fields);
    // The engine creates logs/; the buffered lines can go to the file now.
    log.open();
  },
});
const proxy = new McpProxy({
  link,
  log,
  pollMs: Number.isFinite(pollMs) && pollMs >= 0 &&
      Deno.env.has("AGENTOS_MCP_POLL_MS")
    ? pollMs
    : undefined,
  credentialLinkTtlMs: linkTtlMs >= 1000 ? linkTtlMs : undefined,
  askTimeoutMs: askTimeoutMs >= 500 ? askTimeoutMs : undefined,
  credentialLinkStyle: linkStyle === "error" ? "error" : "request",
});
const traffic = new TrafficLog(log);
const transport = new StdioTransport({
  onTraffic: (direction, message, bytes) =>
    traffic.observe(direction, message, bytes),
  onRefused: (reason, bytes) =>
    log.warn("Refused a message", { reason, bytes }),
});

globalThis.addEventListener("unhandledrejection", (event) => {
  // One failed promise must not end every session the client has open.
  event.preventDefault();
  log.error("Unhandled rejection", { error: event.reason });
});

log.info("agentos-mcp starting", { pid: Deno.pid, home: paths.home });
await proxy.connect(transport);
// Start (or find) the engine now, so the first tool call does not wait.
link.connect().catch((error) =>
  log.warn("Engine not reachable yet", { error: (error as Error).message })
);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => {
    log.info("Stopping", { signal });
    proxy.close();
  });
}

await proxy.closed;
await link.close();
log.info("Session ended");
log.close();
Deno.exit(0);
