import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import {
  HttpBroker,
  MAX_REDIRECTS,
  MAX_RESPONSE_BYTES,
} from "./http_broker.ts";
import { parseOriginMap } from "./origin_map.ts";

const SKILL = {
  skillId: "s",
  egress: { hosts: ["api.example.com"], domains: [], openWeb: false },
};

async function withServer(
  handler: (request: Request, url: URL) => Response | Promise<Response>,
  fn: (broker: HttpBroker) => Promise<void>,
): Promise<void> {
  const hang = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, signal: hang.signal },
    (request) => handler(request, new URL(request.url)),
  );
  const map = parseOriginMap({
    "https://api.example.com": `http://127.0.0.1:${server.addr.port}`,
  });
  const broker = new HttpBroker({ originMaps: () => [map] });
  try {
    await fn(broker);
  } finally {
    await broker.close();
    hang.abort();
    await server.finished;
  }
}

Deno.test("HttpBroker.request() sends query, headers and a JSON or form body; answers with lower-case headers", async () => {
  await withServer(async (request, url) =>
    Response.json({
      method: request.method,
      query: url.search,
      type: request.headers.get("content-type"),
      custom: request.headers.get("x-custom"),
      body: await request.text(),
    }, { headers: { "X-Reply": "yes" } }), async (broker) => {
    const json = await broker.request(SKILL, {
      method: "post",
      url: "https://api.example.com/p",
      params: { q: "a b", tag: ["x", "y"], skip: null },
      headers: { "X-Custom": "7", Host: "evil" },
      json: { n: 1 },
    });
    assert.equal(json.status, 200);
    assert.equal(json.ok, true);
    assert.equal(json.url, "https://api.example.com/p?q=a+b&tag=x&tag=y");
    assert.equal(json.headers["x-reply"], "yes");
    assert.deepEqual(JSON.parse(json.body), {
      method: "POST",
      query: "?q=a+b&tag=x&tag=y",
      type: "application/json",
      custom: "7",
      body: '{"n":1}',
    });
    const form = await broker.request(SKILL, {
      method: "POST",
      url: "https://api.example.com/f",
      data: { a: "1", b: true },
    });
    assert.equal(JSON.parse(form.body).body, "a=1&b=true");
    assert.equal(
      JSON.parse(form.body).type,
      "application/x-www-form-urlencoded",
    );
  });
});

Deno.test("HttpBroker.request() follows at most MAX_REDIRECTS redirects, POST becoming GET on 303", async () => {
  await withServer((request, url) => {
    const n = Number(url.pathname.slice(1));
    if (url.pathname === "/see-other") {
      return new Response(null, { status: 303, headers: { location: "/0" } });
    }
    if (n > 0) {
      return new Response(null, {
        status: 302,
        headers: { location: `/${n - 1}` },
      });
    }
    return new Response(request.method);
  }, async (broker) => {
    const ok = await broker.request(SKILL, {
      url: `https://api.example.com/${MAX_REDIRECTS}`,
    });
    assert.equal(ok.url, "https://api.example.com/0");
    assert.equal(ok.body, "GET");
    const post = await broker.request(SKILL, {
      method: "POST",
      url: "https://api.example.com/see-other",
      data: "x",
    });
    assert.equal(post.body, "GET");
    await assert.rejects(
      broker.request(SKILL, {
        url: `https://api.example.com/${MAX_REDIRECTS + 1}`,
      }),
      (error: RpcError) =>
        error.code === ErrorCode.Forbidden &&
        /Too many redirects/.test(error.message),
    );
  });
});

Deno.test("HttpBroker.request() refuses a response over the size cap and reports timeouts", async () => {
  await withServer((_request, url) => {
    if (url.pathname === "/big") {
      const chunk = new Uint8Array(1024 * 1024);
      let sent = 0;
      return new Response(
        new ReadableStream({
          pull(controller) {
            if (sent > MAX_RESPONSE_BYTES) return controller.close();
            sent += chunk.length;
            controller.enqueue(chunk);
          },
        }),
      );
    }
    return new Promise<Response>(() => {}); // never answers
  }, async (broker) => {
    await assert.rejects(
      broker.request(SKILL, { url: "https://api.example.com/big" }),
      (error: RpcError) =>
        error.code === ErrorCode.Forbidden &&
        /exceeds the \d+ byte limit/.test(error.message),
    );
    await assert.rejects(
      broker.request(SKILL, {
        url: "https://api.example.com/slow",
        timeout: 0.2,
      }),
      (error: RpcError) =>
        error.code === ErrorCode.Timeout &&
        /did not finish within 0.2 s/.test(error.message),
    );
  });
});
