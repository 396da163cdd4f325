/**
 * The methods a brokered request may use, literally: GET (the default),
 * HEAD, POST, PUT, PATCH, DELETE and OPTIONS in any case; any other is
 * refused by name.
 */
import assert from "node:assert/strict";
import { resolveTarget } from "./request_target.ts";

Deno.test("resolveTarget(): the seven methods, in any case, GET by default; others refused by name", () => {
  const url = "https://api.example.com/x";
  const accepted: [unknown, string][] = [
    [undefined, "GET"],
    ["get", "GET"],
    ["HEAD", "HEAD"],
    ["head", "HEAD"],
    ["POST", "POST"],
    ["put", "PUT"],
    ["Patch", "PATCH"],
    ["DELETE", "DELETE"],
    ["options", "OPTIONS"],
  ];
  for (const [method, expected] of accepted) {
    const target = resolveTarget({ url, ...(method ? { method } : {}) });
    assert.equal(target.method, expected, String(method));
    assert.equal(target.url.href, url);
  }
  for (const method of ["CONNECT", "TRACE", "HEA", "EAD", "PROPFIND", ""]) {
    assert.throws(
      () => resolveTarget({ url, method }),
      (error: unknown) =>
        (error as Error).message === `Unsupported HTTP method "${method}"`,
      method,
    );
  }
});
