/**
 * The broker follows at most MAX_REDIRECTS redirects of one request, and
 * only 3xx answers: a 200, 404 or 500 that carries a `Location` is an
 * answer, not a redirect. (Both were changed by generated mutants without any test
 * noticing.)
 */
import assert from "node:assert/strict";
import { ErrorCode, type RpcError } from "../engine/errors.ts";
import { MAX_REDIRECTS } from "../engine/broker/http/request_redirect.ts";
import { oneSecret, recordingServer, testBroker } from "./_trust_broker.ts";

Deno.test("redirects: at most MAX_REDIRECTS are followed, and only 3xx answers", async (t) => {
  await using site = recordingServer((_request, url) => {
    const n = Number(url.searchParams.get("n") ?? "0");
    if (url.pathname === "/loop") {
      return new Response(null, {
        status: 302,
        headers: { location: `/loop?n=${n + 1}` },
      });
    }
    // Answers that name a place but are no redirect: 200, 404, 500.
    const status = Number(url.searchParams.get("status") ?? "200");
    return new Response("here", {
      status,
      headers: { location: `/elsewhere` },
    });
  });
  await using broker = testBroker({ names: { "site.test": ["127.0.0.1"] } });
  const subject = {
    skillId: "walker",
    egress: { hosts: [], domains: [], openWeb: false },
    grants: { hosts: [`site.test:${site.port}`], openWeb: false },
    credentials: oneSecret("site.test", "unused-value").credentials,
  };
  const url = (path: string) => `http://site.test:${site.port}${path}`;

  await t.step(
    `a redirect loop is cut after ${MAX_REDIRECTS} redirects`,
    async () => {
      const before = site.seen.length;
      const error = await broker.request(subject, { url: url("/loop") }).then(
        () => undefined,
        (e: RpcError) => e,
      );
      assert.equal(error?.code, ErrorCode.Forbidden, String(error));
      assert.match(String(error?.message), /redirect/i);
      // The request itself and exactly MAX_REDIRECTS redirects.
      assert.equal(site.seen.length - before, MAX_REDIRECTS + 1);
      assert.equal(MAX_REDIRECTS, 5);
    },
  );

  await t.step(
    "a 200 with a Location header is returned as it is",
    async () => {
      const before = site.seen.length;
      const response = await broker.request(subject, { url: url("/here") });
      assert.equal(response.status, 200);
      assert.equal(response.body, "here");
      assert.equal(site.seen.length - before, 1, "nothing was followed");
    },
  );

  for (const status of [400, 404, 500, 599]) {
    await t.step(
      `a ${status} with a Location header is not followed`,
      async () => {
        const before = site.seen.length;
        const response = await broker.request(subject, {
          url: url(`/here?status=${status}`),
        });
        assert.equal(response.status, status);
        assert.equal(response.body, "here");
        assert.equal(site.seen.length - before, 1, "nothing was followed");
      },
    );
  }
});
