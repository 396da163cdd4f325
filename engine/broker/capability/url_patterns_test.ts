import assert from "node:assert/strict";
import { callUrl, declaredUrls, urlSpecificity } from "./url_patterns.ts";

Deno.test("urlSpecificity() matches host and path, * spanning slashes, ignoring scheme, query and fragment", () => {
  const issues = ["github.com/*/issues/*"];
  assert.equal(
    urlSpecificity(issues, "https://github.com/o/r/issues/7?x=1#c"),
    "github.com//issues/".length,
  );
  assert.equal(
    urlSpecificity(issues, "https://github.com/o/r/pull/7"),
    undefined,
  );
  assert.equal(
    urlSpecificity(issues, "https://gitlab.com/o/r/issues/7"),
    undefined,
  );
  assert.equal(
    urlSpecificity(issues, "https://evilgithub.com/o/r/issues/7"),
    undefined,
    "the host is matched whole, not as a suffix",
  );
  assert.equal(
    urlSpecificity(
      ["news.ycombinator.com/item*"],
      "https://news.ycombinator.com/item?id=1",
    ),
    "news.ycombinator.com/item".length,
  );
});

Deno.test("urlSpecificity() treats a www. the pattern does not name as optional, and compares hosts without case", () => {
  assert.ok(
    urlSpecificity(["reddit.com/r/*"], "https://www.Reddit.com/r/deno") !==
      undefined,
  );
  assert.equal(
    urlSpecificity(["www.a.example/*"], "https://a.example/x"),
    undefined,
  );
  assert.ok(
    urlSpecificity(["a.example"], "http://a.example/anything") !== undefined,
  );
});

Deno.test("urlSpecificity() prefers the pattern with more literal characters", () => {
  const broad = urlSpecificity(
    ["forum.example/*"],
    "https://forum.example/post/1/thread/2",
  )!;
  const narrow = urlSpecificity(
    ["forum.example/post/*/thread/*"],
    "https://forum.example/post/1/thread/2",
  )!;
  assert.ok(narrow > broad);
});

Deno.test("urlSpecificity() refuses what is not a URL, and patterns are not regular expressions", () => {
  assert.equal(urlSpecificity(["*"], "not a url"), undefined);
  assert.equal(
    urlSpecificity(["a.example/(x|y)"], "https://a.example/x"),
    undefined,
  );
  assert.ok(
    urlSpecificity(["a.example/(x|y)"], "https://a.example/(x|y)") !==
      undefined,
  );
});

Deno.test("callUrl() finds the url parameter first, then any http(s) string", () => {
  assert.equal(
    callUrl({ url: "https://a.example/", q: "https://b.example/" }),
    "https://a.example/",
  );
  assert.equal(callUrl({ page: "https://b.example/x" }), "https://b.example/x");
  assert.equal(callUrl({ url: "ftp://a.example/" }), undefined);
  assert.equal(callUrl({ text: "hello" }), undefined);
  assert.equal(callUrl(null), undefined);
});

Deno.test("declaredUrls() keeps the strings of urls=, a single string included", () => {
  assert.deepEqual(declaredUrls({ urls: ["a.example/*", 3, ""] }), [
    "a.example/*",
  ]);
  assert.deepEqual(declaredUrls({ urls: "b.example/*" }), ["b.example/*"]);
  assert.deepEqual(declaredUrls({}), []);
});

Deno.test("callUrl() takes url, then uri, then link, then href, before any other http(s) string", () => {
  const keys = ["url", "uri", "link", "href"];
  for (const [i, key] of keys.entries()) {
    const params: Record<string, unknown> = { other: "https://other.test/" };
    for (const later of keys.slice(i)) params[later] = `https://${later}.test/`;
    assert.equal(callUrl(params), `https://${key}.test/`, key);
  }
});

Deno.test("urlSpecificity(): only a real www. label is optional", () => {
  const cases: [string, string, number | undefined][] = [
    ["x.com", "https://wwwax.com/", undefined],
    ["wwwx.com", "https://www.wwwx.com/", 8],
    ["www.x.com", "https://www.www.x.com/", undefined],
    ["www.x.com", "https://www.x.com/a", 9],
  ];
  for (const [pattern, url, specificity] of cases) {
    assert.equal(
      urlSpecificity([pattern], url),
      specificity,
      `${pattern} ${url}`,
    );
  }
});
