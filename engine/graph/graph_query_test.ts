import assert from "node:assert/strict";
import { RpcError } from "../errors.ts";
import { testGraph } from "./_test_graph.ts";
import { waitFor } from "../../tests/_wait.ts";
import { listNodes } from "./graph_query.ts";

async function seeded() {
  const g = await testGraph();
  g.store.write("user", (tx) => {
    for (let i = 1; i <= 30; i++) {
      g.writer.write(tx, "task", {
        name: `Task ${i}${i % 10 === 0 ? " quarterly report" : ""}`,
        priority: i % 5,
        done: i % 2 === 0,
        url: `https://tasks.example/${i}`,
      });
    }
    g.writer.write(tx, "email", { messageId: "<m1@x>", name: "An email" });
    g.writer.write(tx, "message", {
      at: { url: "https://chat.example" },
      remoteId: "1",
      name: "A message",
    });
  });
  return g;
}

Deno.test("listNodes() lists a shape with inherited memberships (messages include emails)", async () => {
  await using g = await seeded();
  const page = listNodes(g.store, g.shapes, { shape: "message" });
  assert.deepEqual(page.items.map((i) => i.values.name).sort(), [
    "A message",
    "An email",
  ]);
});

Deno.test("listNodes() applies = != < > <= >= and contains filters, coercing values like stored ones", async () => {
  await using g = await seeded();
  const count = (where: unknown) =>
    listNodes(g.store, g.shapes, {
      shape: "task",
      where: where as never,
      limit: 500,
    }).items.length;
  assert.equal(count({ done: "yes" }), 15);
  assert.equal(count([{ key: "priority", op: "=", value: 0 }]), 6);
  assert.equal(count([{ key: "priority", op: "!=", value: 0 }]), 24);
  assert.equal(count([{ key: "priority", op: ">", value: "2" }]), 12);
  assert.equal(count([{ key: "priority", op: "<=", value: 1 }]), 12);
  assert.equal(count([{ key: "name", op: "contains", value: "report" }]), 3);
  assert.equal(
    count([{ key: "name", op: "contains", value: "%" }]),
    0,
    "LIKE wildcards are escaped",
  );
  assert.equal(
    count([{ key: "priority", op: ">=", value: 4 }, {
      key: "done",
      op: "=",
      value: false,
    }]),
    3,
  );
});

Deno.test("listNodes() searches text with q and sorts by a value", async () => {
  await using g = await seeded();
  const found = listNodes(g.store, g.shapes, { q: "quarterly REP" });
  assert.deepEqual(found.items.map((i) => i.values.name).sort(), [
    "Task 10 quarterly report",
    "Task 20 quarterly report",
    "Task 30 quarterly report",
  ]);
  const sorted = listNodes(g.store, g.shapes, {
    shape: "task",
    sort: "-priority",
    limit: 6,
  });
  assert.ok(sorted.items.every((i) => i.values.priority === 4));
});

Deno.test("listNodes() cursors neither skip nor repeat nodes when others are written between pages", async () => {
  await using g = await seeded();
  for (const sort of [undefined, "name", "-priority"]) {
    const seen: string[] = [];
    let cursor: string | undefined;
    let round = 0;
    do {
      const page = listNodes(g.store, g.shapes, {
        shape: "task",
        limit: 7,
        cursor,
        sort,
      });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.cursor ?? undefined;
      // Concurrent writers: new tasks and edits to tasks not yet listed.
      g.store.write(
        "user",
        (tx) => g.writer.write(tx, "task", { name: `late ${sort} ${round++}` }),
      );
    } while (cursor);
    const original = seen.filter((id) =>
      !String(g.store.nodeValues(id).values.name).startsWith("late")
    );
    assert.equal(new Set(seen).size, seen.length, `no repeats (sort ${sort})`);
    assert.equal(
      original.length,
      30,
      `every original task listed once (sort ${sort})`,
    );
  }
});

Deno.test("listNodes() refuses bad parameters with InvalidParams", async () => {
  await using g = await seeded();
  for (
    const query of [
      { shape: "nope" },
      { limit: 0 },
      { limit: 501 },
      { cursor: "garbage!" },
      { where: [{ key: "x", op: "LIKE", value: 1 }] },
      { where: [{ key: "x", op: "=", value: { a: 1 } }] },
      { q: "  !!! " },
      { sort: "--x" },
    ]
  ) {
    assert.throws(
      () => listNodes(g.store, g.shapes, query as never),
      (e: unknown) => e instanceof RpcError && e.code === -32602,
      JSON.stringify(query),
    );
  }
});

Deno.test("ChangeFeed replays from a change id, then delivers live changes in commit order without gaps", async () => {
  await using g = await seeded();
  const received: number[] = [];
  const since = g.store.lastChangeId() - 3;
  g.feed.subscribe(1, (event) => {
    if (event.kind === "change") received.push(event.id);
    return Promise.resolve();
  }, since);
  g.store.write(
    "user",
    (tx) => g.writer.write(tx, "note", { name: "during replay" }),
  );
  // The replay has caught up once it delivered the write made during it;
  // the next write is then delivered live.
  const caughtUp = g.store.lastChangeId();
  await waitFor(
    `the replay to deliver change ${caughtUp}`,
    () => received.at(-1) === caughtUp,
  );
  g.store.write("user", (tx) => g.writer.write(tx, "note", { name: "live" }));
  const expected = g.store.changesSince(since, 100).map((c) => c.id);
  assert.deepEqual(received, expected);
  g.feed.unsubscribe(1);
});
