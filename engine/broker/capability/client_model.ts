/**
 * The MCP client's own model as a provider of `llm`: the engine asks the
 * proxy whose tool call started the work (`llm.sample`, a notification on
 * that call's own connection) and accepts the answer (`llm.sample_answer`)
 * only on that same connection. A skill's call never reaches another
 * session's client, and no other connection can answer for it.
 *
 * @module
 */
import { ErrorCode, invalidParams, RpcError } from "../../errors.ts";
import { isObject } from "../../is_object.ts";

/** What the engine asks a client's model: MCP `sampling/createMessage` params. */
export type SampleRequest = Record<string, unknown>;

/** The client model's answer, checked. */
export interface SampleAnswer {
  text: string;
  model: string;
  stopReason?: string;
}

/** Asks the model of the client whose call started this work. */
export type ClientModel = (
  request: SampleRequest,
  signal?: AbortSignal,
) => Promise<SampleAnswer>;

/** The connection a call came in on: where to ask and who may answer. */
export interface CallConnection {
  connectionId: number;
  notify(method: string, params: unknown): void;
  /** Aborted when that connection closes. */
  signal: AbortSignal;
}

interface Waiting {
  connectionId: number;
  resolve: (answer: SampleAnswer) => void;
  reject: (error: RpcError) => void;
}

/** Longest answer text accepted from a client: 1 MiB. */
export const MAX_ANSWER_CHARS = 1024 * 1024;

/**
 * The engine's open sampling requests, each bound to the connection it
 * was sent on.
 */
export class ClientModelDesk {
  #waiting = new Map<string, Waiting>();
  #timeoutMs: number;

  /** @param options the longest wait for a client's answer (default 5 min) */
  constructor(options: { timeoutMs?: number } = {}) {
    this.#timeoutMs = options.timeoutMs ?? 5 * 60_000;
  }

  /** Requests waiting for an answer now. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * The client model behind one call's connection.
   *
   * @param connection the connection the tool call came in on
   * @returns a function that asks that client, and only it
   */
  channel(connection: CallConnection): ClientModel {
    return (request, signal) => this.#ask(connection, request, signal);
  }

  #ask(
    connection: CallConnection,
    request: SampleRequest,
    signal?: AbortSignal,
  ): Promise<SampleAnswer> {
    const id = crypto.randomUUID();
    const { promise, resolve, reject } = Promise.withResolvers<SampleAnswer>();
    const fail = (message: string, code = ErrorCode.SkillFailed) =>
      reject(new RpcError(code, message, { provider: "mcp-sampling" }));
    const timer = setTimeout(
      () =>
        fail(
          `The MCP client's model gave no answer within ${
            Math.round(this.#timeoutMs / 1000)
          } s`,
          ErrorCode.Timeout,
        ),
      this.#timeoutMs,
    );
    const onGone = () =>
      fail("The MCP session that asked went away before its model answered");
    connection.signal.addEventListener("abort", onGone, { once: true });
    signal?.addEventListener("abort", onGone, { once: true });
    this.#waiting.set(id, {
      connectionId: connection.connectionId,
      resolve,
      reject,
    });
    connection.notify("llm.sample", { id, request });
    return promise.finally(() => {
      clearTimeout(timer);
      connection.signal.removeEventListener("abort", onGone);
      signal?.removeEventListener("abort", onGone);
      this.#waiting.delete(id);
    });
  }

  /**
   * `llm.sample_answer`: the client's answer, or why there is none.
   *
   * @param connectionId the connection the answer came in on
   * @param params `{id, result: {text, model, stopReason?}}` or `{id, error}`
   * @throws {RpcError} NotFound when no such request waits on this
   *   connection (another connection's, answered, timed out: one message
   *   for all, so no connection learns of another's requests);
   *   InvalidParams for an answer of the wrong shape (the request fails too)
   */
  answer(connectionId: number, params: Record<string, unknown>): void {
    const waiting = typeof params.id === "string"
      ? this.#waiting.get(params.id)
      : undefined;
    if (!waiting || waiting.connectionId !== connectionId) {
      throw new RpcError(
        ErrorCode.NotFound,
        "No sampling request with this id waits for an answer on this connection",
      );
    }
    if (typeof params.error === "string") {
      waiting.reject(
        new RpcError(
          ErrorCode.SkillFailed,
          `The MCP client's model did not answer: ${
            params.error.slice(0, 500)
          }`,
          { provider: "mcp-sampling" },
        ),
      );
      return;
    }
    const problem = answerProblem(params.result);
    if (problem) {
      waiting.reject(
        new RpcError(
          ErrorCode.SkillFailed,
          `The MCP client answered with a malformed result: ${problem}`,
          { provider: "mcp-sampling" },
        ),
      );
      throw invalidParams(problem);
    }
    waiting.resolve(params.result as SampleAnswer);
  }
}

function answerProblem(result: unknown): string | undefined {
  if (!isObject(result)) return `"result" must be an object`;
  if (typeof result.text !== "string") return `"result.text" must be a string`;
  if (result.text.length > MAX_ANSWER_CHARS) {
    return `"result.text" is longer than ${MAX_ANSWER_CHARS} characters`;
  }
  if (typeof result.model !== "string" || result.model.length > 200) {
    return `"result.model" must be a string of at most 200 characters`;
  }
  if (
    result.stopReason !== undefined &&
    (typeof result.stopReason !== "string" || result.stopReason.length > 100)
  ) {
    return `"result.stopReason" must be a short string`;
  }
  return undefined;
}
