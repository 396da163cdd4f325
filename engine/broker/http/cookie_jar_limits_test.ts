/**
 * The cookie jar's limits, each on its own: at most 300 cookies (oldest
 * dropped), Max-Age cut to 400 days, and a `__Host-` cookie only with
 * `Path=/`.
 */
import assert from "node:assert/strict";
import { CookieJar, parseSetCookie } from "./mod.ts";

const NOW = Date.UTC(2026, 0, 1);

Deno.test("CookieJar keeps at most 300 cookies, dropping the oldest first", () => {
  const jar = new CookieJar(() => NOW);
  const url = new URL("https://example.com/");
  for (let i = 0; i < 301; i++) jar.ingest(url, [`c${i}=${i}`]);
  const names = jar.list().map((c) => c.name);
  assert.equal(names.length, 300);
  assert.ok(!names.includes("c0"), "the oldest cookie is dropped");
  assert.equal(names[0], "c1");
  assert.equal(names.at(-1), "c300");
});

Deno.test("parseSetCookie() cuts a Max-Age longer than 400 days to 400 days", () => {
  const url = new URL("https://example.com/");
  const tenYears = parseSetCookie(`a=1; Max-Age=${10 * 365 * 86400}`, url, NOW);
  assert.equal(tenYears?.expires, NOW / 1000 + 400 * 86400);
  const day = parseSetCookie("a=1; Max-Age=86400", url, NOW);
  assert.equal(day?.expires, NOW / 1000 + 86400);
});

Deno.test("parseSetCookie() refuses a __Host- cookie whose Path is not /", () => {
  const url = new URL("https://example.com/app/page");
  assert.equal(
    parseSetCookie("__Host-id=1; Secure; Path=/app", url, NOW),
    undefined,
  );
  // Without a Path attribute the default path (/app) is not / either.
  assert.equal(parseSetCookie("__Host-id=1; Secure", url, NOW), undefined);
  assert.equal(
    parseSetCookie("__Host-id=1; Secure; Path=/", url, NOW)?.path,
    "/",
  );
});
