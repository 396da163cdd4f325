import assert from "node:assert/strict";
import { patternProblem } from "./url_pattern_checks.ts";

Deno.test("patternProblem() refuses patterns that name no host", () => {
  for (
    const pattern of [
      "*",
      "*://*",
      "https://*",
      "*/*",
      "*.*",
      "*.com/*",
      "**",
      "",
      "/path/*",
      "a*b.example/*",
      "example.com:8080/*",
    ]
  ) {
    assert.match(
      patternProblem(pattern) ?? "",
      /names no host/,
      `${JSON.stringify(pattern)} should be refused`,
    );
  }
  assert.match(patternProblem(5) ?? "", /must be a string/);
  assert.match(patternProblem("a.example/" + "x".repeat(600)) ?? "", /longer/);
});

Deno.test("patternProblem() accepts a host, a subdomain wildcard or a scheme", () => {
  for (
    const pattern of [
      "github.com/*/issues/*",
      "*.example.com/*",
      "https://forum.example/post/*",
      "localhost",
      "127.0.0.1/*",
    ]
  ) {
    assert.equal(patternProblem(pattern), undefined, pattern);
  }
});
