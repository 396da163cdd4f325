/**
 * The bridge's Host guard on its own: which `Host` values name this
 * machine (localhost, *.localhost, 127.0.0.1 and [::1], any case, a
 * trailing dot, any port) and which do not (a name merely ending in
 * `localhost`, other loopback spellings, anything with a path or user),
 * and the middleware answering 403 before any route for the others.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { hostGuard, isLoopbackHost } from "./host_guard.ts";

Deno.test("isLoopbackHost(): the loopback names with any port, and nothing else", () => {
  const loopback = [
    "localhost",
    "LOCALHOST:8080",
    "localhost.",
    "app.localhost",
    "a.b.localhost:1",
    "127.0.0.1",
    "127.0.0.1:65535",
    "[::1]",
    "[::1]:8080",
    " localhost ",
  ];
  for (const host of loopback) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  const others = [
    "notlocalhost",
    "localhost.example",
    "evil.example",
    "localhos",
    "127.0.0.2",
    "0.0.0.0",
    "[::2]",
    "::1",
    "localhost:8080:1",
    "localhost/x",
    "user@localhost",
    "",
  ];
  for (const host of others) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});

Deno.test("hostGuard(): 403 before any route for another Host, the route for a loopback one", async () => {
  const app = new Hono();
  app.use(hostGuard());
  app.get("/", (c) => c.text("reached"));
  const refused = await app.request("http://localhost/", {
    headers: { host: "evil.example" },
  });
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /Refused Host "evil\.example"/);
  const reached = await app.request("http://localhost/", {
    headers: { host: "localhost:8080" },
  });
  assert.equal(reached.status, 200);
  assert.equal(await reached.text(), "reached");
  // Without a Host header, the URL's host decides.
  assert.equal((await app.request("http://127.0.0.1:9/")).status, 200);
  assert.equal((await app.request("http://evil.example/")).status, 403);
});
