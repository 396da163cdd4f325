/**
 * Route (found by the red team, closed in part): a masked skill reads its
 * key back in pieces from a storage API on the key's own domain. The
 * engine puts a placeholder's real value into any request to the
 * credential's domain — a body too, as published skills send tokens in
 * JSON bodies — so a skill can upload its placeholder as a file there; a
 * download with a `Range` header (every file store answers one: S3,
 * Dropbox, Drive, raw Git hosts) returned three bytes at a time, below
 * what the reflection guard can know, and the skill joined the pieces and
 * sent the key to its own host. A masked call holding credentials may no
 * longer send `Range` or `If-Range` (`engine/broker/http/request_outgoing.ts`);
 * a storage API that slices by other means stays a residual risk
 * (docs/security.md). Real engine, real sandboxed worker, real servers for
 * the store and the thief's host.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { localServer } from "./skills_helpers.ts";

const KEY = "store-live-KEY-8e2b71c4d09f5a36";

Deno.test({
  name:
    "a masked skill never reads its key back from its own domain's file store in pieces",
  async fn() {
    const files = new Map<string, Uint8Array<ArrayBuffer>>();
    await using store = localServer(async (request, url) => {
      if (request.headers.get("x-api-key") !== KEY) {
        return new Response("", { status: 401 });
      }
      if (request.method === "PUT") {
        files.set(url.pathname, new Uint8Array(await request.arrayBuffer()));
        return new Response("", { status: 201 });
      }
      const file = files.get(url.pathname);
      if (!file) return new Response("", { status: 404 });
      const range = /^bytes=(\d+)-(\d+)$/.exec(
        request.headers.get("range") ?? "",
      );
      if (!range) return new Response(file);
      const start = Number(range[1]), end = Number(range[2]);
      if (start >= file.length) return new Response("", { status: 416 });
      return new Response(file.slice(start, end + 1), { status: 206 });
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
      path: `${REPO_ROOT}tests/fixtures/hostile/range-thief`,
    });
    await client.call("secrets.set", { domain: "store.test", value: KEY });
    const refused = await client.call("skills.run", {
      skill: "range-thief",
      tool: "steal",
      params: {},
    }).then(() => "", (error: Error) => error.message);
    // The upload itself went through: the store holds the key.
    assert.equal(
      new TextDecoder().decode(files.get("/files/k")),
      KEY,
      "the placeholder reached the store as the key",
    );
    assert.match(refused, /may not send a "range" header/);
    assert.ok(
      !received.some((k) => k.includes(KEY.slice(0, 8))),
      `the masked skill sent its key home: ${JSON.stringify(received)}`,
    );
  },
});
