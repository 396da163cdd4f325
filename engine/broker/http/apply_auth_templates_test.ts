/**
 * Which requests a connection's auth template is applied to: its
 * `base_url`'s own origin (scheme, host and port), or hosts in its
 * declared domain — never a host that merely ends with that domain, and
 * never any host for a credential keyed by the skill (no base_url, no
 * domain).
 */
import assert from "node:assert/strict";
import {
  type ConnectionCredential,
  REFUSED_MESSAGE,
} from "../credentials/mod.ts";
import { RpcError } from "../../errors.ts";
import { applyAuthTemplates } from "./apply_auth_templates.ts";

const KEY = "real-key-0123456789";

function binding(fields: {
  base_url?: string | null;
  domain?: string | null;
  name?: string;
  template?: string;
  key?: string;
}): ConnectionCredential {
  return {
    connection: {
      name: fields.name ?? "api",
      base_url: fields.base_url ?? null,
      domain: fields.domain ?? null,
      auth: { header: { "x-api-key": fields.template ?? ".auth.key" } },
      description: null,
      label: null,
      help_url: null,
      optional: null,
      client: null,
      file: "x.py",
      line: 1,
    },
    domain: "example.com",
    identifier: "default",
    fields: { key: fields.key ?? KEY },
    view: { key: "agentos-secret-0123456789abcdef" },
  };
}

/** The key header a GET to `url` leaves with, or null. */
function keySent(
  url: string,
  ...bound: ConnectionCredential[]
): string | null {
  const headers = new Headers();
  applyAuthTemplates({
    method: "GET",
    url: new URL(url),
    headers,
    sent: { url },
    original: { url },
  }, bound);
  return headers.get("x-api-key");
}

/** The message a GET to `url` fails with. */
function failure(url: string, ...bound: ConnectionCredential[]): string {
  try {
    keySent(url, ...bound);
  } catch (error) {
    if (error instanceof RpcError) return error.message;
    throw error;
  }
  throw new Error("the request was not refused");
}

Deno.test("applyAuthTemplates() gives the key to the base_url's origin only: not another scheme or port of the same host", () => {
  const bound = binding({ base_url: "https://api.example.com" });
  assert.equal(keySent("https://api.example.com/v1/x", bound), KEY);
  assert.equal(keySent("http://api.example.com/v1/x", bound), null);
  assert.equal(keySent("https://api.example.com:8443/v1/x", bound), null);
  assert.equal(keySent("https://other.example.com/v1/x", bound), null);
});

Deno.test("applyAuthTemplates() gives the key to the declared domain and its subdomains, not to a host that merely ends with it", () => {
  const bound = binding({ domain: "example.com" });
  assert.equal(keySent("https://example.com/", bound), KEY);
  assert.equal(keySent("https://api.example.com/", bound), KEY);
  assert.equal(keySent("https://evilexample.com/", bound), null);
  assert.equal(keySent("https://example.com.evil.net/", bound), null);
});

Deno.test("applyAuthTemplates() applies no template of a credential keyed by the skill (no base_url, no domain)", () => {
  const bound = binding({});
  for (const url of ["https://example.com/", "https://anywhere.test/"]) {
    assert.equal(keySent(url, bound), null, url);
  }
});

Deno.test("applyAuthTemplates() refuses a value its template cannot send whole with one message naming no connection", () => {
  const url = "https://api.example.com/x";
  const at = { base_url: "https://api.example.com" };
  for (
    const bound of [
      binding({ ...at, name: "short", key: "abc" }),
      binding({
        ...at,
        name: "unsplit",
        template: '.auth.key | split(":") | .[1]',
      }),
      // A header takes no newline and nothing past U+00FF.
      binding({ ...at, name: "newline", key: "line\nbreak" }),
      binding({ ...at, name: "wide", key: "caf\u00e9\u4e2d\u6587" }),
    ]
  ) {
    assert.equal(failure(url, bound), REFUSED_MESSAGE, bound.connection.name);
  }
});

Deno.test("applyAuthTemplates() parses every template before evaluating one: which error a request meets does not depend on a value", () => {
  const url = "https://api.example.com/x";
  const at = { base_url: "https://api.example.com" };
  const bad = binding({
    ...at,
    name: "bad",
    template: '.auth.key | split("") | .[0]',
  });
  for (const key of ["abc", KEY]) {
    const first = binding({ ...at, name: "first", key });
    assert.match(
      failure(url, first, bad),
      /^Connection "bad" has an auth template/,
    );
  }
});

const SHOWN = "agentos-secret-0123456789abcdef";

/** A connection at api.example.com whose auth has the given parts. */
function partsBinding(auth: Record<string, unknown>): ConnectionCredential {
  const bound = binding({ base_url: "https://api.example.com" });
  return { ...bound, connection: { ...bound.connection, auth } };
}

/** A request's outcome after the templates: headers, query, sent params. */
function applied(
  auth: Record<string, unknown>,
  request: {
    method?: string;
    url?: string;
    original?: Record<string, unknown>;
  },
) {
  const url = new URL(request.url ?? "https://api.example.com/x");
  const original = request.original ?? {};
  const headers = new Headers(
    isRecord(original.headers)
      ? original.headers as Record<string, string>
      : {},
  );
  const req = {
    method: request.method ?? "POST",
    url,
    headers,
    sent: structuredClone(original),
    original,
  };
  const sent: string[] = [];
  const connections = applyAuthTemplates(req, [partsBinding(auth)], sent);
  return {
    connections,
    sent,
    header: headers.get("x-key"),
    query: url.searchParams.get("k"),
    params: req.sent,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

Deno.test("applyAuthTemplates(): header, query and body entries each set their value; the connection is returned and each value reported", () => {
  const out = applied({
    header: { "x-key": '"Bearer " + .auth.key' },
    query: { k: ".auth.key" },
    body: { token: ".auth.key" },
  }, {});
  assert.deepEqual(out.connections, ["api"]);
  assert.equal(out.header, `Bearer ${KEY}`);
  assert.equal(out.query, KEY);
  assert.deepEqual(out.params, { json: { token: KEY } });
  assert.deepEqual(out.sent, [`Bearer ${KEY}`, KEY, KEY]);
  // Entries that are not strings, and parts that are not objects, are none.
  const none = applied({ header: { "x-key": 5 }, query: "k", body: null }, {});
  assert.deepEqual(none.connections, []);
  assert.deepEqual(none.sent, []);
  assert.equal(none.header, null);
});

Deno.test("applyAuthTemplates(): a body entry joins a JSON or form object, starts a JSON body, and is never added to a GET, a HEAD or a string body", () => {
  const auth = { body: { token: ".auth.key" } };
  const cases: [string, string, Record<string, unknown>, unknown][] = [
    ["POST, no body", "POST", {}, { json: { token: KEY } }],
    ["POST, json null", "POST", { json: null }, { json: { token: KEY } }],
    ["POST, json object", "POST", { json: { a: 1 } }, {
      json: { a: 1, token: KEY },
    }],
    ["POST, form object", "POST", { data: { a: "1" } }, {
      data: { a: "1", token: KEY },
    }],
    ["POST, string body", "POST", { data: "raw" }, { data: "raw" }],
    ["POST, json array", "POST", { json: [1] }, { json: [1] }],
    ["GET", "GET", {}, {}],
    ["HEAD", "HEAD", {}, {}],
    ["PUT", "PUT", {}, { json: { token: KEY } }],
  ];
  for (const [name, method, original, params] of cases) {
    assert.deepEqual(applied(auth, { method, original }).params, params, name);
  }
});

Deno.test("applyAuthTemplates(): the skill's own value is kept only when it carries the placeholder in another form than the template's", () => {
  const header = { header: { "x-key": '"Bearer " + .auth.key' } };
  const query = { query: { k: ".auth.key" } };
  const body = { body: { token: ".auth.key" } };
  const cases: [
    string,
    Record<string, unknown>,
    Record<string, unknown>,
    string,
    string | null,
  ][] = [
    // name, auth, original params, where, what is sent there (null: the
    // template set nothing; the skill's params go on the URL as they are)
    [
      "header, its own form",
      header,
      { headers: { "X-KEY": `Token ${SHOWN}` } },
      "header",
      `Token ${SHOWN}`,
    ],
    [
      "header, the template's form",
      header,
      { headers: { "x-key": `Bearer ${SHOWN}` } },
      "header",
      `Bearer ${KEY}`,
    ],
    [
      "header, no placeholder",
      header,
      { headers: { "x-key": "mine" } },
      "header",
      `Bearer ${KEY}`,
    ],
    [
      "header, null",
      header,
      { headers: { "x-key": null } },
      "header",
      `Bearer ${KEY}`,
    ],
    [
      "query param, its own form",
      query,
      { params: { k: `x${SHOWN}` } },
      "query",
      null,
    ],
    [
      "query in the URL, its own form",
      query,
      { url: `https://api.example.com/x?k=x${SHOWN}` },
      "query",
      `x${SHOWN}`,
    ],
    [
      "query, the template's form",
      query,
      { params: { k: SHOWN } },
      "query",
      KEY,
    ],
    [
      "json, its own form",
      body,
      { json: { token: `x${SHOWN}` } },
      "json",
      `x${SHOWN}`,
    ],
    [
      "form, its own form",
      body,
      { data: { token: `x${SHOWN}` } },
      "data",
      `x${SHOWN}`,
    ],
    [
      "json, the template's form",
      body,
      { json: { token: SHOWN } },
      "json",
      KEY,
    ],
  ];
  for (const [name, auth, original, where, value] of cases) {
    const urlText = typeof original.url === "string" ? original.url : undefined;
    const out = applied(auth, { url: urlText, original });
    const got = where === "header"
      ? out.header
      : where === "query"
      ? out.query
      : (out.params[where] as Record<string, unknown>).token;
    assert.equal(got, value, name);
  }
});

Deno.test("applyAuthTemplates(): a declared domain may start with '*.' or '.', or come from auth.domain; an unparsable base_url reaches nothing", () => {
  const key = (bound: ConnectionCredential, url: string) => keySent(url, bound);
  const wild = binding({ domain: "*.Example.com" });
  assert.equal(key(wild, "https://API.example.com/"), KEY);
  assert.equal(
    key(binding({ domain: ".example.com" }), "https://example.com/"),
    KEY,
  );
  const viaAuth = binding({});
  viaAuth.connection = {
    ...viaAuth.connection,
    auth: { domain: ".example.com", header: { "x-api-key": ".auth.key" } },
  };
  assert.equal(key(viaAuth, "https://a.example.com/"), KEY);
  assert.equal(key(viaAuth, "https://example.org/"), null);
  assert.equal(
    key(binding({ base_url: "not a url" }), "https://example.com/"),
    null,
  );
});
