/**
 * The session's part in each hop: a response refused for a transformed
 * key fails the request (its body dropped) unless the request carried the
 * credential, by substitution or by an auth template; the final response
 * shows the jar only when the call has one.
 */
import assert from "node:assert/strict";
import type { ConnectionInfo } from "../../skills/mod.ts";
import { CallCredentials } from "../credentials/mod.ts";
import { CallSession } from "./call_session.ts";
import type { HopRequest, HttpResponse, HttpTrace } from "./http_types.ts";
import {
  receiveInSession,
  withHopCookies,
  withJar,
} from "./request_cookies.ts";

const URL_API = new URL("https://api.example.com/v1");

function session(client?: string): CallSession {
  const connection = { name: "c", ...(client ? { client } : {}) };
  return new CallSession({
    skillId: "s",
    connections: [connection as unknown as ConnectionInfo],
    bindings: [{
      connection: connection as unknown as ConnectionInfo,
      domain: "example.com",
      identifier: "",
      fields: { key: "k" },
      view: { key: "k" },
    }],
    credentials: new CallCredentials(true),
  });
}

Deno.test("receiveInSession(): a masked skill's 401 fails unless the request carried the key (substituted, or an auth template)", async () => {
  const cases: [string, HttpTrace["checks"], boolean][] = [
    ["nothing recorded", {}, true],
    ["no credential in it", { credentials: "none" }, true],
    ["a refused substitution", { credentials: "refused" }, true],
    [
      "substituted",
      { credentials: "substituted for example.com" },
      false,
    ],
    ["an auth template", { auth_template: "c" }, false],
    [
      "an auth template, nothing substituted",
      { credentials: "none", auth_template: "c" },
      false,
    ],
  ];
  for (const [name, checks, fails] of cases) {
    let cancelled = false;
    const body = new ReadableStream({
      cancel() {
        cancelled = true;
      },
    });
    const response = new Response(body, { status: 401 });
    const trace = { checks } as unknown as HttpTrace;
    const done = receiveInSession(session(), URL_API, response, {}, trace);
    if (fails) {
      await assert.rejects(done, /carried none of its credential/, name);
      assert.ok(cancelled, name);
    } else {
      await done;
      assert.ok(!cancelled, name);
      await response.body?.cancel();
    }
  }
  // No session: nothing to refuse.
  await receiveInSession(
    undefined,
    URL_API,
    new Response(null, { status: 401 }),
    {},
    { checks: {} } as unknown as HttpTrace,
  );
});

Deno.test("withJar(): the jar joins the final response only when the call has one; withHopCookies() without a session keeps the hop's headers", () => {
  const withOne = withJar(session("browser"), { status: 200 } as HttpResponse);
  assert.deepEqual(withOne.jar, []);
  const without = withJar(session(), { status: 200 } as HttpResponse);
  assert.ok(!("jar" in without));
  assert.ok(!("jar" in withJar(undefined, { status: 200 } as HttpResponse)));
  const headers = new Headers({ a: "1" });
  const hop = { url: URL_API, headers } as unknown as HopRequest;
  assert.equal(withHopCookies(undefined, hop, {}), headers);
});
