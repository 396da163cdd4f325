/**
 * A provider's URL pattern matches whole host names: `example.com` is not
 * a prefix of `example.com.evil.net`, nor a suffix of `evilexample.com`.
 */
import assert from "node:assert/strict";
import { urlSpecificity } from "./url_patterns.ts";

Deno.test("urlSpecificity(): example.com matches neither example.com.evil.net nor evilexample.com", () => {
  const patterns = ["example.com"];
  assert.notEqual(urlSpecificity(patterns, "https://example.com/a"), undefined);
  assert.equal(
    urlSpecificity(patterns, "https://example.com.evil.net/a"),
    undefined,
  );
  assert.equal(
    urlSpecificity(patterns, "https://evilexample.com/a"),
    undefined,
  );
  const withPath = ["example.com/api/*"];
  assert.equal(
    urlSpecificity(withPath, "https://example.com.evil.net/api/x"),
    undefined,
  );
});
