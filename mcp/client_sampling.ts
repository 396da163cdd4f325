import type { Server } from "./_sdk.ts";
import type { EngineReply } from "./engine_link.ts";
import type { McpLog } from "./mcp_log.ts";

/** Options for {@linkcode ClientSampling}. */
export interface ClientSamplingOptions {
  /** Longest wait for the client's model, in ms (default 2 minutes). */
  timeoutMs?: number;
  /** Sampling requests one session may send per minute (default 20). */
  maxPerMinute?: number;
}

/** What the engine's `llm.sample` notification carries. */
interface SampleAsk {
  id: string;
  request: Record<string, unknown>;
}

/**
 * The client's model as the engine's `llm` provider: the engine asks on
 * the connection of the tool call that started the work (`llm.sample`),
 * this sends `sampling/createMessage` to this session's client only, and
 * answers on that same connection (`llm.sample_answer`). A refusal, a
 * timeout or an answer of the wrong schema becomes a clear error for the
 * skill. No API key is involved.
 */
export class ClientSampling {
  #server: Server;
  #log: McpLog;
  #timeoutMs: number;
  #max: number;
  #sent: number[] = [];

  /**
   * @param server the session's MCP server
   * @param log the proxy's log
   * @param options timeout and rate
   */
  constructor(
    server: Server,
    log: McpLog,
    options: ClientSamplingOptions = {},
  ) {
    this.#server = server;
    this.#log = log;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#max = options.maxPerMinute ?? 20;
  }

  /** Whether the client declared sampling. */
  get supported(): boolean {
    return this.#server.getClientCapabilities()?.sampling !== undefined;
  }

  /**
   * Serves one engine notification if it is a sampling request.
   *
   * @param method the notification
   * @param params its params
   * @param reply calls the engine on the notification's connection
   * @param signal the tool call's cancellation
   * @returns whether it was a sampling request
   */
  handle(
    method: string,
    params: unknown,
    reply: EngineReply,
    signal: AbortSignal,
  ): boolean {
    if (method !== "llm.sample") return false;
    const ask = params as Partial<SampleAsk> | undefined;
    if (typeof ask?.id !== "string" || typeof ask.request !== "object") {
      this.#log.warn("Malformed sampling request from the engine");
      return true;
    }
    void this.#answer(ask as SampleAsk, reply, signal);
    return true;
  }

  async #answer(ask: SampleAsk, reply: EngineReply, signal: AbortSignal) {
    let answer: Record<string, unknown>;
    try {
      answer = { result: await this.#ask(ask.request, signal) };
    } catch (error) {
      answer = { error: (error as Error).message.slice(0, 500) };
      this.#log.info("Sampling request not answered", { why: answer.error });
    }
    await reply("llm.sample_answer", { id: ask.id, ...answer }).catch(
      (error) =>
        this.#log.debug("Sampling answer not taken", {
          error: (error as Error).message,
        }),
    );
  }

  /** Sends `sampling/createMessage`; the SDK checks the answer's schema. */
  async #ask(
    request: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    if (!this.supported) throw new Error("the client did not declare sampling");
    const now = Date.now();
    this.#sent = this.#sent.filter((at) => at > now - 60_000);
    if (this.#sent.length >= this.#max) {
      throw new Error(
        `more than ${this.#max} sampling requests in a minute from this session`,
      );
    }
    this.#sent.push(now);
    let result;
    try {
      result = await this.#server.createMessage(
        request as Parameters<Server["createMessage"]>[0],
        { signal, timeout: this.#timeoutMs },
      );
    } catch (error) {
      const message = (error as Error).message;
      throw new Error(
        /timed out/i.test(message)
          ? `the client gave no answer within ${
            Math.round(this.#timeoutMs / 1000)
          } s`
          : `the client refused or failed: ${message}`,
      );
    }
    const content = Array.isArray(result.content)
      ? result.content
      : [result.content];
    const text = content.filter((c) => c?.type === "text").map((c) =>
      (c as { text: string }).text
    ).join("");
    if (text === "" && content.some((c) => c?.type !== "text")) {
      throw new Error(
        `the client's model answered with ${content[0]?.type}, not text`,
      );
    }
    return {
      text,
      model: String(result.model).slice(0, 200),
      ...(typeof result.stopReason === "string"
        ? { stopReason: result.stopReason.slice(0, 100) }
        : {}),
    };
  }
}
