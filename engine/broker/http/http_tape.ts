import { ErrorCode, invalidParams, RpcError } from "../../errors.ts";
import { isObject } from "../../is_object.ts";
import { PLACEHOLDER } from "../credentials/mod.ts";

/** A brokered response, as the skill received it. */
export interface TapeResponse {
  status: number;
  ok: boolean;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What identifies a request on the tape (credentials replaced by `{secret}`). */
export interface TapeRequest {
  method: string;
  url: string;
  /** SHA-256 of the body, when there is one. */
  body_sha256?: string;
}

/** One recorded exchange. */
export interface TapeExchange {
  request: TapeRequest;
  response: TapeResponse;
}

/** The file `agentos skills test --record` writes. */
export interface Recording {
  agentos_recording: 1;
  skill: string;
  recorded_at: string;
  exchanges: TapeExchange[];
}

/** Most exchanges one recording holds. */
const MAX_EXCHANGES = 10_000;

/**
 * Record and replay of brokered HTTP. Recording keeps every response a
 * run received (after masking: no credential is ever on the tape);
 * replaying answers from the tape without touching the network and
 * fails loudly on a request that was not recorded. Requests are matched
 * by method, URL and body hash, with credentials (placeholders or real
 * values) replaced by `{secret}`; a request recorded several times is
 * answered in order, the last answer repeating.
 */
export class HttpTape {
  /** `record` or `replay`. */
  readonly mode: "record" | "replay";
  /** Requests a replay had no answer for. */
  readonly misses: TapeRequest[] = [];
  #exchanges: TapeExchange[];
  #served = new Map<string, number>();

  private constructor(mode: "record" | "replay", exchanges: TapeExchange[]) {
    this.mode = mode;
    this.#exchanges = exchanges;
  }

  /** A tape that records. */
  static record(): HttpTape {
    return new HttpTape("record", []);
  }

  /**
   * A tape that replays a recording.
   *
   * @param recording a {@linkcode Recording}, as read from its file
   * @returns the tape
   * @throws {RpcError} InvalidParams when it is not a recording
   */
  static replay(recording: unknown): HttpTape {
    if (
      !isObject(recording) || recording.agentos_recording !== 1 ||
      !Array.isArray(recording.exchanges)
    ) {
      throw invalidParams(
        `"replay" must be a recording written by agentos skills test --record`,
      );
    }
    const exchanges = recording.exchanges.filter((e): e is TapeExchange =>
      isObject(e) && isObject(e.request) && isObject(e.response) &&
      typeof e.request.method === "string" &&
      typeof e.request.url === "string"
    );
    return new HttpTape("replay", exchanges);
  }

  /**
   * The tape's identity of a request.
   *
   * @param request the method, the URL as the skill named it, and the body
   * @param redact removes real credential values
   * @returns the request key
   */
  static async requestKey(
    request: { method: string; url: string; body?: string },
    redact: (text: string) => string = (text) => text,
  ): Promise<TapeRequest> {
    const { method, url, body } = request;
    const clean = secretFree(redact);
    const key: TapeRequest = { method, url: clean(url) };
    if (body !== undefined && body !== "") {
      const digest = await crypto.subtle.digest(
        "SHA-256",
        new TextEncoder().encode(clean(body)),
      );
      key.body_sha256 = Array.from(
        new Uint8Array(digest),
        (b) => b.toString(16).padStart(2, "0"),
      ).join("");
    }
    return key;
  }

  /**
   * Answers a request from the tape.
   *
   * @param request the request key
   * @returns the recorded response
   * @throws {RpcError} NotFound for a request that was not recorded
   */
  answer(request: TapeRequest): TapeResponse {
    const id = keyText(request);
    const matches = this.#exchanges.filter((e) => keyText(e.request) === id);
    if (matches.length === 0) {
      this.misses.push(request);
      throw new RpcError(
        ErrorCode.NotFound,
        `Replay has no recorded response for ${request.method} ${request.url}${
          request.body_sha256 ? " with this body" : ""
        }: record the run again with agentos skills test --record`,
        { check: "replay" },
      );
    }
    const served = this.#served.get(id) ?? 0;
    this.#served.set(id, served + 1);
    return structuredClone(
      matches[Math.min(served, matches.length - 1)]!
        .response,
    );
  }

  /**
   * Records one exchange, with `{secret}` wherever the response held a
   * real value (in any form `redact` finds) or a placeholder: a recording
   * never holds a credential, and a stale placeholder would only be
   * refused on replay.
   *
   * @param request the request key
   * @param response what the skill received
   * @param redact replaces real values (the call's `redact`)
   * @param options `bodyRedacted`: the body went through `redact` already
   *   (off the main thread); its placeholders are still replaced
   */
  add(
    request: TapeRequest,
    response: TapeResponse,
    redact: (text: string) => string = (text) => text,
    options: { bodyRedacted?: boolean } = {},
  ): void {
    if (this.#exchanges.length >= MAX_EXCHANGES) return;
    const clean = secretFree(redact);
    const cleanBody = options.bodyRedacted ? secretFree((text) => text) : clean;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      headers[clean(name)] = clean(value);
    }
    this.#exchanges.push({
      request,
      response: {
        status: response.status,
        ok: response.ok,
        url: clean(response.url),
        headers,
        body: cleanBody(response.body),
      },
    });
  }

  /**
   * The recording to save.
   *
   * @param skill the skill id
   * @returns the file's content
   */
  recording(skill: string): Recording {
    return {
      agentos_recording: 1,
      skill,
      recorded_at: new Date().toISOString(),
      exchanges: this.#exchanges,
    };
  }
}

/** `redact`, then every placeholder and `[secret]` as `{secret}`. */
function secretFree(
  redact: (text: string) => string,
): (text: string) => string {
  return (text) =>
    redact(text).replace(PLACEHOLDER, "{secret}").replaceAll(
      "[secret]",
      "{secret}",
    );
}

function keyText(request: TapeRequest): string {
  return `${request.method} ${request.url} ${request.body_sha256 ?? ""}`;
}
