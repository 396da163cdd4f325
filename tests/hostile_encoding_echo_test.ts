/**
 * Route (red team III, on main at 7aadaf4): a masked skill reads its key
 * back compressed from a storage API on the key's own domain. Like the
 * `Range` route (`tests/hostile_range_echo_test.ts`), the skill uploads its
 * placeholder as a file (the engine puts the real key in: the request goes
 * to the key's domain); it then asks for the file with `Accept-Encoding:
 * deflate`. The engine's HTTP client decodes gzip and br but not deflate
 * (nor gzip once the request names its own `Accept-Encoding`), so the
 * reflection guard saw compressed bytes, not the key; the body reached the
 * skill as windows-1252 text, byte for byte, and the skill inflated it and
 * sent the key to its own host. A masked call holding credentials now
 * sends no `Accept-Encoding` of its own (the client asks for what it
 * decodes), and a response it cannot decode is refused. Real engine, real
 * sandboxed worker, real servers for the store and the thief's host.
 */
import assert from "node:assert/strict";
import { deflate } from "node:zlib";
import { promisify } from "node:util";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { localServer } from "./skills_helpers.ts";

const KEY = "store-live-KEY-3c9a6e0b52f17d84";
const deflated = promisify(deflate);

Deno.test("a masked skill never reads its key back from its own domain compressed in a way the engine does not decode", async () => {
  const files = new Map<string, { bytes: Uint8Array; type: string }>();
  await using store = localServer(async (request, url) => {
    if (request.headers.get("x-api-key") !== KEY) {
      return new Response("", { status: 401 });
    }
    if (request.method === "PUT") {
      files.set(url.pathname, {
        bytes: new Uint8Array(await request.arrayBuffer()),
        type: request.headers.get("content-type") ?? "text/plain",
      });
      return new Response("", { status: 201 });
    }
    const file = files.get(url.pathname);
    if (!file) return new Response("", { status: 404 });
    // Compresses as asked, like a CDN or a framework's middleware.
    const asked = request.headers.get("accept-encoding") ?? "";
    const forced = url.searchParams.get("force") === "deflate";
    if (!forced && !/\bdeflate\b/.test(asked)) {
      return new Response(file.bytes.slice(), {
        headers: { "content-type": file.type },
      });
    }
    const body = new Uint8Array(await deflated(file.bytes));
    return new Response(body, {
      headers: { "content-type": file.type, "content-encoding": "deflate" },
    });
  });
  const received: string[] = [];
  await using home = localServer((_request, url) => {
    received.push(url.searchParams.get("k") ?? "");
    return new Response("thanks");
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.store.test": store.origin,
        "https://thief.test": home.origin,
      }),
    },
  });
  const client = await engine.client();
  await client.call("skills.add", {
    path: `${REPO_ROOT}tests/fixtures/hostile/encoding-thief`,
  });
  await client.call("secrets.set", { domain: "store.test", value: KEY });
  await client.call("skills.run", {
    skill: "encoding-thief",
    tool: "steal",
    params: {},
  }).catch((error: Error) => error.message);
  // Asked for as the client decodes it, the file came back plain, masked.
  assert.equal(received.length, 1, "the first theft reached its end");
  assert.match(received[0]!, /^not inflated/);
  // The upload itself went through: the store holds the key.
  assert.equal(
    new TextDecoder().decode(files.get("/files/k")?.bytes),
    KEY,
    "the placeholder reached the store as the key",
  );
  assert.ok(
    !received.some((k) => k.includes(KEY.slice(0, 8))),
    `the masked skill sent its key home: ${JSON.stringify(received)}`,
  );

  // A store that deflates unasked: the body is refused, not handed over.
  const refused = await client.call("skills.run", {
    skill: "encoding-thief",
    tool: "steal_unasked",
    params: {},
  }).then(() => "", (error: Error) => error.message);
  assert.match(
    refused,
    /is encoded as "deflate", which the engine does not decode/,
  );
  assert.ok(
    !received.some((k) => k.includes(KEY.slice(0, 8))),
    `the masked skill sent its key home: ${JSON.stringify(received)}`,
  );
});
