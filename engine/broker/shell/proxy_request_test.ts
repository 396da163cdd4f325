/**
 * `parseProxyHead()` on its own, table by table: the ports a CONNECT may
 * name at both ends of their range, every hop-by-hop header dropped (and
 * only those), the shortest header name kept, HTTP/1.0 and 1.1 accepted,
 * and the rewritten head byte for byte. (The proxy serving these over its
 * socket: program_proxy_test.ts.)
 */
import assert from "node:assert/strict";
import { RpcError } from "../../errors.ts";
import { parseProxyHead } from "./proxy_request.ts";

Deno.test("parseProxyHead(): CONNECT takes ports 1 to 65535, nothing outside", () => {
  for (const port of [1, 443, 65535]) {
    const request = parseProxyHead(`CONNECT example.com:${port} HTTP/1.1`);
    assert.equal(request.kind, "tunnel");
    assert.equal(request.host, "example.com");
    assert.equal(request.port, port);
    assert.equal(request.head.length, 0);
  }
  for (const target of ["example.com:0", "example.com:65536", "example.com"]) {
    assert.throws(
      () => parseProxyHead(`CONNECT ${target} HTTP/1.1`),
      RpcError,
      target,
    );
  }
});

Deno.test("parseProxyHead(): every hop-by-hop header is dropped, the others kept in order", () => {
  const hop = [
    "Host: evil.example",
    "Connection: keep-alive",
    "Proxy-Connection: keep-alive",
    "Keep-Alive: timeout=5",
    "Proxy-Authorization: Basic eA==",
    "Proxy-Authenticate: Basic",
  ];
  const kept = ["X: 1", "Accept: */*", "Hostname: kept", "Connection-Id: 7"];
  const request = parseProxyHead(
    [
      "GET http://example.com:8080/a/b?c=d HTTP/1.0",
      ...hop,
      ...kept,
    ].join("\r\n"),
  );
  assert.equal(request.kind, "forward");
  assert.equal(request.host, "example.com");
  assert.equal(request.port, 8080);
  assert.equal(request.url.href, "http://example.com:8080/a/b?c=d");
  assert.equal(
    new TextDecoder().decode(request.head),
    [
      "GET /a/b?c=d HTTP/1.1",
      ...kept,
      "Host: example.com:8080",
      "Connection: close",
      "",
      "",
    ].join("\r\n"),
  );
});

Deno.test("parseProxyHead(): a plain request without a port goes to 80; bad header lines are refused", () => {
  const request = parseProxyHead("HEAD http://example.com/ HTTP/1.1");
  assert.equal(request.port, 80);
  assert.equal(
    new TextDecoder().decode(request.head),
    "HEAD / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
  );
  for (const header of [":x", "no colon", " folded: x"]) {
    assert.throws(
      () => parseProxyHead(`GET http://example.com/ HTTP/1.1\r\n${header}`),
      RpcError,
      header,
    );
  }
  // The scheme compared in any case; a URL with a user name or password
  // (even an empty name before a password) is refused.
  assert.equal(
    parseProxyHead("GET HTTP://EXAMPLE.COM/ HTTP/1.1").host,
    "example.com",
  );
  for (
    const line of [
      "GET http://example.com/ HTTP/1.2",
      "GET http://example.com/  HTTP/1.1",
      "GET http://u@example.com/ HTTP/1.1",
      "GET http://:pw@example.com/ HTTP/1.1",
      "GET https://example.com/ HTTP/1.1",
      // The URL parser would read these as http://example.com/: the target
      // itself must start with http://.
      "GET http:/example.com/ HTTP/1.1",
      "GET http:example.com/ HTTP/1.1",
    ]
  ) {
    assert.throws(() => parseProxyHead(line), RpcError, line);
  }
});
