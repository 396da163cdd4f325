import assert from "node:assert/strict";
import { RpcError } from "../../errors.ts";
import type { SkillEntry } from "../../skills/mod.ts";
import type { SkillGrants } from "../../grants/mod.ts";
import { checkCapabilityCall } from "./call_policy.ts";

function caller(uses: string[], hosts: string[] = ["api.mine.test"]) {
  const skill = {
    id: "caller",
    discovery: {
      front_matter: { uses },
      tools: [],
      connections: [],
      url_literals: [],
      imports: [],
      problems: [],
    },
    egress: { hosts, domains: [], openWeb: false },
  } as unknown as SkillEntry;
  const grants: SkillGrants = { hosts: [], openWeb: false, byDefault: false };
  return { skill, grants };
}

function refused(params: Record<string, unknown>, message: RegExp) {
  assert.throws(
    () => checkCapabilityCall(caller(["web_read"]), "web_read", params),
    (error) => error instanceof RpcError && message.test(error.message),
  );
}

Deno.test("checkCapabilityCall() refuses an undeclared use and URL parameters outside the caller's egress set in any spelling", () => {
  assert.throws(
    () => checkCapabilityCall(caller(["llm"]), "web_read", {}),
    /may not call capability "web_read": it does not declare that use.*it declares \[llm\]/,
  );
  const evil =
    /parameter "(.+)" is a URL the caller could not fetch itself\. Skill "caller" may not reach host "evil\.test"/;
  for (
    const url of [
      "https://evil.test/?d=secret data",
      "  HTTPS://EVIL.TEST/x",
      "https:evil.test/x",
      "//evil.test/x",
      "\\\\evil.test/x",
      "evil.test/x?d=1",
      "evil.test",
      "http://user@evil.test:8080/",
      `https://evil.test/${"a".repeat(100_000)}`,
    ]
  ) refused({ url }, evil);
  refused({ pages: [{ href: "https://evil.test/" }] }, /"pages\[0\]\.href"/);
  refused({ target: "localhost:3456/graph" }, /may not reach host "localhost"/);

  // Open web covers public hosts, never a private address the provider
  // might be granted.
  const web = caller(["web_read"], []);
  web.skill.egress.openWeb = true;
  web.grants.openWeb = true;
  for (
    const [url, kind] of [
      ["http://localhost:3456/graph", "loopback"],
      ["http://app.localhost/", "loopback"],
      ["http://127.0.0.1:3456/graph", "a loopback address"],
      ["http://[::1]/", "a loopback address"],
      ["http://192.168.1.10/", "a private address"],
      ["http://169.254.169.254/latest/", "a link-local address"],
    ]
  ) {
    assert.throws(
      () => checkCapabilityCall(web, "web_read", { url }),
      new RegExp(`it is ${kind}`),
      url,
    );
  }
  assert.equal(
    checkCapabilityCall(web, "web_read", { url: "https://example.com/" })
      .param_urls,
    "1 in caller's egress set",
  );
  // A name that only ends in "localhost" is not under .localhost.
  assert.equal(
    checkCapabilityCall(web, "web_read", { url: "https://notlocalhost/" })
      .param_urls,
    "1 in caller's egress set",
  );
  web.grants.hosts = ["127.0.0.1:3456"];
  checkCapabilityCall(web, "web_read", { url: "http://127.0.0.1:3456/" });
  refused({ url: "file:///etc/passwd" }, /may not fetch "file:" URLs/);
  // A URL hidden after many strings or deep nesting is not skipped.
  const padded = [...Array(10_000).fill("x"), "https://evil.test/"];
  refused({ list: padded }, /more than 10000 strings/);
  let deep: unknown = "https://evil.test/";
  for (let i = 0; i < 40; i++) deep = [deep];
  refused({ deep }, /nest deeper than 32/);

  // Allowed: the caller's own hosts, and text that is not a URL.
  assert.deepEqual(
    checkCapabilityCall(caller(["web_read"]), "web_read", {
      url: "https://api.mine.test/page",
      text: "see https://evil.test for more",
      note: "Note: this is prose",
      mail: "mailto:someone@evil.test",
    }),
    { uses: "declared", param_urls: "1 in caller's egress set" },
  );
});

Deno.test("checkCapabilityCall() checks every fetchable scheme, counts exactly 10,000 strings as checkable, and names a long capability by its first 100 characters", () => {
  for (const scheme of ["http", "https", "ws", "wss", "ftp", "WSS", "Ftp"]) {
    refused(
      { url: `${scheme}://evil.test/x` },
      /parameter "url" is a URL the caller could not fetch itself/,
    );
  }
  // Exactly the cap: checked, not refused.
  assert.deepEqual(
    checkCapabilityCall(caller(["web_read"]), "web_read", {
      list: Array(10_000).fill("x"),
    }),
    { uses: "declared", param_urls: "0 in caller's egress set" },
  );
  const long = `c${"x".repeat(149)}`;
  const first100 = long.slice(0, 100);
  const messageOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof RpcError);
      return error.message;
    }
    throw new Error("not refused");
  };
  assert.equal(
    messageOf(() => checkCapabilityCall(caller([]), long, {})),
    `Skill "caller" may not call capability "${first100}": it does not declare that use (add "uses: [${first100}]" to its readme front matter; it declares none)`,
  );
  assert.equal(
    messageOf(() =>
      checkCapabilityCall(caller([long]), long, {
        list: Array(10_001).fill("x"),
      })
    ),
    `capability.call "${first100}" refused: its parameters hold more than 10000 strings or nest deeper than 32, too many to check for URLs`,
  );
  assert.match(
    messageOf(() =>
      checkCapabilityCall(caller([long]), long, { u: "https://evil.test/" })
    ),
    new RegExp(
      `^capability\\.call "${first100}" refused: parameter "u" is a URL`,
    ),
  );
});
