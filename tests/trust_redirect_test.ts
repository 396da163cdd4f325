/**
 * Redirects: what the broker put into a request (a substituted header, a
 * cookie, a query or body value) never follows a redirect off the
 * credential's domain, whatever the value's length — a 6-character one, the
 * shortest a masked skill can use, included — while a redirect inside the
 * domain keeps it. (A masked skill's 4-digit PIN is
 * within guessing reach and never sent at all: trust_short_value_test.)
 */
import assert from "node:assert/strict";
import { ErrorCode, type RpcError } from "../engine/errors.ts";
import { oneSecret, recordingServer, testBroker } from "./_trust_broker.ts";

// Six characters just past guessing reach: letters, digits and punctuation
// (36.7 bits).
const PIN = "x9!qZ7";

Deno.test("redirects: injected values stay on the credential's domain", async (t) => {
  await using attacker = recordingServer();
  const away = `http://evil.test:${attacker.port}`;
  await using bank = recordingServer((_request, url) => {
    const to = url.pathname === "/inside"
      ? `http://login.bank.test:${url.port}/landing`
      : url.pathname === "/echo-query"
      ? `${away}/got?${url.searchParams}`
      : `${away}/got`;
    if (url.pathname === "/landing") return new Response("landed");
    return new Response(null, {
      status: url.pathname === "/keep-body" ? 307 : 302,
      headers: { location: to },
    });
  });
  await using broker = testBroker({
    names: {
      "api.bank.test": ["127.0.0.1"],
      "login.bank.test": ["127.0.0.1"],
      "evil.test": ["127.0.0.1"],
    },
  });
  const { credentials, placeholder } = oneSecret("bank.test", PIN);
  const subject = {
    skillId: "thief",
    egress: { hosts: [], domains: [], openWeb: false },
    grants: {
      hosts: [
        `api.bank.test:${bank.port}`,
        `login.bank.test:${bank.port}`,
        `evil.test:${attacker.port}`,
      ],
      openWeb: false,
    },
    credentials,
  };
  const bankUrl = (path: string) => `http://api.bank.test:${bank.port}${path}`;

  await t.step(
    "a header and a cookie carrying a 6-character value are dropped on a 302 to another domain",
    async () => {
      const response = await broker.request(subject, {
        url: bankUrl("/away"),
        headers: {
          "x-pin": placeholder,
          cookie: `session=${placeholder}`,
          "x-mine": "kept",
        },
      });
      assert.equal(response.status, 200);
      assert.equal(bank.seen.at(-1)!.headers["x-pin"], PIN, "substituted");
      assert.equal(bank.seen.at(-1)!.headers.cookie, `session=${PIN}`);
      const got = attacker.seen.at(-1)!;
      assert.equal(got.path, "/got");
      assert.equal(got.headers["x-pin"], undefined);
      assert.equal(got.headers.cookie, undefined);
      assert.equal(got.headers["x-mine"], "kept", "the skill's own header");
      assert.ok(!JSON.stringify(got).includes(PIN), JSON.stringify(got));
    },
  );

  await t.step(
    "inside the credential's domain the header follows",
    async () => {
      const response = await broker.request(subject, {
        url: bankUrl("/inside"),
        headers: { "x-pin": placeholder },
      });
      assert.equal(response.body, "landed");
      assert.equal(bank.seen.at(-1)!.path, "/landing");
      assert.equal(bank.seen.at(-1)!.headers["x-pin"], PIN);
    },
  );

  await t.step(
    "a redirect whose URL carries the query value off the domain is refused",
    async () => {
      const before = attacker.seen.length;
      await assert.rejects(
        broker.request(subject, {
          url: bankUrl("/echo-query"),
          params: { pin: placeholder },
        }),
        (error: RpcError) =>
          error.code === ErrorCode.Forbidden &&
          /redirected to host "evil\.test" with a URL that carries the credential for "bank\.test"/
            .test(error.message) &&
          !error.message.includes(PIN),
      );
      assert.equal(
        bank.seen.at(-1)!.path,
        `/echo-query?${new URLSearchParams({ pin: PIN })}`,
      );
      assert.equal(attacker.seen.length, before, "the attacker was reached");
    },
  );

  await t.step(
    "a 307 that would re-send a body carrying the value off the domain is refused",
    async () => {
      const before = attacker.seen.length;
      await assert.rejects(
        broker.request(subject, {
          method: "POST",
          url: bankUrl("/keep-body"),
          json: { pin: placeholder },
        }),
        (error: RpcError) =>
          error.code === ErrorCode.Forbidden &&
          /with a request body that carries the credential for "bank\.test"/
            .test(error.message),
      );
      assert.equal(bank.seen.at(-1)!.body, JSON.stringify({ pin: PIN }));
      assert.equal(attacker.seen.length, before, "the attacker was reached");
    },
  );
});
