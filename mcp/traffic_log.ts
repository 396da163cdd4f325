import type { JSONRPCMessage } from "./_sdk.ts";
import type { McpLog } from "./mcp_log.ts";
import type { Direction } from "./stdio_transport.ts";

interface Pending {
  method: string;
  fields: Record<string, unknown>;
  started: number;
  bytesIn: number;
}

/** Requests remembered while they await their response; beyond this the oldest are dropped. */
const MAX_PENDING = 10_000;

/**
 * Summarises the MCP traffic into `mcp.log`: one line per request when its
 * response goes out (method, tool or URI, argument keys, outcome, sizes and
 * milliseconds), and one per notification that matters. Argument values and
 * results are never written — they may hold secrets a user pasted into a
 * chat — only their keys and sizes; error messages are kept with the
 * values they quote replaced by `"…"`.
 */
export class TrafficLog {
  #log: McpLog;
  #pending = new Map<string | number, Pending>();
  #now: () => number;

  /**
   * @param log the proxy's log
   * @param now a millisecond clock (a seam for tests)
   */
  constructor(log: McpLog, now: () => number = () => performance.now()) {
    this.#log = log;
    this.#now = now;
  }

  /**
   * Records one message; pass it as the transport's `onTraffic`.
   *
   * @param direction `in` from the client, `out` to it
   * @param message the message
   * @param bytes its size on the wire
   */
  observe(direction: Direction, message: JSONRPCMessage, bytes: number): void {
    const m = message as Record<string, unknown>;
    const params = (m.params ?? {}) as Record<string, unknown>;
    if (direction === "in" && typeof m.method === "string") {
      if ("id" in m) {
        if (this.#pending.size >= MAX_PENDING) {
          this.#pending.delete(this.#pending.keys().next().value!);
        }
        this.#pending.set(m.id as string | number, {
          method: m.method,
          fields: requestFields(m.method, params),
          started: this.#now(),
          bytesIn: bytes,
        });
      } else if (m.method === "notifications/cancelled") {
        const id = params.requestId as string | number;
        const pending = this.#pending.get(id);
        this.#pending.delete(id);
        this.#log.info("cancelled", {
          id,
          method: pending?.method ?? null,
          ...pending?.fields,
          ms: pending ? this.#elapsed(pending) : null,
        });
      } else {
        this.#log.debug(m.method, { bytes });
      }
      return;
    }
    if (direction === "out" && "id" in m && !("method" in m)) {
      // A reply to a refused line; the transport logged the refusal.
      if (m.id === null) return;
      const pending = this.#pending.get(m.id as string | number);
      this.#pending.delete(m.id as string | number);
      const fields: Record<string, unknown> = {
        id: m.id ?? null,
        ...pending?.fields,
        ...outcome(m),
        ms: pending ? this.#elapsed(pending) : null,
        in: pending?.bytesIn ?? null,
        out: bytes,
      };
      const level = "error" in m ? "warn" : "info";
      this.#log[level](pending?.method ?? "response", fields);
      return;
    }
    if (direction === "out" && typeof m.method === "string") {
      if (m.method === "notifications/progress") {
        this.#log.debug(m.method, { progress: params.progress ?? null });
      } else {
        this.#log.info(m.method, { bytes });
      }
    }
  }

  #elapsed(pending: Pending): number {
    return Math.round((this.#now() - pending.started) * 100) / 100;
  }
}

function requestFields(
  method: string,
  params: Record<string, unknown>,
): Record<string, unknown> {
  if (method === "tools/call") {
    const args = params.arguments;
    return {
      tool: String(params.name).slice(0, 100),
      // Keys only: values may be secrets.
      args: typeof args === "object" && args !== null
        ? Object.keys(args).slice(0, 20).map((k) => k.slice(0, 40))
        : [],
      progress: (params._meta as Record<string, unknown> | undefined)
        ?.progressToken !== undefined,
    };
  }
  if (method === "resources/read") {
    return { uri: String(params.uri).slice(0, 200) };
  }
  if (method === "initialize") {
    const info = params.clientInfo as Record<string, unknown> | undefined;
    return {
      client: String(info?.name ?? "").slice(0, 100),
      clientVersion: String(info?.version ?? "").slice(0, 40),
      protocol: String(params.protocolVersion ?? "").slice(0, 40),
    };
  }
  return {};
}

function outcome(message: Record<string, unknown>): Record<string, unknown> {
  if ("error" in message) {
    const error = message.error as { code?: number; message?: string };
    return {
      outcome: "error",
      code: error.code ?? null,
      message: redact(String(error.message ?? "")),
    };
  }
  const result = message.result as Record<string, unknown> | undefined;
  if (result?.isError === true) {
    const content = result.content as { text?: string }[] | undefined;
    return {
      outcome: "isError",
      message: redact(String(content?.[0]?.text ?? "")),
    };
  }
  return { outcome: "ok" };
}

/**
 * Error messages quote the offending value (house style), and that value
 * may be a secret the user pasted: keep the message, drop what it quotes.
 */
function redact(message: string): string {
  return message.slice(0, 300).replaceAll(/"(?:[^"\\]|\\.)*"?/g, '"…"');
}
