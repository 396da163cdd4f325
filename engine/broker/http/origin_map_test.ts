import assert from "node:assert/strict";
import { mapOrigin, parseOriginMap, unmapOrigin } from "./origin_map.ts";

Deno.test("parseOriginMap() normalises origins and refuses what is not a map of origins", () => {
  const map = parseOriginMap(
    '{"https://API.example.com:443/": "http://127.0.0.1:8080/"}',
  );
  assert.deepEqual([...map], [[
    "https://api.example.com",
    "http://127.0.0.1:8080",
  ]]);
  assert.throws(() => parseOriginMap("[1]"), TypeError);
  assert.throws(() => parseOriginMap({ "https://a.example": 5 }), TypeError);
  assert.throws(
    () => parseOriginMap({ "ftp://a.example": "http://x" }),
    TypeError,
  );
  assert.throws(() => parseOriginMap({ "not a url": "http://x" }), TypeError);
});

Deno.test("mapOrigin() rewrites a matching origin, keeping path and query; the first map wins", () => {
  const prefs = parseOriginMap({ "https://a.example": "http://127.0.0.1:1" });
  const env = parseOriginMap({
    "https://a.example": "http://127.0.0.1:2",
    "https://b.example": "http://127.0.0.1:3",
  });
  assert.equal(
    mapOrigin(new URL("https://a.example/x/y?q=1"), prefs, env).href,
    "http://127.0.0.1:1/x/y?q=1",
  );
  assert.equal(
    mapOrigin(new URL("https://b.example/"), prefs, env).href,
    "http://127.0.0.1:3/",
  );
  assert.equal(
    mapOrigin(new URL("https://c.example/"), prefs, env).href,
    "https://c.example/",
  );
  // Another port is another origin.
  assert.equal(
    mapOrigin(new URL("https://a.example:8443/"), prefs).href,
    "https://a.example:8443/",
  );
});

Deno.test("unmapOrigin() reads a mapped target's URL as the original origin's", () => {
  const map = parseOriginMap({ "https://a.example": "http://127.0.0.1:1" });
  assert.equal(
    unmapOrigin(new URL("http://127.0.0.1:1/next?p=2"), map).href,
    "https://a.example/next?p=2",
  );
  assert.equal(
    unmapOrigin(new URL("http://127.0.0.1:9/"), map).href,
    "http://127.0.0.1:9/",
  );
});

Deno.test("mapOrigin() and unmapOrigin() keep a path that looks like an authority on the mapped origin", () => {
  const map = parseOriginMap({ "https://a.example": "http://127.0.0.1:1" });
  for (const path of ["//127.0.0.1:9/x", "/\\127.0.0.1:9/x", "///evil.test/"]) {
    const mapped = mapOrigin(new URL(`https://a.example${path}?q=1`), map);
    assert.equal(mapped.origin, "http://127.0.0.1:1", path);
    const back = unmapOrigin(new URL(`http://127.0.0.1:1${path}`), map);
    assert.equal(back.origin, "https://a.example", path);
  }
});
