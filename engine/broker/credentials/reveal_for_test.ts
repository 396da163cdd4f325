/**
 * CallCredentials.revealFor(): a tool's `__secrets__` value gets real
 * values back only for placeholders of the same site; one site's
 * credential is never stored under another domain.
 */
import assert from "node:assert/strict";
import { CallCredentials } from "./mod.ts";

const VALUE = "tok-example-0123456789";

Deno.test("CallCredentials.revealFor() reveals a placeholder for its own site only", () => {
  const credentials = new CallCredentials(true);
  const placeholder = credentials.add({
    domain: "example.com",
    value: VALUE,
    scope: { domain: "example.com" },
  }) as string;
  const text = `token=${placeholder}`;
  assert.equal(credentials.revealFor(text, "example.com"), `token=${VALUE}`);
  assert.equal(
    credentials.revealFor(text, "api.example.com"),
    `token=${VALUE}`,
  );
  for (
    const other of ["other.com", "evilexample.com", "example.com.evil.net"]
  ) {
    assert.equal(credentials.revealFor(text, other), undefined, other);
  }
  // A parent only within the registrable domain: `com` (or `test`) would
  // cover every site under the suffix.
  const deep = credentials.add({
    domain: "api.example.com",
    value: "deep-value-0123456789",
    scope: { domain: "api.example.com" },
  }) as string;
  for (const parent of ["com", ""]) {
    assert.equal(credentials.revealFor(deep, parent), undefined, parent);
  }
  for (const same of ["example.com", "v2.api.example.com"]) {
    assert.equal(credentials.revealFor(deep, same), "deep-value-0123456789");
  }
  const hosted = credentials.add({
    domain: "alice.github.io",
    value: "pages-value-0123456789",
    scope: { domain: "alice.github.io" },
  }) as string;
  assert.equal(credentials.revealFor(hosted, "github.io"), undefined);
  assert.equal(
    credentials.revealFor(
      "agentos-secret-00000000000000000000000000000000",
      "example.com",
    ),
    undefined,
  );
});
