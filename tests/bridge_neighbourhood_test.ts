import assert from "node:assert/strict";
import type { RpcClient } from "../engine/rpc/mod.ts";
import { bridgeFixture } from "./bridge_fixture.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function json(response: Response): Promise<Json> {
  return JSON.parse(await response.text());
}

/**
 * Around the seed (task —assigned_to→ Ada): a second task assigned to Ada,
 * `notes` notes that mention Ada, and a deleted note still linked to her.
 */
async function widen(client: RpcClient, ada: string, notes: number) {
  const create = async (shape: string, values: Record<string, unknown>) =>
    (await client.call<{ id: string }>("graph.create", { shape, values })).id;
  const review = await create("task", { name: "Review the bridge" });
  await client.call("graph.link", {
    from: review,
    label: "assigned_to",
    to: ada,
  });
  const noteIds: string[] = [];
  for (let i = 0; i < notes; i++) {
    const note = await create("note", { text: `Note ${i} about Ada` });
    await client.call("graph.link", { from: note, label: "mentions", to: ada });
    noteIds.push(note);
  }
  const gone = await create("note", { text: "A deleted note" });
  await client.call("graph.link", { from: gone, label: "mentions", to: ada });
  await client.call("graph.delete", { id: gone });
  return { review, noteIds, gone };
}

Deno.test("GET /graph/:id/neighbourhood returns 1 or 2 hops with titles, shapes, edges and totals, paged", async () => {
  await using fx = await bridgeFixture();
  const { ada, task, edge } = fx.seed;
  const { review, noteIds, gone } = await widen(fx.client, ada, 12);

  const one = await json(await fx.request(`/graph/${task}/neighbourhood`));
  assert.equal(one.focus, task);
  assert.equal(one.depth, 1);
  assert.deepEqual(
    one.nodes.map((n: Json) => [n.id, n.hop, n.title, n.shapes]),
    [
      [task, 0, "Write the bridge", ["task"]],
      [ada, 1, "Ada Lovelace", ["person"]],
    ],
  );
  assert.deepEqual(one.edges, [{
    id: edge,
    from: task,
    label: "assigned_to",
    to: ada,
  }]);
  assert.equal(one.shapes.person.plural, "people");
  assert.deepEqual(one.total, { nodes: 1, byShape: { person: 1 } });
  assert.equal(one.cursor, null);
  assert.equal("values" in one.nodes[0], false, "titles, not values");

  const two = await json(
    await fx.request(`/graph/${task}/neighbourhood?depth=2`),
  );
  const ids = two.nodes.map((n: Json) => n.id);
  assert.equal(ids[0], task);
  assert.equal(ids[1], ada);
  assert.deepEqual(
    new Set(ids.slice(2)),
    new Set([review, ...noteIds]),
    "the deleted note is left out",
  );
  assert.equal(ids.includes(gone), false);
  assert.deepEqual(two.total.byShape, { person: 1, task: 1, note: 12 });
  assert.equal(
    two.edges.filter((e: Json) => e.label === "mentions").length,
    12,
  );

  // Pages of 5 walk the same nodes once each, focus on the first only.
  const paged: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = cursor
      ? `?depth=2&limit=5&cursor=${encodeURIComponent(cursor)}`
      : "?depth=2&limit=5";
    const page: Json = await json(
      await fx.request(`/graph/${task}/neighbourhood${query}`),
    );
    paged.push(...page.nodes.map((n: Json) => n.id));
    for (const e of page.edges) {
      assert.ok(
        page.nodes.some((n: Json) => n.id === e.from || n.id === e.to),
        "every edge touches a node of its page",
      );
    }
    cursor = page.cursor;
    pages++;
  } while (cursor !== null && pages < 10);
  assert.deepEqual(paged, ids);
  assert.equal(pages, 3);
});

Deno.test("GET /graph/:id/neighbourhood stops a hub's walk at the scan limit and says so", async () => {
  await using fx = await bridgeFixture({ limits: { maxNeighbourhoodScan: 4 } });
  await widen(fx.client, fx.seed.ada, 8);
  const page = await json(
    await fx.request(`/graph/${fx.seed.task}/neighbourhood?depth=2`),
  );
  assert.equal(page.truncated, true);
  assert.equal(page.total.nodes, 4);
  assert.equal(page.nodes.length, 5);
});

Deno.test("GET /graph/:id/neighbourhood refuses hostile parameters with 400, unknown ids with 404, and needs the token", async () => {
  await using fx = await bridgeFixture();
  const { task } = fx.seed;
  const bad: [string, RegExp][] = [
    ["depth=0", /"depth" must be an integer from 1 to 2/],
    ["depth=3", /"depth" must be an integer from 1 to 2/],
    ["depth=-1", /"depth"/],
    ["depth=1e3", /"depth"/],
    ["depth=%201", /"depth"/],
    ["depth=99999999999999999999", /"depth"/],
    ["limit=0", /"limit" must be an integer from 1 to 500/],
    ["limit=501", /"limit"/],
    ["limit=abc", /"limit"/],
    ["cursor=", /"cursor" must be 1 to 80/],
    ["cursor=3:abc", /"cursor" must be the cursor of a previous page/],
    ["cursor=1:x'%20OR%201=1--", /"cursor" must be the cursor/],
    [`cursor=${"1:".padEnd(81, "a")}`, /"cursor" must be 1 to 80/],
    ["hops=2", /Unknown query parameter "hops"/],
    ["depth=1&depth=2&__proto__=1", /Unknown query parameter "__proto__"/],
  ];
  for (const [query, message] of bad) {
    const response = await fx.request(`/graph/${task}/neighbourhood?${query}`);
    assert.equal(response.status, 400, query);
    assert.match((await json(response)).error.message, message, query);
  }
  for (const id of ["..%2F..%2Fetc", "a".repeat(65), "x%00y", "%27%20OR%201"]) {
    const response = await fx.request(`/graph/${id}/neighbourhood`);
    assert.equal(response.status, 400, id);
    assert.match((await json(response)).error.message, /Invalid id/);
  }
  const missing = await fx.request("/graph/nosuchnode/neighbourhood");
  assert.equal(missing.status, 404);
  assert.equal(
    (await fx.anonymous(`/graph/${task}/neighbourhood`)).status,
    401,
  );
  // A cursor past the end is an empty last page, not an error.
  const past = await json(
    await fx.request(`/graph/${task}/neighbourhood?cursor=2:zzzz`),
  );
  assert.deepEqual(past.nodes, []);
  assert.equal(past.cursor, null);
  // The bridge is still up and answers.
  assert.equal((await fx.request(`/graph/${task}/neighbourhood`)).status, 200);
});

Deno.test("the bridge serves d3-force from the pinned npm package, its imports pointed at /lib/, under the page's CSP", async () => {
  await using fx = await bridgeFixture();
  for (const name of ["d3-force", "d3-dispatch", "d3-quadtree", "d3-timer"]) {
    const response = await fx.anonymous(`/lib/${name}.js`);
    assert.equal(response.status, 200, name);
    assert.match(response.headers.get("content-type") ?? "", /javascript/);
    assert.match(
      response.headers.get("content-security-policy") ?? "",
      /default-src 'self'/,
    );
    const text = await response.text();
    for (const match of text.matchAll(/\bfrom\s*(['"])([^'"]+)\1/g)) {
      assert.match(match[2]!, /^\/lib\/d3-[a-z]+\.js$/, `${name}: ${match[0]}`);
    }
  }
  assert.match(
    await (await fx.anonymous("/lib/d3-force.js")).text(),
    /from "\/lib\/d3-quadtree\.js"/,
  );
  assert.equal((await fx.anonymous("/lib/../deno.json")).status, 404);
  assert.equal((await fx.anonymous("/lib/d3-selection.js")).status, 404);
});
