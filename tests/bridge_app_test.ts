import assert from "node:assert/strict";
import { bridgeFixture } from "./bridge_fixture.ts";

// The assertions walk response bodies of many shapes; typing each would
// only restate the routes' types.
// deno-lint-ignore no-explicit-any
type Json = any;

async function json(response: Response): Promise<Json> {
  return JSON.parse(await response.text());
}

Deno.test("GET /shapes lists the engine's shapes with live counts, and GET /shapes/:name one of them", async () => {
  await using fx = await bridgeFixture();
  const response = await fx.request("/shapes");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  const { shapes } = await json(response);
  const byName = new Map(
    shapes.map((shape: { name: string }) => [shape.name, shape]),
  );
  assert.equal((byName.get("task") as { count: number }).count, 1);
  assert.equal((byName.get("person") as { count: number }).count, 1);
  assert.equal((byName.get("note") as { count: number }).count, 0);
  assert.equal(
    (byName.get("person") as { fields: Record<string, unknown> }).fields
      .isSelf !== undefined,
    true,
  );
  assert.equal(
    JSON.stringify(shapes).includes(fx.paths.home),
    false,
    "no local paths in /shapes",
  );

  const one = await fx.request("/shapes/task");
  assert.equal((await json(one)).name, "task");
  const missing = await fx.request("/shapes/nope");
  assert.equal(missing.status, 404);
  assert.equal((await json(missing)).error.code, "not_found");
});

Deno.test("GET /graph pages, filters and searches with the engine's query logic", async () => {
  await using fx = await bridgeFixture();
  const tasks = await json(await fx.request("/graph?shape=task"));
  assert.deepEqual(tasks.items.map((item: { id: string }) => item.id), [
    fx.seed.task,
  ]);
  assert.equal(tasks.items[0].title, "Write the bridge");
  assert.equal(tasks.items[0].values.priority, 2, "coerced by the shape");
  assert.equal(tasks.cursor, null);

  const found = await json(await fx.request("/graph?q=lovelace"));
  assert.deepEqual(found.items.map((item: { id: string }) => item.id), [
    fx.seed.ada,
  ]);

  const where = encodeURIComponent(
    JSON.stringify([{ key: "priority", op: ">=", value: "2" }]),
  );
  const filtered = await json(
    await fx.request(`/graph?shape=task&where=${where}`),
  );
  assert.equal(filtered.items.length, 1);

  const first = await json(await fx.request("/graph?limit=1"));
  assert.equal(first.items.length, 1);
  assert.equal(typeof first.cursor, "string");
  const second = await json(
    await fx.request(`/graph?limit=1&cursor=${first.cursor}`),
  );
  assert.notEqual(second.items[0].id, first.items[0].id);
});

Deno.test("GET /graph refuses bad parameters with 400 and a JSON error", async () => {
  await using fx = await bridgeFixture({ limits: { maxQueryChars: 20 } });
  for (
    const [path, pattern] of [
      ["/graph?limit=0", /"limit" must be an integer from 1 to 200/],
      ["/graph?limit=201", /"limit" must be an integer from 1 to 200/],
      ["/graph?limit=abc", /"limit"/],
      ["/graph?shap=task", /Unknown query parameter "shap"/],
      ["/graph?where={oops", /"where" must be JSON/],
      ["/graph?shape=no_such_shape", /Unknown shape/],
      [`/graph?q=${"x".repeat(21)}`, /"q" must be 1 to 20 characters/],
      ["/graph?q=%20%21", /no words/],
      ["/graph?cursor=garbage", /Invalid cursor/],
      ["/graph/not%20an%20id", /Invalid id/],
      ["/graph/x/history?limit=501", /"limit"/],
    ] as const
  ) {
    const response = await fx.request(path);
    assert.equal(response.status, 400, path);
    const body = await json(response);
    assert.equal(body.error.status, 400);
    assert.match(body.error.message, pattern, path);
  }
});

Deno.test("GET /graph/:id shows values, edges both ways with their titles, and provenance", async () => {
  await using fx = await bridgeFixture();
  const ada = await json(await fx.request(`/graph/${fx.seed.ada}`));
  assert.equal(ada.title, "Ada Lovelace");
  assert.deepEqual(ada.shapes, ["person"]);
  assert.equal(ada.values.email, "ada@example.com");
  assert.equal(ada.types.isSelf, "boolean");
  assert.equal(ada.edges_out.length, 0);
  assert.equal(ada.edges_in.length, 1);
  assert.equal(ada.edges_in[0].label, "assigned_to");
  assert.equal(ada.edges_in[0].from, fx.seed.task);
  assert.deepEqual(ada.related[fx.seed.task], {
    shapes: ["task"],
    title: "Write the bridge",
    deleted: false,
  });
  assert.equal(ada.provenance.createdBy, "user");
  assert.deepEqual(
    ada.provenance.actors.map((actor: { actor: string }) => actor.actor),
    ["user"],
  );

  const task = await json(await fx.request(`/graph/${fx.seed.task}`));
  assert.equal(task.edges_out[0].to, fx.seed.ada);

  const missing = await fx.request("/graph/0000000000zzzzzzzzzzzz");
  assert.equal(missing.status, 404);
  assert.match(
    (await json(missing)).error.message,
    /No node "0000000000zzzzzzzzzzzz"/,
  );
});

Deno.test("GET /graph/:id/history returns the node's change log, oldest first", async () => {
  await using fx = await bridgeFixture();
  const { changes } = await json(
    await fx.request(`/graph/${fx.seed.task}/history`),
  );
  assert.equal(changes[0].op, "create");
  assert.ok(
    changes.some((change: { op: string; key: string }) =>
      change.op === "set" && change.key === "priority"
    ),
  );
  assert.ok(
    changes.some((change: { op: string }) => change.op === "link"),
    "edge changes belong to the history",
  );
  const ids = changes.map((change: { id: number }) => change.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  const later = await json(
    await fx.request(`/graph/${fx.seed.task}/history?after=${ids[0]}&limit=1`),
  );
  assert.deepEqual(later.changes.map((change: { id: number }) => change.id), [
    ids[1],
  ]);
  assert.equal(
    (await fx.request("/graph/0000000000zzzzzzzzzzzz/history")).status,
    404,
  );
});

Deno.test("GET /user returns the node marked isSelf and only the prefs.* settings", async () => {
  await using fx = await bridgeFixture();
  const user = await json(await fx.request("/user"));
  assert.equal(user.id, fx.seed.ada);
  assert.equal(user.node.values.name, "Ada Lovelace");
  assert.deepEqual(user.preferences, {
    theme: "dark",
    "llm.provider": "local",
  });

  await fx.client.call("graph.update", {
    id: fx.seed.ada,
    values: { isSelf: false },
  });
  const none = await fx.request("/user");
  assert.equal(none.status, 404);
  assert.match((await json(none)).error.message, /isSelf/);
});

Deno.test("the bridge refuses a Host that is not a loopback name (DNS rebinding)", async () => {
  await using fx = await bridgeFixture();
  for (
    const host of [
      "evil.example",
      "evil.example:3456",
      "127.0.0.1.nip.io:3456",
      "localhost.evil.example",
      "10.0.0.2:3456",
    ]
  ) {
    for (const path of ["/graph", "/", "/sdk.js"]) {
      const response = await fx.request(path, { headers: { host } });
      assert.equal(response.status, 403, `${host} ${path}`);
      assert.match((await json(response)).error.message, /Refused Host/);
    }
  }
  for (
    const host of [
      "localhost:3456",
      "127.0.0.1:3456",
      "[::1]:3456",
      "LOCALHOST",
      "localhost.:3456",
      "app.localhost:3456",
    ]
  ) {
    const response = await fx.request("/shapes", { headers: { host } });
    assert.equal(response.status, 200, host);
    await response.body?.cancel();
  }
});

Deno.test("cross-origin API requests need a configured origin and the app token", async () => {
  await using fx = await bridgeFixture({ origins: ["http://localhost:5173"] });
  const foreign = await fx.request("/graph", {
    headers: { origin: "http://evil.example" },
  });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.headers.get("access-control-allow-origin"), null);
  assert.match(
    (await json(foreign)).error.message,
    /Refused origin "http:\/\/evil.example"/,
  );

  // A browser's fetch from another site (or a sibling subdomain: same-site
  // is still another origin) without an Origin header.
  for (const site of ["cross-site", "same-site"]) {
    const response = await fx.request("/graph", {
      headers: { "sec-fetch-site": site },
    });
    assert.equal(response.status, 403, `Sec-Fetch-Site: ${site}`);
    assert.match(
      (await json(response)).error.message,
      /cross-site request without an Origin/,
    );
  }

  const noToken = await fx.anonymous("/graph", {
    headers: { origin: "http://localhost:5173" },
  });
  assert.equal(noToken.status, 401);
  assert.match(noToken.headers.get("www-authenticate") ?? "", /Bearer/);
  assert.match((await json(noToken)).error.message, /agentos bridge token/);

  const badToken = await fx.request("/graph", {
    headers: {
      origin: "http://localhost:5173",
      authorization: "Bearer aos_app_wrong",
    },
  });
  assert.equal(badToken.status, 401);
  await badToken.body?.cancel();

  const ok = await fx.request("/graph", {
    headers: {
      origin: "http://localhost:5173",
      authorization: `Bearer ${fx.token}`,
    },
  });
  assert.equal(ok.status, 200);
  assert.equal(
    ok.headers.get("access-control-allow-origin"),
    "http://localhost:5173",
  );
  assert.equal(
    (await ok.text()).includes(fx.token),
    false,
    "the token is never in a response",
  );

  const preflight = await fx.request("/capability/llm", {
    method: "OPTIONS",
    headers: {
      origin: "http://localhost:5173",
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(
    preflight.headers.get("access-control-allow-origin"),
    "http://localhost:5173",
  );
  assert.match(
    preflight.headers.get("access-control-allow-headers") ?? "",
    /Authorization/,
  );
  const foreignPreflight = await fx.request("/graph", {
    method: "OPTIONS",
    headers: {
      origin: "http://evil.example",
      "access-control-request-method": "GET",
    },
  });
  assert.equal(
    foreignPreflight.headers.get("access-control-allow-origin"),
    null,
  );

  const sameOrigin = await fx.request("/graph", {
    headers: { origin: `http://${"127.0.0.1:3456"}` },
  });
  assert.equal(
    sameOrigin.status,
    200,
    "the explorer's own origin reads without a token",
  );
  await sameOrigin.body?.cancel();
});

Deno.test("mutations need the app token and are written by the engine as app:<origin>", async () => {
  await using fx = await bridgeFixture({ origins: ["http://localhost:5173"] });
  const body = JSON.stringify({
    shape: "note",
    values: { name: "From an app" },
  });
  const anonymous = await fx.anonymous("/graph", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  assert.equal(anonymous.status, 401, "even same-origin writes need the token");
  await anonymous.body?.cancel();

  const auth = {
    authorization: `Bearer ${fx.token}`,
    "content-type": "application/json",
  };
  const created = await fx.request("/graph", {
    method: "POST",
    headers: { ...auth, origin: "http://localhost:5173" },
    body,
  });
  assert.equal(created.status, 201);
  const { id } = await json(created);
  const { changes } = await json(await fx.request(`/graph/${id}/history`));
  assert.equal(changes[0].actor, "app:http://localhost:5173");

  const updated = await fx.request(`/graph/${id}`, {
    method: "PATCH",
    headers: auth,
    body: JSON.stringify({ values: { name: "Renamed" } }),
  });
  assert.equal(updated.status, 200);
  await updated.body?.cancel();
  const node = await json(await fx.request(`/graph/${id}`));
  assert.equal(node.values.name, "Renamed");
  assert.equal(node.provenance.actors.at(-1).actor, "app:local");

  const edge = await fx.request("/graph", {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ from: id, label: "about", to: fx.seed.task }),
  });
  assert.equal(edge.status, 201);
  await edge.body?.cancel();

  const deleted = await fx.request(`/graph/${id}`, {
    method: "DELETE",
    headers: auth,
  });
  assert.equal((await json(deleted)).deleted, true);
  const conflict = await fx.request(`/graph/${id}`, {
    method: "PATCH",
    headers: auth,
    body: JSON.stringify({ values: { name: "x" } }),
  });
  assert.equal(conflict.status, 409);
  assert.equal((await json(conflict)).error.rpcCode, -32004);
  const restored = await fx.request(`/graph/${id}/restore`, {
    method: "POST",
    headers: auth,
  });
  assert.equal((await json(restored)).restored, true);
  const missing = await fx.request("/graph/0000000000zzzzzzzzzzzz", {
    method: "DELETE",
    headers: auth,
  });
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});

Deno.test("write bodies must be JSON objects within the size limit", async () => {
  await using fx = await bridgeFixture({ limits: { maxBodyBytes: 1000 } });
  const auth = { authorization: `Bearer ${fx.token}` };
  const cases: [RequestInit, number, RegExp][] = [
    [
      {
        headers: { ...auth, "content-type": "text/plain" },
        body: '{"values":{}}',
      },
      415,
      /application\/json/,
    ],
    [
      {
        headers: { ...auth, "content-type": "application/json" },
        body: "{oops",
      },
      400,
      /not valid JSON/,
    ],
    [
      { headers: { ...auth, "content-type": "application/json" }, body: "[1]" },
      400,
      /must be a JSON object/,
    ],
    [
      { headers: { ...auth, "content-type": "application/json" }, body: "" },
      400,
      /needs a JSON object body/,
    ],
    [
      {
        headers: { ...auth, "content-type": "application/json" },
        body: '{"values":{},"actor":"user"}',
      },
      400,
      /Unexpected field "actor"/,
    ],
    [
      {
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ values: { text: "x".repeat(2000) } }),
      },
      413,
      /larger than 1000 bytes/,
    ],
  ];
  for (const [init, status, pattern] of cases) {
    const response = await fx.request("/graph", { method: "POST", ...init });
    assert.equal(response.status, status, String(init.body).slice(0, 40));
    assert.match((await json(response)).error.message, pattern);
  }
});

Deno.test("a response over the size limit is refused with 413 instead of being built", async () => {
  await using fx = await bridgeFixture({ limits: { maxResponseBytes: 300 } });
  const response = await fx.request(`/graph/${fx.seed.ada}`);
  assert.equal(response.status, 413);
  assert.match((await json(response)).error.message, /the limit is 300/);
});

Deno.test("GraphReader's connection is read-only: a write through it fails and changes nothing", async () => {
  await using fx = await bridgeFixture();
  const before = fx.reader.changeBounds().latest;
  assert.throws(
    () => fx.reader.store.write("user", (tx) => tx.createNode()),
    /readonly|read-only|refused the write/i,
  );
  assert.throws(
    () =>
      fx.reader.store.db.exec(
        "INSERT INTO settings (key, value, updated_at) VALUES ('x', 'y', 'z')",
      ),
    /readonly/i,
  );
  assert.equal(fx.reader.changeBounds().latest, before);
});

Deno.test("the explorer page, its script and the SDK are served with a strict CSP; unknown routes are JSON 404s", async () => {
  await using fx = await bridgeFixture();
  const page = await fx.request("/");
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  assert.match(
    page.headers.get("content-security-policy") ?? "",
    /script-src 'self'/,
  );
  assert.equal(page.headers.get("x-frame-options"), "DENY");
  assert.match(await page.text(), /<script type="module" src="\/explorer.js">/);
  for (const path of ["/explorer.js", "/sdk.js"]) {
    const script = await fx.request(path);
    assert.match(script.headers.get("content-type") ?? "", /text\/javascript/);
    assert.match(await script.text(), /import|export/);
  }
  const types = await fx.request("/sdk.d.ts");
  assert.match(await types.text(), /export interface AgentOS/);
  const unknown = await fx.request("/nope");
  assert.equal(unknown.status, 404);
  assert.match((await json(unknown)).error.message, /No route GET \/nope/);
});
