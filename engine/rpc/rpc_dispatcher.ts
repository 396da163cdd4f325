import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import { didYouMean } from "../closest_word.ts";

/** What a handler knows about the request it serves. */
export interface RequestContext {
  /** The connection's number, unique for the engine's life. */
  connectionId: number;
  /** Sends a notification to the requesting connection only. */
  notify(method: string, params: unknown): void;
  /** Aborted when the requesting client disconnects. */
  signal: AbortSignal;
}

/** A method implementation: params are always an object. */
export type Handler = (
  params: Record<string, unknown>,
  context: RequestContext,
) => unknown;

/** A JSON-RPC response object. */
export interface Response {
  jsonrpc: "2.0";
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** Options for {@linkcode RpcDispatcher}. */
export interface RpcDispatcherOptions {
  /** Called with every unexpected throw, which the client sees as -32603. */
  onInternalError?: (method: string, error: unknown) => void;
  /** Largest batch accepted. */
  maxBatch?: number;
}

/**
 * Owns the method table and JSON-RPC 2.0 semantics: request validation,
 * batches, notifications and error mapping. Handlers never see bytes.
 */
export class RpcDispatcher {
  #methods = new Map<string, Handler>();
  #onInternalError: (method: string, error: unknown) => void;
  #maxBatch: number;
  #hold: { until: Promise<void>; except: ReadonlySet<string> } | undefined;

  /** @param options error reporting and limits */
  constructor(options: RpcDispatcherOptions = {}) {
    this.#onInternalError = options.onInternalError ?? (() => {});
    this.#maxBatch = options.maxBatch ?? 1000;
  }

  /**
   * Adds a method.
   *
   * @param method `namespace.verb`
   * @param handler its implementation
   * @throws {TypeError} when the method is already registered
   */
  register(method: string, handler: Handler): void {
    if (this.#methods.has(method)) {
      throw new TypeError(`Method "${method}" is already registered`);
    }
    this.#methods.set(method, handler);
  }

  /**
   * Holds every request, except for the methods named, until `until`
   * settles: the engine answers on its socket while its services are still
   * being wired. When `until` rejects, held requests get its message as a
   * ShuttingDown error.
   *
   * @param until resolves once every method is registered
   * @param except methods served at once (e.g. `engine.ping`)
   */
  hold(until: Promise<void>, except: readonly string[]): void {
    const hold = { until, except: new Set(except) };
    this.#hold = hold;
    until.then(() => {
      if (this.#hold === hold) this.#hold = undefined;
    }, () => {});
  }

  /** The registered method names, sorted. */
  methods(): string[] {
    return [...this.#methods.keys()].sort();
  }

  /**
   * Serves one parsed message: a request, a notification or a batch.
   *
   * @param message the parsed JSON value of one line
   * @param context the requesting connection
   * @returns the response(s), or undefined when nothing is to be sent
   */
  async handle(
    message: unknown,
    context: RequestContext,
  ): Promise<Response | Response[] | undefined> {
    if (!Array.isArray(message)) return await this.#handleOne(message, context);
    if (message.length === 0) {
      return failure(null, ErrorCode.InvalidRequest, "Empty batch");
    }
    if (message.length > this.#maxBatch) {
      return failure(
        null,
        ErrorCode.InvalidRequest,
        `Batch of ${message.length} requests exceeds the limit of ${this.#maxBatch}`,
      );
    }
    const responses = await Promise.all(
      message.map((item) => this.#handleOne(item, context)),
    );
    const sent = responses.filter((r): r is Response => r !== undefined);
    return sent.length > 0 ? sent : undefined;
  }

  /** One request: checked, held while the engine starts, then served. */
  async #handleOne(
    message: unknown,
    context: RequestContext,
  ): Promise<Response | undefined> {
    const request = checkRequest(message);
    if (!("method" in request)) return request;
    const hold = this.#hold;
    const response = hold && !hold.except.has(request.method)
      ? await this.#callAfterHold(hold.until, request, context)
      : await this.#call(request, context);
    return request.isNotification ? undefined : response;
  }

  /** Serves a request once the hold lifts; when it fails, that is the answer. */
  async #callAfterHold(
    until: Promise<void>,
    request: CheckedRequest,
    context: RequestContext,
  ): Promise<Response> {
    try {
      await until;
    } catch (error) {
      return failure(
        request.replyId,
        ErrorCode.ShuttingDown,
        (error as Error).message,
      );
    }
    return await this.#call(request, context);
  }

  /** Finds the method, checks that params are named, and runs it. */
  async #call(
    request: CheckedRequest,
    context: RequestContext,
  ): Promise<Response> {
    const { replyId, method, params } = request;
    const handler = this.#methods.get(method);
    if (!handler) {
      return failure(
        replyId,
        ErrorCode.MethodNotFound,
        `Method "${method.slice(0, 200)}" not found${
          // A slip of the hand, not a long probe: only short names are compared.
          method.length <= 64 ? didYouMean(method, this.#methods.keys()) : ""}`,
      );
    }
    if (params !== undefined && params !== null && !isObject(params)) {
      return failure(
        replyId,
        ErrorCode.InvalidParams,
        "Params must be an object of named parameters",
      );
    }
    try {
      const result = await handler(
        (params ?? {}) as Record<string, unknown>,
        context,
      );
      return { jsonrpc: "2.0", id: replyId, result: result ?? null };
    } catch (error) {
      return this.#errorResponse(replyId, method, error);
    }
  }

  /** An RpcError as thrown; anything else is logged and answered as internal. */
  #errorResponse(
    replyId: string | number | null,
    method: string,
    error: unknown,
  ): Response {
    if (error instanceof RpcError) {
      return { jsonrpc: "2.0", id: replyId, error: error.toJSON() };
    }
    this.#onInternalError(method, error);
    return failure(
      replyId,
      ErrorCode.InternalError,
      `Internal error in "${method}"; see logs/engine.log`,
    );
  }
}

/** A request that passed the JSON-RPC checks. */
interface CheckedRequest {
  /** The id to answer with (null when the id was absent). */
  replyId: string | number | null;
  method: string;
  /** Sent without an id: served, never answered. */
  isNotification: boolean;
  params: unknown;
}

/**
 * Checks a message against JSON-RPC 2.0, in the order clients see the
 * errors: an object, the version, the id, the method.
 *
 * @returns the request, or the failure to answer with
 */
function checkRequest(message: unknown): CheckedRequest | Response {
  if (!isObject(message)) {
    return failure(
      null,
      ErrorCode.InvalidRequest,
      "Request must be an object",
    );
  }
  const id = message.id;
  const validId = id === undefined || id === null ||
    typeof id === "string" || (typeof id === "number" && isFinite(id));
  const replyId = validId && id !== undefined
    ? id as string | number | null
    : null;
  if (message.jsonrpc !== "2.0") {
    return failure(
      replyId,
      ErrorCode.InvalidRequest,
      `Unsupported jsonrpc version ${
        JSON.stringify(message.jsonrpc ?? null)
      }; expected "2.0"`,
    );
  }
  if (!validId) {
    return failure(
      null,
      ErrorCode.InvalidRequest,
      "Request id must be a string, a number or null",
    );
  }
  if (typeof message.method !== "string" || message.method === "") {
    return failure(
      replyId,
      ErrorCode.InvalidRequest,
      "Request method must be a non-empty string",
    );
  }
  return {
    replyId,
    method: message.method,
    isNotification: !("id" in message),
    params: message.params,
  };
}

function failure(
  id: string | number | null,
  code: number,
  message: string,
): Response {
  return { jsonrpc: "2.0", id, error: { code, message } };
}
