/**
 * The stage that guards a brokered HTTP request's final response before
 * the skill reads it: the body read under the size cap and the deadline
 * (none for HEAD), and every real credential value in the URL, header
 * names and values and body masked back to its placeholder. A large body
 * is masked on a guard worker thread within the call's guard budget, so
 * it costs no other client time on the engine's main thread.
 *
 * @module
 */
import type { CallCredentials, OffThreadGuard } from "../credentials/mod.ts";
import { readBody } from "./http_parts.ts";
import type { Deadline } from "./request_deadline.ts";
import type { HopRequest, HttpResponse, HttpTrace } from "./http_types.ts";

/**
 * Reads and masks the final response.
 *
 * @param response the last hop's response, not a redirect
 * @param request the last hop (its method and URL)
 * @param credentials the call's credentials, for masking
 * @param deadline the request's time limit
 * @param trace the trace to fill (bytesIn)
 * @param guard the guard workers and the call's budget
 * @returns status, ok, URL, lower-case headers and body, masked
 * @throws {RpcError} Forbidden past the size cap, Timeout (also past the
 *   call's guard budget)
 */
export async function guardResponse(
  response: Response,
  request: HopRequest,
  credentials: CallCredentials | undefined,
  deadline: Deadline,
  trace: HttpTrace,
  guard: OffThreadGuard,
): Promise<HttpResponse> {
  const { url } = request;
  const read = request.method === "HEAD"
    ? (await response.body?.cancel(), { text: "", bytes: 0 })
    : await readBody(response, url, deadline.timeout, deadline.seconds);
  trace.bytesIn = read.bytes;
  // A credential added during the request (a cookie, a token) is prepared off this thread too.
  await credentials?.ready(guard.pool);
  const mask = (text: string) => credentials?.mask(text) ?? text;
  const headers = maskedHeaders(response.headers, mask);
  const body = credentials
    ? await credentials.maskOffThread(read.text, guard)
    : read.text;
  return {
    status: response.status,
    ok: response.ok,
    url: mask(url.href),
    headers,
    body,
  };
}

/** The headers as a record, masked; repeated ones (Set-Cookie above all) joined, not lost. */
function maskedHeaders(
  headers: Headers,
  mask: (text: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    const shown = mask(value), key = mask(name);
    out[key] = key in out ? `${out[key]}, ${shown}` : shown;
  });
  return out;
}
