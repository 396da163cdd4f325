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
