// @ts-self-types="./sdk.d.ts"
/**
 * The AgentOS app SDK, served by the bridge at `/sdk.js` (types at
 * `/sdk.d.ts`). An ES module with no dependencies:
 *
 *   import { agentos } from "http://127.0.0.1:3456/sdk.js";
 *   const { items } = await agentos.graph.list({ shape: "task", limit: 20 });
 *   const answer = await agentos.capability("llm").invoke({ prompt: "Hi" });
 *   const stop = agentos.observe((event) => console.log(event));
 *
 * Apps on another origin create a client with the app token:
 *
 *   import { createClient } from "http://127.0.0.1:3456/sdk.js";
 *   const agentos = createClient({ token: "aos_app_…" });
 *
 * An app names capabilities, never skills: the engine picks the provider.
 */

const DEFAULT_BASE = new URL(".", import.meta.url).href.replace(/\/+$/, "");

/** A refusal or failure reported by the bridge. */
export class AgentOSError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   * @param {string} code
   * @param {{ rpcCode?: number, data?: unknown }} [detail]
   */
  constructor(message, status, code, detail = {}) {
    super(message);
    this.name = "AgentOSError";
    this.status = status;
    this.code = code;
    this.rpcCode = detail.rpcCode;
    this.data = detail.data;
  }
}

/**
 * Creates a client of one bridge.
 *
 * @param {import("./sdk.d.ts").ClientOptions} [options]
 * @returns {import("./sdk.d.ts").AgentOS}
 */
export function createClient(options = {}) {
  const base = String(options.baseUrl ?? DEFAULT_BASE).replace(/\/+$/, "");
  const doFetch = options.fetch ??
    ((input, init) => globalThis.fetch(input, init));
  let token = options.token;

  /** @param {Record<string, string>} extra */
  function headers(extra = {}) {
    /** @type {Record<string, string>} */
    const all = { Accept: "application/json", ...extra };
    if (token) all.Authorization = `Bearer ${token}`;
    return all;
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async function request(method, path, body) {
    /** @type {RequestInit} */
    const init = {
      method,
      headers: headers(
        body === undefined ? {} : { "Content-Type": "application/json" },
      ),
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await doFetch(`${base}${path}`, init);
    const text = await response.text();
    let json;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) throw errorOf(response.status, json);
    return json;
  }

  /** @param {Record<string, unknown>} query */
  function listPath(query) {
    const params = new URLSearchParams();
    for (const key of ["shape", "q", "sort", "cursor"]) {
      if (query[key] !== undefined && query[key] !== null) {
        params.set(key, String(query[key]));
      }
    }
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    if (query.where !== undefined) {
      params.set("where", JSON.stringify(query.where));
    }
    const text = params.toString();
    return text === "" ? "/graph" : `/graph?${text}`;
  }

  const id = (/** @type {string} */ value) => encodeURIComponent(value);

  return {
    setToken(value) {
      token = value;
    },
    capability(name) {
      return {
        invoke: (params = {}) =>
          request("POST", `/capability/${encodeURIComponent(name)}`, params),
      };
    },
    graph: {
      list: (query = {}) => request("GET", listPath(query)),
      get: (nodeId) => request("GET", `/graph/${id(nodeId)}`),
      history: (nodeId, query = {}) => {
        const params = new URLSearchParams();
        if (query.after !== undefined) params.set("after", String(query.after));
        if (query.limit !== undefined) params.set("limit", String(query.limit));
        const text = params.toString();
        return request(
          "GET",
          `/graph/${id(nodeId)}/history${text === "" ? "" : `?${text}`}`,
        );
      },
      neighbourhood: (nodeId, query = {}) => {
        const params = new URLSearchParams();
        for (const key of ["depth", "limit", "cursor"]) {
          const value = /** @type {any} */ (query)[key];
          if (value !== undefined && value !== null) {
            params.set(key, String(value));
          }
        }
        const text = params.toString();
        return request(
          "GET",
          `/graph/${id(nodeId)}/neighbourhood${text === "" ? "" : `?${text}`}`,
        );
      },
      create: (record) => request("POST", "/graph", record),
      update: (nodeId, values) =>
        request("PATCH", `/graph/${id(nodeId)}`, { values }),
      delete: (nodeId) => request("DELETE", `/graph/${id(nodeId)}`),
      restore: (nodeId) => request("POST", `/graph/${id(nodeId)}/restore`),
      link: (from, label, to, values) =>
        request(
          "POST",
          "/graph",
          values === undefined
            ? { from, label, to }
            : { from, label, to, values },
        ),
    },
    shapes: async () => (await request("GET", "/shapes")).shapes,
    user: () => request("GET", "/user"),
    observe(callback, observeOptions = {}) {
      return observe(callback, observeOptions);
    },
  };

  /**
   * @param {(event: import("./sdk.d.ts").ObserverEvent) => void} callback
   * @param {import("./sdk.d.ts").ObserveOptions} observeOptions
   * @returns {import("./sdk.d.ts").Observation}
   */
  function observe(callback, observeOptions) {
    const controller = new AbortController();
    let lastEventId = observeOptions.since;
    let stopped = false;
    const report = observeOptions.onError ?? (() => {});
    const done = (async () => {
      let failures = 0;
      while (!stopped) {
        let retryMs = 2000;
        try {
          const streamHeaders = headers({ Accept: "text/event-stream" });
          if (lastEventId !== undefined) {
            streamHeaders["Last-Event-ID"] = String(lastEventId);
          }
          const response = await doFetch(`${base}/observer/stream`, {
            headers: streamHeaders,
            signal: controller.signal,
          });
          if (!response.ok || !response.body) {
            const error = errorOf(
              response.status,
              await response.json().catch(() => undefined),
            );
            // A refusal (bad token, bad origin) will not fix itself: stop.
            if (response.status >= 400 && response.status < 500) {
              stopped = true;
              report(error);
              break;
            }
            throw error;
          }
          failures = 0;
          for await (
            const message of readEvents(response.body, controller.signal)
          ) {
            if (message.retry !== undefined) retryMs = message.retry;
            if (message.id !== undefined && /^\d+$/.test(message.id)) {
              lastEventId = Number(message.id);
            }
            if (message.data === undefined) continue;
            let data;
            try {
              data = JSON.parse(message.data);
            } catch {
              continue;
            }
            // A fresh stream starts "after" some change: resume from there.
            if (
              message.event === "ready" && lastEventId === undefined &&
              Number.isInteger(data.after)
            ) {
              lastEventId = data.after;
            }
            callback({ ...data, kind: message.event ?? "message" });
          }
        } catch (error) {
          if (stopped) break;
          report(error);
        }
        if (stopped) break;
        failures++;
        const backoff = Math.min(
          30_000,
          retryMs * 2 ** Math.min(failures - 1, 4),
        );
        await sleep(
          failures === 1 ? retryMs : backoff * (0.5 + Math.random() / 2),
          controller.signal,
        );
      }
    })();
    return {
      get lastEventId() {
        return lastEventId;
      },
      close() {
        stopped = true;
        controller.abort();
        return done;
      },
    };
  }
}

/**
 * @param {number} status
 * @param {any} body
 */
function errorOf(status, body) {
  const error = body && typeof body === "object" ? body.error : undefined;
  return new AgentOSError(
    typeof error?.message === "string"
      ? error.message
      : `The bridge answered HTTP ${status}`,
    status,
    typeof error?.code === "string" ? error.code : "http_error",
    { rpcCode: error?.rpcCode, data: error?.data },
  );
}

/**
 * Parses a Server-Sent Events body into messages (comments dropped).
 *
 * @param {ReadableStream<Uint8Array>} body
 * @param {AbortSignal} signal cancels the read (not every fetch ties the body to its signal)
 * @returns {AsyncGenerator<{ event?: string, data?: string, id?: string, retry?: number }>}
 */
async function* readEvents(body, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const cancel = () => reader.cancel().catch(() => {});
  signal.addEventListener("abort", cancel);
  let buffer = "";
  /** @type {{ event?: string, data?: string, id?: string, retry?: number }} */
  let message = {};
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value;
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "") {
          if (
            message.data !== undefined || message.id !== undefined ||
            message.retry !== undefined
          ) yield message;
          message = {};
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") {
          message.data = message.data === undefined
            ? value
            : `${message.data}\n${value}`;
        } else if (field === "event") message.event = value;
        else if (field === "id") message.id = value;
        else if (field === "retry" && /^\d+$/.test(value)) {
          message.retry = Number(value);
        }
      }
    }
  } finally {
    signal.removeEventListener("abort", cancel);
    await cancel();
  }
}

/**
 * @param {number} ms
 * @param {AbortSignal} signal
 */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(undefined);
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve(undefined);
    }
    signal.addEventListener("abort", done);
  });
}

/** A client of the bridge that served this module (same origin, no token). */
export const agentos = createClient();
export default agentos;
