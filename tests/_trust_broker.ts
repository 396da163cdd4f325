/**
 * Shared pieces of the broker-level trust tests: real HTTP servers on
 * 127.0.0.1 that record what reached them, a resolver that answers only
 * the names a test lists, and a call's credentials holding one secret.
 *
 * @module
 */
import {
  CallCredentials,
  HttpBroker,
  type OriginMap,
} from "../engine/broker/mod.ts";

/** A server on 127.0.0.1 that records every request it received. */
export interface RecordingServer extends AsyncDisposable {
  /** e.g. `127.0.0.1:41234`. */
  host: string;
  port: number;
  /** What arrived: method, path with query, headers, body. */
  seen: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: string;
  }[];
}

/**
 * Starts a recording server.
 *
 * @param handler answers each request (after it was recorded)
 * @returns the server; dispose to stop it
 */
export function recordingServer(
  handler: (request: Request, url: URL, body: string) =>
    | Response
    | Promise<Response> = () => new Response("ok"),
): RecordingServer {
  const seen: RecordingServer["seen"] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const url = new URL(request.url);
      const body = await request.text();
      seen.push({
        method: request.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(request.headers),
        body,
      });
      return handler(request, url, body);
    },
  );
  return {
    host: `127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    seen,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/**
 * A broker whose resolver answers only `names` (all other names have no
 * address), so no test reaches a real DNS server.
 *
 * @param options names to resolve and origin maps
 * @returns the broker; dispose to close it
 */
export function testBroker(
  options: { names?: Record<string, string[]>; maps?: OriginMap[] } = {},
): HttpBroker & AsyncDisposable {
  const broker = new HttpBroker({
    originMaps: () => options.maps ?? [],
    resolve: (host) => Promise.resolve(options.names?.[host] ?? []),
  });
  return Object.assign(broker, {
    async [Symbol.asyncDispose]() {
      await broker.close();
    },
  });
}

/**
 * A masked call holding one credential scoped to `domain`.
 *
 * @param domain the vault domain (and scope)
 * @param value the real value
 * @returns the credentials and the placeholder the skill sees
 */
export function oneSecret(
  domain: string,
  value: string,
  masked = true,
): { credentials: CallCredentials; placeholder: string } {
  const credentials = new CallCredentials(masked);
  const placeholder = credentials.add({
    domain,
    value,
    scope: { domain },
  }) as string;
  return { credentials, placeholder };
}
