import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import {
  fetchError,
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
  readBody,
  requestBody,
  requestHeaders,
  requestUrl,
} from "./http_parts.ts";

const MIB5 = 5 * 1024 * 1024;

function rejectsWith(
  fn: () => unknown,
  code: ErrorCode,
  message: string,
): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("http_parts: both body limits are 5 MiB", () => {
  assert.equal(MAX_REQUEST_BYTES, MIB5);
  assert.equal(MAX_RESPONSE_BYTES, MIB5);
});

Deno.test("requestUrl() appends params as the query: lists repeat, null and undefined left out, scalars as text", () => {
  const url = requestUrl({
    url: "https://example.test/p?x=0",
    params: {
      a: "s",
      b: [1, true, false, "t"],
      c: null,
      d: undefined,
      e: { k: 1 },
      f: 2.5,
    },
  });
  assert.equal(
    url.href,
    "https://example.test/p?x=0&a=s&b=1&b=true&b=false&b=t&e=%7B%22k%22%3A1%7D&f=2.5",
  );
  assert.equal(
    requestUrl({ url: "https://example.test/", params: "a=1" }).href,
    "https://example.test/",
  );
  rejectsWith(
    () => requestUrl({ url: `/${"r".repeat(300)}` }),
    ErrorCode.InvalidParams,
    `"/${"r".repeat(199)}" is not an absolute URL`,
  );
  rejectsWith(
    () => requestUrl({ url: "/relative" }),
    ErrorCode.InvalidParams,
    `"/relative" is not an absolute URL`,
  );
});

Deno.test("requestHeaders() drops exactly the headers the broker sets itself, in any case", () => {
  const dropped = [
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-authorization",
    "proxy-connection",
  ];
  for (const name of dropped) {
    for (const spelled of [name, name.toUpperCase()]) {
      const headers = requestHeaders({ [spelled]: "v", "x-kept": "k" });
      assert.equal(headers.get(name), null, spelled);
      assert.equal(headers.get("x-kept"), "k");
    }
  }
  // Neighbours of the dropped names are the skill's to send.
  const kept = requestHeaders({
    authorization: "a",
    "content-type": "t",
    "x-host": "h",
    tee: "t",
    accept: "*/*",
    n: 1,
    z: null,
    u: undefined,
  });
  assert.deepEqual([...kept], [
    ["accept", "*/*"],
    ["authorization", "a"],
    ["content-type", "t"],
    ["n", "1"],
    ["tee", "t"],
    ["x-host", "h"],
  ]);
  assert.deepEqual([...requestHeaders("x: y")], []);
  rejectsWith(
    () => requestHeaders({ "bad name": "v" }),
    ErrorCode.InvalidParams,
    `Invalid HTTP header "bad name"`,
  );
  rejectsWith(
    () => requestHeaders({ [`bad ${"n".repeat(200)}`]: "v" }),
    ErrorCode.InvalidParams,
    `Invalid HTTP header "bad ${"n".repeat(96)}"`,
  );
});

Deno.test("requestBody() sends json, a string or a form, with its content type unless the skill set one", () => {
  const cases: [
    Record<string, unknown>,
    Record<string, string>,
    string | undefined,
    string | null,
  ][] = [
    [{ json: { a: 1 } }, {}, `{"a":1}`, "application/json"],
    [{ json: [1], data: "x" }, {}, "[1]", "application/json"],
    [{ json: 0 }, {}, "0", "application/json"],
    [{ json: { a: 1 } }, { "content-type": "text/x" }, `{"a":1}`, "text/x"],
    [{ json: null, data: "raw" }, {}, "raw", null],
    [{ data: "raw" }, {}, "raw", null],
    [
      {
        data: { a: "1 2", b: [true, 3], c: null, d: undefined, e: { k: "v" } },
      },
      {},
      "a=1+2&b=true&b=3&e=%7B%22k%22%3A%22v%22%7D",
      "application/x-www-form-urlencoded",
    ],
    [{ data: { a: "b" } }, { "content-type": "text/y" }, "a=b", "text/y"],
    [{ data: 7 }, {}, undefined, null],
    [{}, {}, undefined, null],
  ];
  for (const [params, set, body, type] of cases) {
    const headers = new Headers(set);
    assert.equal(requestBody(params, headers), body, JSON.stringify(params));
    assert.equal(headers.get("content-type"), type, JSON.stringify(params));
  }
});

Deno.test("requestBody() takes a body of exactly 5 MiB and refuses one character more", () => {
  const full = "x".repeat(MIB5);
  assert.equal(requestBody({ data: full }, new Headers())?.length, MIB5);
  rejectsWith(
    () => requestBody({ data: `${full}x` }, new Headers()),
    ErrorCode.Forbidden,
    `Request body of ${MIB5 + 1} characters exceeds the 5242880 byte limit`,
  );
});

const URL_A = new URL("https://api.example.test/v1?key=secret");

function read(response: Response) {
  return readBody(response, URL_A, new AbortController().signal, 30);
}

Deno.test("readBody() reads up to 5 MiB, refuses more whether declared or streamed, and decodes the declared charset", async () => {
  assert.deepEqual(await read(new Response(null)), { text: "", bytes: 0 });
  assert.deepEqual(await read(new Response("héllo")), {
    text: "héllo",
    bytes: 6,
  });
  const exact = new Uint8Array(MIB5).fill(0x61);
  assert.equal((await read(new Response(exact))).bytes, MIB5);
  const declaredExact = new Response(exact, {
    headers: { "content-length": String(MIB5) },
  });
  assert.equal((await read(declaredExact)).bytes, MIB5);
  const message =
    `Response from "api.example.test" exceeds the 5242880 byte limit`;
  const tooLarge = (error: unknown) => {
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, ErrorCode.Forbidden);
    assert.equal(error.message, message);
    return true;
  };
  // Streamed in two chunks: the second crosses the limit.
  const over = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(exact);
      controller.enqueue(new Uint8Array(1));
      controller.close();
    },
  });
  await assert.rejects(read(new Response(over)), tooLarge);
  // Declared too large: refused before reading.
  await assert.rejects(
    read(
      new Response("small", {
        headers: { "content-length": String(MIB5 + 1) },
      }),
    ),
    tooLarge,
  );
  const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]); // "café"
  for (
    const [type, text] of [
      ["text/plain; charset=iso-8859-1", "café"],
      ['text/plain; charset="ISO-8859-1"', "café"],
      ["text/plain; charset=no-such-charset", "caf\ufffd"],
      ["text/plain", "caf\ufffd"],
    ]
  ) {
    const got = await read(
      new Response(latin1, { headers: { "content-type": type! } }),
    );
    assert.equal(got.text, text, type);
  }
});

Deno.test("fetchError() says Timeout when the timeout fired, else the cause's first line, with no query and where it was sent", () => {
  const timeout = fetchError(new Error("aborted"), URL_A, true, 30);
  assert.equal(timeout.code, ErrorCode.Timeout);
  assert.equal(
    timeout.message,
    `HTTP request to "api.example.test" did not finish within 30 s`,
  );
  const domTimeout = fetchError(
    new DOMException("t", "TimeoutError"),
    URL_A,
    false,
    7,
    "127.0.0.1:8443",
  );
  assert.equal(domTimeout.code, ErrorCode.Timeout);
  assert.equal(
    domTimeout.message,
    `HTTP request to "api.example.test" (sent to 127.0.0.1:8443) did not finish within 7 s`,
  );
  const other = fetchError(
    new DOMException("x", "AbortError"),
    URL_A,
    false,
    7,
  );
  assert.equal(other.code, ErrorCode.InternalError);
  const refused = fetchError(
    new TypeError("fetch failed", {
      cause: new Error(
        "client error (Connect): tcp connect error: Connection refused",
      ),
    }),
    URL_A,
    false,
    30,
  );
  assert.equal(refused.code, ErrorCode.InternalError);
  assert.equal(
    refused.message,
    `HTTP request to "api.example.test" failed: fetch failed: tcp connect error: Connection refused`,
  );
  const quoted = fetchError(
    new TypeError(
      `error sending request for url (https://api.example.test/v1?key=secret&b=2): x\nsecond line`,
    ),
    URL_A,
    false,
    30,
    "10.0.0.1",
  );
  assert.equal(
    quoted.message,
    `HTTP request to "api.example.test" (sent to 10.0.0.1) failed: error sending request for url (https://api.example.test/v1?…): x`,
  );
});
