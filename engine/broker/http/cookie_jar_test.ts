import assert from "node:assert/strict";
import { CookieJar, parseCookiePairs, parseSetCookie } from "./cookie_jar.ts";

const NOW = Date.UTC(2026, 0, 1);
const at = (url: string) => new URL(url);

Deno.test("parseSetCookie() refuses a Domain that is a public suffix by the Public Suffix List, private section included", () => {
  for (
    const [url, domain] of [
      ["https://alice.blogspot.com/", "blogspot.com"],
      ["https://shop.uni.ac.jp/", "ac.jp"],
      ["https://app.keyed.test/", "test"],
      ["https://me.github.io/", "github.io"],
    ]
  ) {
    assert.equal(
      parseSetCookie(`a=1; Domain=${domain}`, at(url!), NOW),
      undefined,
      `${url} may not set a cookie for ${domain}`,
    );
  }
  const own = parseSetCookie(
    "a=1; Domain=alice.blogspot.com",
    at("https://alice.blogspot.com/"),
    NOW,
  )!;
  assert.equal(own.domain, "alice.blogspot.com");
  const suffixHost = parseSetCookie(
    "a=1; Domain=github.io",
    at("https://github.io/"),
    NOW,
  )!;
  assert.equal(
    suffixHost.hostOnly,
    true,
    "a suffix's own host keeps it host-only",
  );
});

Deno.test("parseSetCookie() refuses cookies that are not the site's to set", () => {
  const url = at("https://app.example.co.uk/a/b");
  assert.equal(parseSetCookie("a=1; Domain=co.uk", url, NOW), undefined);
  assert.equal(parseSetCookie("a=1; Domain=other.com", url, NOW), undefined);
  assert.equal(
    parseSetCookie("a=1; Domain=.example.co.uk", url, NOW)?.domain,
    "example.co.uk",
  );
  assert.equal(
    parseSetCookie("a=1; Secure", at("http://x.test/"), NOW),
    undefined,
  );
  assert.equal(parseSetCookie("__Secure-a=1", url, NOW), undefined);
  assert.equal(
    parseSetCookie(
      "__Host-a=1; Secure; Path=/; Domain=example.co.uk",
      url,
      NOW,
    ),
    undefined,
  );
  assert.ok(parseSetCookie("__Host-a=1; Secure; Path=/", url, NOW));
  assert.equal(parseSetCookie("novalue", url, NOW), undefined);
  assert.equal(parseSetCookie("=1", url, NOW), undefined);
  assert.equal(parseSetCookie(`a=${"x".repeat(9000)}`, url, NOW), undefined);
  const plain = parseSetCookie("a=1", url, NOW)!;
  assert.equal(plain.path, "/a");
  assert.equal(plain.hostOnly, true);
  assert.equal(
    parseSetCookie(
      "a=1; Max-Age=60; Expires=Wed, 01 Jan 2031 00:00:00 GMT",
      url,
      NOW,
    )!.expires,
    NOW / 1000 + 60,
  );
});

Deno.test("CookieJar.matching() follows domain, path, expiry and Secure rules", () => {
  let now = NOW;
  const jar = new CookieJar(() => now);
  jar.ingest(at("https://www.shop.test/account/orders"), [
    "host=1; Path=/",
    "wide=2; Domain=shop.test; Path=/",
    "deep=3; Path=/account",
    "safe=4; Secure; Path=/",
    "short=5; Path=/; Max-Age=10",
  ]);
  const names = (url: string) => jar.matching(at(url)).map((c) => c.name);
  assert.deepEqual(names("https://www.shop.test/account/x"), [
    "deep",
    "host",
    "wide",
    "safe",
    "short",
  ]);
  assert.deepEqual(names("https://api.shop.test/"), ["wide"]);
  assert.deepEqual(names("https://www.shop.test/accountant"), [
    "host",
    "wide",
    "safe",
    "short",
  ]);
  assert.deepEqual(names("http://www.shop.test/"), ["host", "wide", "short"]);
  now += 11_000;
  assert.deepEqual(names("http://www.shop.test/"), ["host", "wide"]);
  jar.ingest(at("https://www.shop.test/"), ["host=; Path=/; Max-Age=0"]);
  assert.deepEqual(names("http://www.shop.test/"), ["wide"]);
});

Deno.test("CookieJar.changes() lists what a call set and removed since the seed", () => {
  const jar = new CookieJar(() => NOW);
  const seeded = {
    name: "sid",
    value: "old",
    domain: "shop.test",
    hostOnly: false,
    path: "/",
    expires: null,
    secure: false,
    httpOnly: false,
    sameSite: null,
    loose: true,
  };
  jar.seed([seeded, { ...seeded, name: "gone", loose: false }]);
  jar.ingest(at("https://www.shop.test/"), [
    "sid=new; Path=/",
    "gone=; Max-Age=0; Domain=shop.test; Path=/",
  ]);
  const { set, removed } = jar.changes();
  assert.deepEqual(set.map((c) => [c.domain, c.name, c.value]), [[
    "www.shop.test",
    "sid",
    "new",
  ]]);
  assert.deepEqual(removed.map((c) => c.name).sort(), ["gone", "sid"]);
});

Deno.test("parseCookiePairs() reads a header or an object, and nothing else", () => {
  assert.deepEqual(parseCookiePairs("a=1; b=x=y;  ; c"), [{
    name: "a",
    value: "1",
  }, { name: "b", value: "x=y" }]);
  assert.deepEqual(parseCookiePairs({ a: 1, b: null }), [{
    name: "a",
    value: "1",
  }]);
  assert.equal(parseCookiePairs(["a=1"]), undefined);
  assert.equal(parseCookiePairs(7), undefined);
});
