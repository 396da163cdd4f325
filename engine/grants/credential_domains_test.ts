import assert from "node:assert/strict";
import { isPublicSuffix, registrableDomain } from "./credential_domains.ts";

Deno.test("credential domains: localhost and IP addresses are registrable names of their own; public suffixes, private section included, are no one's", () => {
  const cases: [string, boolean][] = [
    // A local server's key is stored under `localhost`: never a suffix.
    ["localhost", false],
    ["127.0.0.1", false],
    ["::1", false],
    ["example.com", false],
    ["api.example.com", false],
    ["com", true],
    ["co.uk", true],
    ["github.io", true], // the private section: anyone's pages
    ["test", true],
  ];
  for (const [name, suffix] of cases) {
    assert.equal(isPublicSuffix(name), suffix, name);
  }
  assert.equal(registrableDomain("api.example.com"), "example.com");
  assert.equal(registrableDomain("user.github.io"), "user.github.io");
  assert.equal(registrableDomain("localhost"), "localhost");
});
