import assert from "node:assert/strict";
import {
  addClientHeaders,
  BROWSER_USER_AGENT,
  clientKind,
} from "./client_kinds.ts";

const UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";
const HINTS = {
  "accept-language": "en-US,en;q=0.9",
  "sec-ch-ua":
    `"Chromium";v="142", "Google Chrome";v="142", "Not_A Brand";v="99"`,
  "sec-ch-ua-mobile": "?0",
  "sec-ch-ua-platform": '"Windows"',
  "user-agent": UA,
};

Deno.test("addClientHeaders() adds exactly Chrome 142's headers: a navigation for browser, an XHR for fetch, nothing for api", () => {
  const expected: Record<string, Record<string, string>> = {
    browser: {
      ...HINTS,
      accept:
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8",
      "sec-ch-ua-full-version-list":
        `"Chromium";v="142.0.7444.176", "Google Chrome";v="142.0.7444.176", "Not_A Brand";v="99.0.0.0"`,
      "sec-fetch-dest": "document",
      "sec-fetch-mode": "navigate",
      "sec-fetch-site": "none",
      "sec-fetch-user": "?1",
      "upgrade-insecure-requests": "1",
    },
    fetch: {
      ...HINTS,
      accept: "application/json, text/plain, */*",
      "sec-fetch-dest": "empty",
      "sec-fetch-mode": "cors",
      "sec-fetch-site": "same-origin",
    },
    api: {},
  };
  for (const [kind, headers] of Object.entries(expected)) {
    const got = new Headers();
    addClientHeaders(got, clientKind(kind)!);
    assert.deepEqual(
      Object.fromEntries(got),
      Object.fromEntries(Object.entries(headers).sort()),
      kind,
    );
  }
  assert.equal(BROWSER_USER_AGENT, UA);
});

Deno.test("addClientHeaders() leaves every header the skill set as it is", () => {
  const headers = new Headers({
    "User-Agent": "mine/1",
    Accept: "text/csv",
    "sec-fetch-site": "cross-site",
  });
  addClientHeaders(headers, "fetch");
  assert.equal(headers.get("user-agent"), "mine/1");
  assert.equal(headers.get("accept"), "text/csv");
  assert.equal(headers.get("sec-fetch-site"), "cross-site");
  assert.equal(headers.get("sec-fetch-mode"), "cors");
});

Deno.test("clientKind() names the three kinds and nothing else", () => {
  for (const kind of ["browser", "fetch", "api"]) {
    assert.equal(clientKind(kind), kind);
  }
  for (const other of ["Browser", "xhr", "", null, undefined, 1, ["api"]]) {
    assert.equal(clientKind(other), undefined, String(other));
  }
});
