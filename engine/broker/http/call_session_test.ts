/**
 * One call's HTTP session on its own: which requests get the call's cookie
 * jar (a `browser` or `fetch` client, a cookie-session connection; never an
 * `api` client or an `incognito` request), which cookies a hop carries
 * (`skip_cookies`, the skill's own `Cookie`), which answers count as a
 * credential refused (401 and 403 from its domain only), when a masked
 * skill's call fails for a key it transformed, and which cookie values
 * join the call's secrets (8 characters or more).
 */
import assert from "node:assert/strict";
import type { ConnectionInfo } from "../../skills/mod.ts";
import {
  CallCredentials,
  type ConnectionCredential,
} from "../credentials/mod.ts";
import { CallSession } from "./call_session.ts";

const URL_API = new URL("https://api.example.com/v1/items");

function connection(extra: Record<string, unknown>): ConnectionInfo {
  return { name: "c", ...extra } as unknown as ConnectionInfo;
}

function answer(status: number, ...setCookies: string[]): Response {
  const headers = new Headers();
  for (const c of setCookies) headers.append("set-cookie", c);
  return new Response(null, { status, headers });
}

/** The Cookie header a second hop carries after the first set `a=1`. */
function cookieAfterSet(
  connections: ConnectionInfo[],
  params: Record<string, unknown>,
): string | null {
  const session = new CallSession({
    skillId: "s",
    connections,
    bindings: [],
  });
  session.received(URL_API, answer(200, "a=1; Path=/"), {
    params,
    carried: false,
  });
  return session.withCookies(URL_API, new Headers(), params).get("cookie");
}

Deno.test("CallSession: the cookie jar serves browser and fetch clients and cookie sessions; never api clients or incognito requests", () => {
  const cookies = { type: "cookies", domain: ".example.com" };
  const header = { header: { "x-key": ".auth.key" } };
  const cases: [string, ConnectionInfo[], Record<string, unknown>, boolean][] =
    [
      ["browser client", [connection({ client: "browser" })], {}, true],
      ["fetch client", [connection({ client: "fetch" })], {}, true],
      ["api client", [connection({ client: "api" })], {}, false],
      ["cookie session", [connection({ auth: cookies })], {}, true],
      ["header auth", [connection({ auth: header })], {}, false],
      ["no client, no auth", [connection({})], {}, false],
      [
        "browser, incognito",
        [connection({ client: "browser" })],
        { incognito: true },
        false,
      ],
      [
        "browser, client=api on the request",
        [connection({ client: "browser" })],
        { client: "api" },
        false,
      ],
      [
        "cookie session, client=api on the request",
        [connection({ auth: cookies })],
        { client: "api" },
        false,
      ],
      [
        "two connections, the cookie one named",
        [
          connection({ name: "api", auth: header }),
          connection({ name: "web", auth: cookies }),
        ],
        { connection: "web" },
        true,
      ],
      [
        "two connections, the header one named",
        [
          connection({ name: "api", auth: header }),
          connection({ name: "web", auth: cookies }),
        ],
        { connection: "api" },
        false,
      ],
      [
        "two connections, none named",
        [
          connection({ name: "api", auth: header }),
          connection({ name: "web", auth: cookies }),
        ],
        {},
        false,
      ],
    ];
  for (const [name, connections, params, sent] of cases) {
    assert.equal(
      cookieAfterSet(connections, params),
      sent ? "a=1" : null,
      name,
    );
    const session = new CallSession({
      skillId: "s",
      connections,
      bindings: [],
    });
    const jar = connections.some((c) =>
      c.client === "browser" || c.client === "fetch" ||
      (c.auth as { type?: string } | undefined)?.type === "cookies"
    );
    assert.equal(session.hasJar, jar, name);
  }
});

Deno.test("CallSession.withCookies(): skip_cookies leaves names out, of the jar's cookies and of the skill's own header", () => {
  const session = new CallSession({
    skillId: "s",
    connections: [connection({ client: "browser" })],
    bindings: [],
  });
  session.received(URL_API, answer(200, "a=1", "b=2"), {
    params: {},
    carried: false,
  });
  const hop = (headers: HeadersInit, params: Record<string, unknown>) =>
    session.withCookies(URL_API, new Headers(headers), params).get("cookie");
  assert.equal(hop({}, {}), "a=1; b=2");
  assert.equal(hop({}, { skip_cookies: ["a"] }), "b=2");
  assert.equal(hop({}, { skip_cookies: ["a", "b"] }), null);
  assert.equal(hop({ cookie: "own=1; x=2" }, {}), "own=1; x=2");
  assert.equal(hop({ cookie: "own=1; x=2" }, { skip_cookies: ["x"] }), "own=1");
  assert.equal(hop({ cookie: "own=1" }, { skip_cookies: ["own"] }), null);
  assert.deepEqual(
    session.expand({ cookies: { k: "v" } }),
    { cookies: { k: "v" }, headers: { Cookie: "k=v" } },
  );
  const own = { cookies: { k: "v" }, headers: { COOKIE: "mine=1" } };
  assert.equal(session.expand(own), own);
  const none = { url: "x" };
  assert.equal(session.expand(none), none);
});

function bound(domain: string, cookies?: boolean): ConnectionCredential {
  return {
    connection: connection({}),
    domain,
    identifier: "me",
    fields: { key: "k" },
    view: { key: "k" },
    ...(cookies ? { cookies: [] } : {}),
  };
}

Deno.test("CallSession.received(): only 401 and 403 from a credential's domain count as refusing it, the first one kept", () => {
  const session = new CallSession({
    skillId: "s",
    connections: [connection({})],
    bindings: [bound(".example.com")],
    credentials: new CallCredentials(false),
  });
  const statuses: [string, number, number][] = [
    ["https://api.example.com/", 200, 0],
    ["https://api.example.com/", 400, 0],
    ["https://api.example.com/", 402, 0],
    ["https://api.example.com/", 404, 0],
    ["https://api.example.com/", 500, 0],
    ["https://evilexample.com/", 401, 0],
    ["https://other.test/", 403, 0],
    ["https://API.example.com/", 403, 1],
    ["https://example.com/", 401, 2],
  ];
  for (const [url, status, count] of statuses) {
    const refusal = session.received(new URL(url), answer(status), {
      params: {},
      carried: true,
    });
    assert.equal(refusal, undefined);
    assert.equal(session.authFailures, count, `${status} from ${url}`);
  }
  const first = { domain: ".example.com", identifier: "me", status: 403 };
  assert.deepEqual(session.rejectedCredential, first);
  assert.deepEqual(session.refusedCredential, first);
});

Deno.test("CallSession.received(): a masked skill refused by its key's domain on a request without the key fails the call; a request with it, a cookie session or an unmasked skill does not", () => {
  const cases: [string, boolean, boolean, boolean, boolean, boolean][] = [
    // name, masked, carried, cookie session, fails, counts as refused stored
    ["masked, not carried", true, false, false, true, false],
    ["masked, carried", true, true, false, false, true],
    // A cookie session's 401 is not a refused key (no link replaces cookies).
    ["masked, cookie session", true, false, true, false, false],
    ["unmasked, not carried", false, false, false, false, false],
    ["unmasked, carried", false, true, false, false, true],
  ];
  for (const [name, masked, carried, cookies, fails, stored] of cases) {
    const session = new CallSession({
      skillId: "s",
      connections: [connection({})],
      bindings: [bound("example.com", cookies)],
      credentials: new CallCredentials(masked),
    });
    const refusal = session.received(URL_API, answer(401), {
      params: {},
      carried,
    });
    assert.equal(refusal !== undefined, fails, name);
    assert.equal(session.refusal, refusal, name);
    if (fails) {
      assert.match(
        refusal!.message,
        /got HTTP 401 from "api\.example\.com" on a request that carried none of its credential for "example\.com"/,
      );
    }
    assert.equal(session.refusedCredential !== undefined, stored, name);
    assert.equal(session.rejectedCredential?.status, 401, name);
  }
});

Deno.test("CallSession: a cookie value of 8 characters or more joins the call's secrets (masked in the skill's view); a shorter one does not", () => {
  const session = new CallSession({
    skillId: "s",
    connections: [connection({ client: "fetch" })],
    bindings: [],
    credentials: new CallCredentials(true),
  });
  session.received(URL_API, answer(200, "short=abcdefg", "long=abcdefgh"), {
    params: {},
    carried: false,
  });
  const view = new Map(session.jarView().map((c) => [c.name, c.value]));
  assert.equal(view.get("short"), "abcdefg");
  assert.notEqual(view.get("long"), "abcdefgh");
  assert.ok(!view.get("long")!.includes("abcdefgh"));
});
