import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ErrorCode, RpcError } from "../../errors.ts";
import { CallCredentials } from "../credentials/mod.ts";
import { HttpBroker, type HttpTrace } from "./http_broker.ts";
import { HttpTape } from "./http_tape.ts";
import { parseOriginMap } from "./origin_map.ts";

const TLS_DIR = fileURLToPath(
  new URL("../../../tests/fixtures/hostile/tls/", import.meta.url),
);

/** Names the tests resolve; nothing here reaches a real DNS server. */
function fakeResolver(answers: Record<string, string[]>) {
  const asked: string[] = [];
  return {
    asked,
    resolve: (host: string) => {
      asked.push(host);
      return Promise.resolve(answers[host] ?? []);
    },
  };
}

function serve(
  handler: (request: Request) => Response | Promise<Response>,
  tls?: { cert: string; key: string },
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, ...tls },
    handler,
  );
}

Deno.test("HttpBroker refuses a public name that resolves to 127.0.0.1, and pins a granted host to the address it checked", async () => {
  await using server = serve((request) =>
    new Response(`host=${request.headers.get("host")}`)
  );
  const port = server.addr.port;
  const dns = fakeResolver({
    "rebind.example": ["93.184.215.14", "127.0.0.1"],
    "nas.lan": ["127.0.0.1"],
  });
  const broker = new HttpBroker({ originMaps: () => [], resolve: dns.resolve });
  try {
    const trace: HttpTrace = { checks: {}, bytesIn: 0, bytesOut: 0 };
    await assert.rejects(
      broker.request(
        {
          skillId: "s",
          egress: { hosts: ["rebind.example"], domains: [], openWeb: false },
        },
        { url: `http://rebind.example:${port}/` },
        { trace },
      ),
      (error: RpcError) =>
        error.code === ErrorCode.Forbidden &&
        /resolves to loopback address 127\.0\.0\.1/.test(error.message),
    );
    assert.deepEqual(trace.checks, {
      egress: "declared host",
      address: "refused",
    });
    // "nas.lan" exists only in the fake resolver: the connection can only
    // have gone to the address the check returned, with the URL's Host.
    const ok = await broker.request(
      {
        skillId: "s",
        egress: { hosts: [], domains: [], openWeb: false },
        grants: { hosts: [`nas.lan:${port}`], openWeb: false },
      },
      { url: `http://nas.lan:${port}/x` },
      { trace },
    );
    assert.equal(ok.body, `host=nas.lan:${port}`);
    assert.equal(trace.checks.address, "loopback 127.0.0.1");
    assert.equal(trace.checks.egress, "owner grant");
  } finally {
    await broker.close();
  }
});

Deno.test("HttpBroker pins HTTPS through its tunnel and still verifies the certificate against the URL's host", async () => {
  const tls = {
    cert: await Deno.readTextFile(`${TLS_DIR}leaf.pem`),
    key: await Deno.readTextFile(`${TLS_DIR}leaf.key`),
  };
  await using server = serve(() => new Response("over tls"), tls);
  const dns = fakeResolver({
    "pinned.test": ["127.0.0.1"],
    "other.test": ["127.0.0.1"],
  });
  const broker = new HttpBroker({
    originMaps: () => [],
    resolve: dns.resolve,
    caCerts: [await Deno.readTextFile(`${TLS_DIR}ca.pem`)],
  });
  const subject = {
    skillId: "s",
    egress: { hosts: [], domains: [], openWeb: false },
    grants: {
      hosts: [
        `pinned.test:${server.addr.port}`,
        `other.test:${server.addr.port}`,
      ],
      openWeb: false,
    },
  };
  try {
    const ok = await broker.request(subject, {
      url: `https://pinned.test:${server.addr.port}/`,
    });
    assert.equal(ok.body, "over tls");
    // Same address, wrong name for the certificate: TLS refuses it.
    await assert.rejects(
      broker.request(subject, {
        url: `https://other.test:${server.addr.port}/`,
      }),
      /failed/,
    );
  } finally {
    await broker.close();
  }
});

Deno.test("HttpBroker substitutes a placeholder for its own domain only, refuses it elsewhere, and masks an echo", async () => {
  const seen: string[] = [];
  await using server = serve((request) => {
    const url = new URL(request.url);
    seen.push(request.headers.get("x-api-key") ?? "");
    if (url.pathname === "/away") {
      return new Response(null, {
        status: 302,
        headers: { location: "https://evil.example.net/steal" },
      });
    }
    return new Response(`echo ${request.headers.get("x-api-key")}`);
  });
  const map = parseOriginMap({
    "https://api.example.com": `http://127.0.0.1:${server.addr.port}`,
    "https://evil.example.net": `http://127.0.0.1:${server.addr.port}`,
  });
  const broker = new HttpBroker({ originMaps: () => [map] });
  const credentials = new CallCredentials(true);
  const auth = credentials.add({
    domain: "example.com",
    value: { key: "sk-REAL-123456" },
    scope: { domain: "example.com" },
  }) as Record<string, string>;
  const subject = {
    skillId: "s",
    egress: {
      hosts: ["api.example.com", "evil.example.net"],
      domains: [],
      openWeb: false,
    },
    credentials,
  };
  try {
    const trace: HttpTrace = { checks: {}, bytesIn: 0, bytesOut: 0 };
    const ok = await broker.request(subject, {
      url: "https://api.example.com/",
      headers: { "x-api-key": auth.key },
    }, { trace });
    assert.equal(seen.at(-1), "sk-REAL-123456");
    assert.equal(ok.body, `echo ${auth.key}`);
    assert.equal(trace.checks.credentials, "substituted for example.com");
    assert.equal(
      trace.checks.address,
      `origin map 127.0.0.1:${server.addr.port}`,
    );
    await assert.rejects(
      broker.request(subject, {
        url: "https://evil.example.net/",
        headers: { "x-api-key": auth.key },
      }),
      /credential for "example\.com" to host "evil\.example\.net"/,
    );
    // A redirect off the domain is followed without the header the
    // broker wrote (tests/trust_redirect_test.ts has the whole story).
    const before = seen.length;
    await broker.request(subject, {
      url: "https://api.example.com/away",
      headers: { "x-api-key": auth.key },
    });
    assert.deepEqual(seen.slice(before), ["sk-REAL-123456", ""]);
  } finally {
    await broker.close();
  }
});

Deno.test("HttpBroker refuses a Range request only from a masked call holding credentials", async () => {
  const ranges: string[] = [];
  await using server = serve((request) => {
    ranges.push(request.headers.get("range") ?? "");
    return new Response("abc", { status: 206 });
  });
  const map = parseOriginMap({
    "https://api.example.com": `http://127.0.0.1:${server.addr.port}`,
  });
  const broker = new HttpBroker({ originMaps: () => [map] });
  const holding = (masked: boolean) => {
    const credentials = new CallCredentials(masked);
    credentials.add({
      domain: "example.com",
      value: { key: "sk-REAL-123456" },
      scope: { domain: "example.com" },
    });
    return credentials;
  };
  const subject = (credentials?: CallCredentials) => ({
    skillId: "s",
    egress: { hosts: ["api.example.com"], domains: [], openWeb: false },
    credentials,
  });
  const partial = (name: string) => ({
    url: "https://api.example.com/file",
    headers: { [name]: "bytes=0-2" },
  });
  try {
    for (const name of ["Range", "if-range"]) {
      await assert.rejects(
        broker.request(subject(holding(true)), partial(name)),
        (error: RpcError) =>
          error.code === ErrorCode.Forbidden &&
          new RegExp(`may not send a "${name.toLowerCase()}" header`).test(
            error.message,
          ),
      );
    }
    assert.deepEqual(ranges, [], "nothing was sent");
    // No credentials, or the owner's --secrets grant: nothing to piece out.
    for (
      const credentials of [
        undefined,
        new CallCredentials(true),
        holding(false),
      ]
    ) {
      const answer = await broker.request(
        subject(credentials),
        partial("Range"),
      );
      assert.equal(answer.status, 206);
    }
    assert.deepEqual(ranges, ["bytes=0-2", "bytes=0-2", "bytes=0-2"]);
  } finally {
    await broker.close();
  }
});

Deno.test("HttpTape records responses and replays them with no network, failing loudly on anything else", async () => {
  let hits = 0;
  await using server = serve(() => {
    hits++;
    return Response.json({ n: hits });
  });
  const map = parseOriginMap({
    "https://api.example.com": `http://127.0.0.1:${server.addr.port}`,
  });
  const broker = new HttpBroker({ originMaps: () => [map] });
  const subject = {
    skillId: "s",
    egress: { hosts: ["api.example.com"], domains: [], openWeb: false },
  };
  try {
    const recorder = HttpTape.record();
    await broker.request({ ...subject, tape: recorder }, {
      url: "https://api.example.com/a",
      params: { q: "1" },
    });
    await broker.request({ ...subject, tape: recorder }, {
      method: "POST",
      url: "https://api.example.com/b",
      json: { x: 1 },
    });
    const recording = JSON.parse(JSON.stringify(recorder.recording("s")));
    assert.equal(recording.exchanges.length, 2);
    const player = HttpTape.replay(recording);
    const a = await broker.request({ ...subject, tape: player }, {
      url: "https://api.example.com/a",
      params: { q: "1" },
    });
    assert.deepEqual(JSON.parse(a.body), { n: 1 });
    const b = await broker.request({ ...subject, tape: player }, {
      method: "POST",
      url: "https://api.example.com/b",
      json: { x: 1 },
    });
    assert.deepEqual(JSON.parse(b.body), { n: 2 });
    assert.equal(hits, 2, "replay never reached the server");
    await assert.rejects(
      broker.request({ ...subject, tape: player }, {
        method: "POST",
        url: "https://api.example.com/b",
        json: { x: 2 },
      }),
      /Replay has no recorded response for POST https:\/\/api\.example\.com\/b with this body/,
    );
    assert.equal(player.misses.length, 1);
    // The egress check still applies on replay.
    await assert.rejects(
      broker.request({ ...subject, tape: player }, {
        url: "https://elsewhere.example/",
      }),
      /may not reach host/,
    );
  } finally {
    await broker.close();
  }
});
