/**
 * The cookie jar's RFC 6265 rules, table by table: what a `Set-Cookie`
 * line becomes (or why it is refused), when a cookie expires, which
 * requests carry it, and how the site's own cookie replaces one stored by
 * name only.
 */
import assert from "node:assert/strict";
import type { Cookie } from "../credentials/mod.ts";
import { CookieJar, parseSetCookie } from "./mod.ts";

const NOW = Date.UTC(2026, 0, 1); // whole seconds
const NOW_S = NOW / 1000;
const URL_A = new URL("https://a.example.com/app/page");

function cookie(fields: Partial<Cookie>): Cookie {
  return {
    name: "n",
    value: "v",
    domain: "a.example.com",
    hostOnly: true,
    path: "/app",
    expires: null,
    secure: false,
    httpOnly: false,
    sameSite: null,
    ...fields,
  };
}

Deno.test("parseSetCookie() reads each attribute as RFC 6265 says", () => {
  const cases: [string, Partial<Cookie>][] = [
    ["n=v", {}],
    ["n=", { value: "" }],
    [' n = "quoted" ', { value: "quoted" }],
    ['n="half', { value: '"half' }],
    ["n=v; Domain=.Example.COM", { domain: "example.com", hostOnly: false }],
    ["n=v; domain=example.com", { domain: "example.com", hostOnly: false }],
    ["n=v; Domain=", {}],
    ["n=v; Path=/x/y", { path: "/x/y" }],
    ["n=v;Path=/x/y;Secure", { path: "/x/y", secure: true }],
    ["n=v; Path=x", { path: "/app" }],
    ["n=v; PATH", { path: "/app" }],
    ["n=v; Max-Age=100", { expires: NOW_S + 100 }],
    ["n=v; max-age=0", { expires: 0 }],
    ["n=v; Max-Age=1", { expires: NOW_S + 1 }],
    ["n=v; Max-Age=-5", { expires: 0 }],
    ["n=v; Max-Age=1.5", {}],
    ["n=v; Max-Age=soon", {}],
    [
      "n=v; Expires=Thu, 01 Jan 2026 00:00:10 GMT",
      { expires: NOW_S + 10 },
    ],
    ["n=v; Expires=Thu, 01 Jan 2026 00:00:10.900 GMT", {
      expires: NOW_S + 10,
    }],
    ["n=v; Expires=never", {}],
    ["n=v; EXPIRES=Thu, 01 Jan 2026 00:00:10 GMT; Max-Age=5", {
      expires: NOW_S + 5,
    }],
    ["n=v; Secure", { secure: true }],
    ["n=v; SECURE=yes", { secure: true }],
    ["n=v; HttpOnly", { httpOnly: true }],
    ["n=v; httponly", { httpOnly: true }],
    ["n=v; SameSite=Lax", { sameSite: "Lax" }],
    ["n=v; samesite", { sameSite: null }],
    ["n=v; SameSite=Strict; HttpOnly; Secure", {
      sameSite: "Strict",
      httpOnly: true,
      secure: true,
    }],
    ["__Secure-n=v; Secure", { name: "__Secure-n", secure: true }],
    ["__Host-n=v; Secure; Path=/", {
      name: "__Host-n",
      secure: true,
      path: "/",
    }],
    [`n=${"v".repeat(8192 - 2)}`, { value: "v".repeat(8190) }],
  ];
  for (const [line, fields] of cases) {
    assert.deepEqual(
      parseSetCookie(line, URL_A, NOW),
      cookie(fields),
      line.slice(0, 80),
    );
  }
});

Deno.test("parseSetCookie() refuses malformed lines and cookies not the site's", () => {
  const refused: [string, URL][] = [
    [`n=${"v".repeat(8192 - 1)}`, URL_A], // 8,193 characters
    ["=v", URL_A],
    ["novalue", URL_A],
    ["", URL_A],
    ["a b=v", URL_A],
    ["a,b=v", URL_A],
    [" =v", URL_A],
    ["n=v; Domain=other.com", URL_A],
    ["n=v; Domain=b.example.com", URL_A],
    ["n=v; Domain=com", URL_A],
    ["n=v; Secure", new URL("http://a.example.com/")],
    ["__Secure-n=v", URL_A],
    ["__Host-n=v; Path=/", URL_A],
    ["__Host-n=v; Secure; Path=/; Domain=a.example.com", URL_A],
  ];
  for (const [line, url] of refused) {
    assert.equal(parseSetCookie(line, url, NOW), undefined, line.slice(0, 80));
  }
  // A public suffix's own host keeps its cookie, host-only.
  assert.deepEqual(
    parseSetCookie("n=v; Domain=github.io", new URL("https://github.io/"), NOW),
    cookie({ domain: "github.io", path: "/" }),
  );
});

Deno.test("parseSetCookie() takes the default path from the URL's directory", () => {
  const paths: [string, string][] = [
    ["https://a.example.com", "/"],
    ["https://a.example.com/", "/"],
    ["https://a.example.com/page", "/"],
    ["https://a.example.com/app/", "/app"],
    ["https://a.example.com/app/x/page", "/app/x"],
  ];
  for (const [url, path] of paths) {
    assert.equal(parseSetCookie("n=v", new URL(url), NOW)?.path, path, url);
  }
});

Deno.test("CookieJar: a cookie expires at its second, not a second later; an expired one deletes", () => {
  let now = NOW;
  const jar = new CookieJar(() => now);
  const url = new URL("https://a.example.com/");
  assert.equal(jar.ingest(url, ["n=v; Max-Age=10"]).length, 1);
  now = NOW + 9_999;
  assert.deepEqual(jar.matching(url).map((c) => c.value), ["v"]);
  assert.equal(jar.list().length, 1);
  now = NOW + 10_000;
  assert.deepEqual(jar.matching(url), []);
  assert.deepEqual(jar.list(), []);
  // Expires in the past, or exactly now: stored nowhere, and the old one
  // of that name goes.
  now = NOW;
  jar.ingest(url, ["n=v2"]);
  assert.deepEqual(
    jar.ingest(url, [`n=v3; Expires=${new Date(NOW).toUTCString()}`]),
    [],
  );
  assert.deepEqual(jar.list(), []);
  jar.ingest(url, ["n=v4", "junk", "=x", "m=w"]);
  assert.deepEqual(jar.list().map((c) => c.value), ["v4", "w"]);
  assert.deepEqual(jar.ingest(url, ["gone=1; Max-Age=0"]), []);
});

Deno.test("CookieJar.matching(): path prefixes end at a slash, longest path first, a missing path is /", () => {
  const jar = new CookieJar(() => NOW);
  const site = new URL("https://a.example.com/");
  jar.ingest(site, [
    "root=1; Path=/",
    "app=2; Path=/app",
    "slash=3; Path=/app/",
    "deep=4; Path=/app/x",
  ]);
  const names = (path: string) =>
    jar.matching(new URL(path, site)).map((c) => c.name);
  assert.deepEqual(names("/"), ["root"]);
  assert.deepEqual(names("/app"), ["app", "root"]);
  assert.deepEqual(names("/apple"), ["root"]);
  assert.deepEqual(names("/app/"), ["slash", "app", "root"]);
  assert.deepEqual(names("/app/x/y"), ["deep", "slash", "app", "root"]);
  assert.deepEqual(names("/app/xy"), ["slash", "app", "root"]);
  assert.deepEqual(
    jar.matching(new URL("https://a.example.com")).map((c) => c.name),
    ["root"],
  );
});

Deno.test("CookieJar: the site's own cookie replaces one stored by name only, for its domain and below", () => {
  const jar = new CookieJar(() => NOW);
  const loose = (name: string, domain: string): Cookie =>
    cookie({ name, domain, hostOnly: false, path: "/", loose: true });
  jar.seed([
    loose("sid", "example.com"),
    loose("sid", "other.com"),
    loose("keep", "example.com"),
  ]);
  jar.ingest(URL_A, ["sid=fresh; Path=/"]);
  const all = jar.list().map((c) => `${c.name}@${c.domain}=${c.value}`);
  assert.deepEqual(all, [
    "sid@other.com=v",
    "keep@example.com=v",
    "sid@a.example.com=fresh",
  ]);
  // A stored cookie that is not loose stays beside the new one.
  const strict = new CookieJar(() => NOW);
  strict.seed([cookie({ name: "sid", domain: "example.com", path: "/" })]);
  strict.ingest(URL_A, ["sid=fresh; Path=/"]);
  assert.equal(strict.list().length, 2);
  // A loose cookie of a subdomain stays: the new cookie's domain is not
  // inside it.
  const sub = new CookieJar(() => NOW);
  sub.seed([loose("sid", "deep.a.example.com")]);
  sub.ingest(URL_A, ["sid=fresh; Path=/"]);
  assert.equal(sub.list().length, 2);
});

Deno.test("CookieJar.changes(): a cookie changed in any attribute is set again; an expired seed is removed", () => {
  let now = NOW;
  const jar = new CookieJar(() => now);
  const seeded = cookie({ domain: "a.example.com", path: "/", value: "1" });
  const expiring = cookie({
    name: "e",
    path: "/",
    expires: NOW_S + 5,
  });
  jar.seed([seeded, expiring]);
  assert.deepEqual(jar.changes(), { set: [], removed: [] });
  jar.ingest(new URL("https://a.example.com/"), ["n=1; HttpOnly"]);
  now = NOW + 5_000;
  const { set, removed } = jar.changes();
  assert.deepEqual(set.map((c) => [c.name, c.httpOnly]), [["n", true]]);
  assert.deepEqual(removed.map((c) => c.name), ["e"]);
});
