/**
 * Shared pieces of the skill runtime's cross-process tests: fixture paths,
 * local HTTP servers, polling, and error assertions.
 *
 * @module
 */
import assert from "node:assert/strict";
import { RpcError } from "../engine/errors.ts";
import { REPO_ROOT } from "./_task_command.ts";

/** The absolute path of a fixture skill. */
export function fixture(name: string): string {
  return `${REPO_ROOT}tests/fixtures/skills/${name}`;
}

/** A local HTTP server on 127.0.0.1 with a random port. */
export interface LocalServer extends AsyncDisposable {
  /** e.g. `http://127.0.0.1:41234`. */
  origin: string;
  /** Requests served so far (method and path with query). */
  requests: string[];
}

/**
 * Starts a local HTTP server.
 *
 * @param handler answers each request
 * @returns the server; dispose to stop it
 */
export function localServer(
  handler: (request: Request, url: URL) => Response | Promise<Response>,
): LocalServer {
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const url = new URL(request.url);
      requests.push(`${request.method} ${url.pathname}${url.search}`);
      return handler(request, url);
    },
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

export { waitFor } from "./_wait.ts";

/**
 * Asserts that a promise rejects with an `RpcError` of a code whose
 * message matches.
 *
 * @returns the error, for further checks
 */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: number,
  message: RegExp,
): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RpcError, `expected an RpcError, got ${error}`);
    assert.equal(
      error.code,
      code,
      `expected code ${code}, got ${error.code}: ${error.message}`,
    );
    assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected a rejection matching ${message}`);
}

/** HMAC-SHA256 of a message, in hex: what a signing skill computes with its key. */
export async function hmacHex(key: string, message: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign(
    "HMAC",
    cryptoKey,
    new TextEncoder().encode(message),
  );
  return Array.from(
    new Uint8Array(signature),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
