/**
 * Which requests a connection's auth template is applied to: its
 * `base_url`'s own origin (scheme, host and port), or hosts in its
 * declared domain — never a host that merely ends with that domain, and
 * never any host for a credential keyed by the skill (no base_url, no
 * domain).
 */
import assert from "node:assert/strict";
import type { ConnectionCredential } from "../credentials/mod.ts";
import { applyAuthTemplates } from "./apply_auth_templates.ts";

const KEY = "real-key-0123456789";

function binding(fields: {
  base_url?: string | null;
  domain?: string | null;
}): ConnectionCredential {
  return {
    connection: {
      name: "api",
      base_url: fields.base_url ?? null,
      domain: fields.domain ?? null,
      auth: { header: { "x-api-key": ".auth.key" } },
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
    fields: { key: KEY },
    view: { key: "agentos-secret-0123456789abcdef" },
  };
}

/** The key header a GET to `url` leaves with, or null. */
function keySent(url: string, bound: ConnectionCredential): string | null {
  const headers = new Headers();
  applyAuthTemplates({
    method: "GET",
    url: new URL(url),
    headers,
    sent: { url },
    original: { url },
  }, [bound]);
  return headers.get("x-api-key");
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
