/**
 * The stage that guards a brokered HTTP request's final response before
 * the skill reads it: the body read under the size cap and the deadline
 * (none for HEAD), and every real credential value in the URL, header
 * names and values and body masked back to its placeholder. A large body
 * (64 KiB or more) goes to a guard worker thread as bytes (transferred,
 * not copied), is decoded there by its charset, masked within the call's
 * guard budget and made into its JSON there, which the skill's reply
 * line splices in: the engine's main thread neither decodes, scans nor
 * serialises it, so it costs no other client time.
 *
 * @module
 */
import {
  type CallCredentials,
  INLINE_GUARD_CHARS,
  type OffThreadGuard,
} from "../credentials/mod.ts";
import { withMadeJson } from "../../rpc/mod.ts";
import { ErrorCode, RpcError } from "../../errors.ts";
import { readBodyBytes } from "./http_parts.ts";
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
  refuseUndecoded(response, url, credentials);
  const read = request.method === "HEAD"
    ? (await response.body?.cancel(), EMPTY)
    : await readBodyBytes(response, url, deadline.timeout, deadline.seconds);
  trace.bytesIn = read.bytes.length;
  // A credential added during the request (a cookie, a token) is prepared off this thread too.
  await credentials?.ready(guard.pool);
  const mask = (text: string) => credentials?.mask(text) ?? text;
  const headers = maskedHeaders(response.headers, mask);
  const head = {
    status: response.status,
    ok: response.ok,
    url: mask(url.href),
  };
  if (read.bytes.length >= INLINE_GUARD_CHARS) {
    // Decoded, masked and made into JSON on a guard worker.
    const body = credentials
      ? await credentials.maskBodyOffThread(read, guard)
      : await guard.pool.scrubBody([], read, guard.budgetMs);
    return withMadeJson(
      { ...head, headers, body: "" },
      "body",
      body.json,
    );
  }
  const text = new TextDecoder(read.charset).decode(read.bytes);
  const body = credentials
    ? await credentials.maskOffThread(text, guard)
    : text;
  return { ...head, headers, body };
}

const EMPTY = { bytes: new Uint8Array(0), charset: "utf-8" };

/** Content codings the HTTP client decodes before the guard reads a body. */
const DECODED_CODINGS = new Set(["", "identity", "gzip", "br"]);

/**
 * A masked call holding credentials reads no body the client left encoded
 * (`deflate`, `zstd`, stacked or transfer codings): the guard would see
 * compressed bytes, and the skill could inflate its key from them
 * (`tests/hostile_encoding_echo_test.ts`).
 */
function refuseUndecoded(
  response: Response,
  url: URL,
  credentials: CallCredentials | undefined,
): void {
  if (!credentials?.masked || credentials.empty) return;
  const codings = (response.headers.get("content-encoding") ?? "")
    .toLowerCase().split(",").map((c) => c.trim()).filter((c) => c !== "");
  const transfer = (response.headers.get("transfer-encoding") ?? "")
    .toLowerCase().split(",").map((c) => c.trim())
    .filter((c) => c !== "" && c !== "chunked");
  const odd = codings.length > 1
    ? codings.join(", ")
    : [...codings, ...transfer].find((c) => !DECODED_CODINGS.has(c));
  if (odd === undefined) return;
  void response.body?.cancel().catch(() => {});
  throw new RpcError(
    ErrorCode.Forbidden,
    `The response of ${url.host} is encoded as "${
      odd.slice(0, 40)
    }", which the engine does not decode, and the call holds credentials it cannot read: the reflection guard could not read the body; refused`,
    { check: "credentials" },
  );
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
