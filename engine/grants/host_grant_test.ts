import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../errors.ts";
import { grantHost, matchGrant, portsFor } from "./host_grant.ts";

Deno.test("grantHost() keeps a port, normalises, and refuses URLs, wildcards and bad ports", () => {
  assert.equal(grantHost("API.Example.com."), "api.example.com");
  assert.equal(grantHost(" localhost:11434 "), "localhost:11434");
  assert.equal(grantHost("[::1]:8080"), "[::1]:8080");
  assert.equal(grantHost("192.168.1.20:80"), "192.168.1.20:80");
  assert.equal(grantHost("2606:4700::1111"), "2606:4700::1111");
  // Named as a URL would name them, so the grant matches what egress sees.
  assert.equal(grantHost("127.1:8080"), "127.0.0.1:8080");
  assert.equal(grantHost("2130706433:80"), "127.0.0.1:80");
  assert.equal(grantHost("Bücher.example"), "xn--bcher-kva.example");
  assert.throws(() => grantHost("127.1"), /a grant names its port too/);
  assert.throws(() => grantHost("0x7f.1"), /a grant names its port too/);
  for (
    const bad of [
      "https://x.test/",
      "*.example.com",
      "x.test:0",
      "x.test:65536",
      "x.test:80:81",
      "x.test:http",
      "[::1]:",
      "",
      7,
    ]
  ) {
    assert.throws(
      () => grantHost(bad),
      (error: RpcError) =>
        error.code === ErrorCode.InvalidParams &&
        /must be a host name or IP address, optionally with a port/.test(
          error.message,
        ),
      String(bad),
    );
  }
});

Deno.test("grantHost() refuses a private host without a port, showing the exact command", () => {
  const options = {
    skillId: "llm",
    declaredPorts: (host: string) => host === "localhost" ? [8080, 11434] : [],
  };
  for (
    const [host, command] of [
      [
        "localhost",
        "agentos skills allow llm localhost:8080 or agentos skills allow llm localhost:11434",
      ],
      ["app.localhost", "agentos skills allow llm app.localhost:<port>"],
      ["127.0.0.1", "agentos skills allow llm 127.0.0.1:<port>"],
      ["::1", "agentos skills allow llm [::1]:<port>"],
      ["10.0.0.7", "agentos skills allow llm 10.0.0.7:<port>"],
    ]
  ) {
    assert.throws(
      () => grantHost(host, options),
      (error: RpcError) =>
        error.code === ErrorCode.InvalidParams &&
        error.message.includes("the bridge included") &&
        error.message.endsWith(`Run: ${command}`),
      host,
    );
  }
  // Taking back a grant made before ports is allowed.
  assert.equal(grantHost("localhost", { removing: true }), "localhost");
  // A public name may be granted on every port (public addresses only).
  assert.equal(grantHost("nas.lan", options), "nas.lan");
});

Deno.test("matchGrant() matches host and port exactly; a bare host only for a public name", () => {
  const grants = [
    "localhost:11434",
    "api.example.com",
    "127.0.0.1",
    "[::1]:80",
  ];
  assert.equal(matchGrant(grants, "localhost", 11434), "host and port");
  assert.equal(matchGrant(grants, "localhost", 3456), undefined);
  assert.equal(matchGrant(grants, "api.example.com", 8443), "host");
  assert.equal(matchGrant(grants, "127.0.0.1", 3456), undefined);
  assert.equal(matchGrant(grants, "::1", 80), "host and port");
  assert.equal(matchGrant(grants, "evilapi.example.com", 443), undefined);
  assert.deepEqual(
    portsFor(
      ["http://localhost:11434/v1", "https://localhost/", "http://x.test/", 5],
      "localhost",
    ),
    [443, 11434],
  );
});
