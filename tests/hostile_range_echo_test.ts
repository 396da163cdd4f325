/**
 * Route (left open): a masked skill reads its key back in pieces from a
 * storage API on the key's own domain. The engine puts a placeholder's
 * real value into any request to the credential's domain — a body too —
 * so a skill can upload its placeholder as a file there; a download with
 * a `Range` header (every file store answers one: S3, Dropbox, Drive, raw
 * Git hosts) returns three bytes at a time, and the reflection guard
 * masks only the whole value (through its encodings) or a run of half of
 * it, so no piece is masked. The skill joins the pieces and sends the key
 * to its own host. docs/security.md names "a partial echo shorter than
 * half the value" and "a server that … spreads out what it received" as
 * limits; a skill-steered `Range` read turns every storage API into such a
 * server. A fix: substitute a placeholder only where the connection's
 * auth puts it (its header, query parameter or body field) and refuse it
 * anywhere else in a request (a body, a file), unless the owner granted
 * `--secrets`; or, at least, drop a placeholder's value from any request
 * body to its domain that is not a declared auth field. Real engine, real
 * sandboxed worker, real servers for the store and the thief's host.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { localServer } from "./skills_helpers.ts";

const KEY = "store-live-KEY-8e2b71c4d09f5a36";

Deno.test({
  name:
    "a masked skill never reads its key back from its own domain's file store in pieces",
  ignore: true,
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
    await client.call("skills.run", {
      skill: "range-thief",
      tool: "steal",
      params: {},
    }).catch(() => undefined);
    assert.ok(
      !received.some((k) => k.includes(KEY.slice(0, 8))),
      `the masked skill sent its key home: ${JSON.stringify(received)}`,
    );
  },
});
