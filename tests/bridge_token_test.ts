/**
 * Every bridge route but the explorer page, its assets and the SDK needs the
 * app token, reads included: any local user reaches 127.0.0.1. The explorer
 * gets the token through the one-time link `agentos bridge open` prints.
 */
import assert from "node:assert/strict";
import { makeOpenCode } from "../bridge/mod.ts";
import {
  bridgeFixture,
  seedGraph,
  startBridgeProcess,
} from "./bridge_fixture.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";

const NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"];

/** Runs a command as uid 65534 (nobody), as another local user would. */
async function asNobody(
  program: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("setpriv", {
    args: [...NOBODY, program, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

Deno.test("another local user (uid 65534) cannot read the graph, the token, or replay an open link", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  await seedGraph(await engine.client());
  await using bridge = await startBridgeProcess(engine.paths.home);
  const status = async (path: string, ...curl: string[]) =>
    (await asNobody("curl", [
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      ...curl,
      `${bridge.base}${path}`,
    ])).stdout;

  for (const path of ["/graph", "/shapes", "/user", "/observer/stream"]) {
    assert.equal(await status(path), "401", `GET ${path} as nobody`);
  }
  assert.equal(await status("/"), "200", "the page itself is public");
  assert.equal(await status("/sdk.js"), "200");
  const token = await asNobody("cat", [`${engine.paths.home}/bridge.token`]);
  assert.notEqual(token.code, 0, "nobody cannot read the token file");

  // The owner's link works once; nobody replaying it afterwards gets 401.
  // `bridge open` checks that a bridge listens on the configured port.
  const opened = await runAgentos(
    engine.paths.home,
    ["bridge", "open"],
    undefined,
    { AGENTOS_BRIDGE_PORT: new URL(bridge.base).port },
  );
  const code = /\?open=(\S+)$/.exec(opened.stdout.trim())![1]!;
  const body = JSON.stringify({ code });
  const session = await fetch(`${bridge.base}/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  assert.equal(session.status, 200);
  const { token: handed } = await session.json();
  assert.equal(
    handed,
    Deno.readTextFileSync(`${engine.paths.home}/bridge.token`).trim(),
  );
  assert.equal(
    await status(
      "/session",
      "-X",
      "POST",
      "-H",
      "content-type: application/json",
      "-d",
      body,
    ),
    "401",
  );
  const graph = await fetch(`${bridge.base}/graph`, {
    headers: { authorization: `Bearer ${handed}` },
  });
  assert.equal(graph.status, 200);
  await graph.body?.cancel();
});

Deno.test("the bridge needs the token on every API route, and hands it only for a valid, unused, same-origin open code", async (t) => {
  await using fx = await bridgeFixture();
  const { token } = fx;

  await t.step("reads without the token are refused with 401", async () => {
    for (
      const path of [
        "/graph",
        `/graph/${fx.seed.ada}`,
        `/graph/${fx.seed.ada}/history`,
        "/shapes",
        "/shapes/task",
        "/user",
        "/observer/stream",
      ]
    ) {
      const response = await fx.anonymous(path);
      assert.equal(response.status, 401, path);
      assert.match(
        (await response.json()).error.message,
        /needs the app token.*agentos bridge open/,
      );
    }
    for (const path of ["/", "/explorer.js", "/explorer.css", "/sdk.js"]) {
      const response = await fx.anonymous(path);
      assert.equal(response.status, 200, path);
      await response.body?.cancel();
    }
  });

  const redeem = (code: unknown, headers: Record<string, string> = {}) =>
    fx.anonymous("/session", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ code }),
    });

  await t.step(
    "a code is good once, within its time, under this token",
    async () => {
      const code = await makeOpenCode(token);
      const first = await redeem(code);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get("cache-control"), "no-store");
      assert.deepEqual(await first.json(), { token });
      const again = await redeem(code);
      assert.equal(again.status, 401);
      assert.match((await again.json()).error.message, /already used/);

      const expired = await makeOpenCode(token, Date.now() - 121_000);
      assert.match(
        (await (await redeem(expired)).json()).error.message,
        /expired/,
      );
      const forged = await makeOpenCode("aos_app_" + "x".repeat(43));
      assert.match(
        (await (await redeem(forged)).json()).error.message,
        /not valid/,
      );
      const [expiry, nonce, mac] = (await makeOpenCode(token)).split(".");
      const stretched = `${Number(expiry) + 3600}.${nonce}.${mac}`;
      assert.equal((await redeem(stretched)).status, 401, "a moved expiry");
      for (const bad of ["", "x", 42, null, "1.2.3", `${code}x`]) {
        assert.equal((await redeem(bad)).status, 401, JSON.stringify(bad));
      }
    },
  );

  await t.step("another origin never gets the token", async () => {
    const foreign: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { origin: "http://localhost:5173" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ];
    for (const headers of foreign) {
      const response = await redeem(await makeOpenCode(token), headers);
      assert.equal(response.status, 403, JSON.stringify(headers));
      await response.body?.cancel();
    }
  });

  await t.step(
    "Sec-Fetch-Site: same-site is cross-origin even with the token",
    async () => {
      const response = await fx.request("/graph", {
        headers: { "sec-fetch-site": "same-site" },
      });
      assert.equal(response.status, 403);
      assert.match(
        (await response.json()).error.message,
        /cross-site request without an Origin/,
      );
      const same = await fx.request("/graph", {
        headers: { "sec-fetch-site": "same-origin" },
      });
      assert.equal(same.status, 200);
      await same.body?.cancel();
    },
  );

  await t.step("evillocalhost is not a loopback Host", async () => {
    for (
      const host of [
        "evillocalhost:3456",
        "evillocalhost",
        "localhost.evil:3456",
      ]
    ) {
      const response = await fx.request("/sdk.js", { headers: { host } });
      assert.equal(response.status, 403, host);
      assert.match((await response.json()).error.message, /Refused Host/);
    }
  });
});
