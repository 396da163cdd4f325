/**
 * The tape at both ends of a brokered HTTP request: the key a request is
 * recorded and replayed under, the replay that answers with no network,
 * and the record of a final response. What goes on a tape is redacted,
 * and cookies never go on it.
 *
 * @module
 */
import type { CallCredentials, OffThreadGuard } from "../credentials/mod.ts";
import { requestBody } from "./http_parts.ts";
import { HttpTape, type TapeRequest } from "./http_tape.ts";
import type { RequestTarget } from "./request_target.ts";
import type { HttpResponse, HttpTrace } from "./http_types.ts";

/**
 * The key of a request on a tape: method, URL and body as the skill wrote
 * them (placeholders, not values), redacted.
 *
 * @param target the method and URL the skill named
 * @param params the dispatch params (the body is read from them)
 * @param credentials the call's credentials, for redaction
 * @returns the tape key
 */
export async function tapeKey(
  target: RequestTarget,
  params: Record<string, unknown>,
  credentials: CallCredentials | undefined,
): Promise<TapeRequest> {
  const body = requestBody(params, new Headers());
  return await HttpTape.requestKey(
    { method: target.method, url: target.url.href, body },
    (text) => credentials?.redact(text) ?? text,
  );
}

/**
 * Answers a request from a replay tape ("refused" stays in the trace when
 * the tape has no answer).
 *
 * @param tape the replay tape
 * @param key the request's key
 * @param trace the trace to fill
 * @returns the recorded response
 * @throws {RpcError} NotFound when the tape has no answer for the key
 */
export function replayFromTape(
  tape: HttpTape,
  key: TapeRequest,
  trace: HttpTrace,
): HttpResponse {
  trace.checks.replay = "refused";
  const answer = tape.answer(key);
  trace.checks.replay = "answered";
  trace.bytesIn = answer.body.length;
  return answer;
}

/**
 * Adds a final response to a recording tape, redacted and without its
 * `Set-Cookie` header (cookies are credentials: never in a recording).
 * The body is redacted on a guard worker when large (within the call's
 * guard budget), the short fields on the main thread.
 *
 * @param tape the tape, if the call has one
 * @param key the request's key (present whenever the tape is)
 * @param result the response the skill gets
 * @param credentials the call's credentials, for redaction
 * @param guard the guard workers and the call's budget
 */
export async function recordResponse(
  tape: HttpTape | undefined,
  key: TapeRequest | undefined,
  result: HttpResponse,
  credentials: CallCredentials | undefined,
  guard: OffThreadGuard,
): Promise<void> {
  if (!tape) return;
  const body = credentials
    ? await credentials.redactOffThread(result.body, guard)
    : result.body;
  const redact = (text: string) => credentials?.redact(text) ?? text;
  tape.add(key!, withoutCookies({ ...result, body }), redact, {
    bodyRedacted: true,
  });
}

function withoutCookies(response: HttpResponse): HttpResponse {
  const headers = { ...response.headers };
  delete headers["set-cookie"];
  return { ...response, headers };
}
