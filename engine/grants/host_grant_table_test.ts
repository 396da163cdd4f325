/**
 * The host of a grant at its edges: ports 1 and 65535 (not 0 or 65536,
 * nor `+80`, `8e1` or `1.5`, which `Number` would take), a bracketed IPv6
 * literal with or without a port, only `localhost` and `*.localhost` local
 * by name, and the ports a skill's own URLs name, IPv6 ones included.
 */
import assert from "node:assert/strict";
import { grantHost, portsFor, privateByName } from "./mod.ts";

Deno.test("grantHost(): ports 1 to 65535, written as digits only", () => {
  assert.equal(grantHost("example.com:1"), "example.com:1");
  assert.equal(grantHost("example.com:65535"), "example.com:65535");
  assert.equal(grantHost("example.com:080"), "example.com:80");
  for (
    const value of [
      "example.com:0",
      "example.com:65536",
      "example.com:+80",
      "example.com:8e1",
      "example.com:1.5",
      "example.com:",
      "[2606:4700::1111]:0",
      "[2606:4700::1111]:65536",
    ]
  ) {
    assert.throws(() => grantHost(value), /"host" must be a host name/, value);
  }
});

Deno.test("grantHost(): a bracketed IPv6 literal, with a port or without", () => {
  assert.equal(grantHost("[2606:4700::1111]"), "2606:4700::1111");
  assert.equal(grantHost("[2606:4700::1111]:443"), "[2606:4700::1111]:443");
  assert.equal(grantHost("[::1]:8080"), "[::1]:8080");
});

Deno.test("privateByName(): localhost and *.localhost, and private IP literals; no other name", () => {
  for (const host of ["localhost", "a.localhost", "127.0.0.1", "::1"]) {
    assert.equal(privateByName(host), true, host);
  }
  for (const host of ["notlocalhost", "localhost.example", "8.8.8.8"]) {
    assert.equal(privateByName(host), false, host);
  }
});

Deno.test("portsFor(): the ports of a host's URLs, IPv6 literals unbracketed; what is not a string is skipped", () => {
  assert.deepEqual(
    portsFor([
      "http://[::1]:8080/a",
      "https://[::1]/",
      "http://x.example:81/",
    ], "::1"),
    [443, 8080],
  );
  // An array would stringify to a URL: it is not one.
  assert.deepEqual(
    portsFor([["http://x.example:81/"], 81, null, "not a url"], "x.example"),
    [],
  );
});
