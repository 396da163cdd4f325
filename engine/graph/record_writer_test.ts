import assert from "node:assert/strict";
import { testGraph } from "./_test_graph.ts";
import { MAX_RECORD_DEPTH } from "./record_writer.ts";

Deno.test("RecordWriter.write() upserts by identity_any and merges values, keeping absent keys", async () => {
  await using g = await testGraph();
  const first = g.store.write(
    "user",
    (tx) =>
      g.writer.write(tx, "webpage", {
        url: "https://example.com/a",
        name: "A",
        text: "first",
      }),
  ).value;
  const second = g.store.write(
    "user",
    (tx) =>
      g.writer.write(tx, "webpage", {
        url: "https://example.com/a",
        name: "A, renamed",
      }),
  ).value;
  assert.equal(second.id, first.id);
  assert.equal(second.created, false);
  assert.equal(second.nodesUpdated, 1);
  assert.deepEqual(g.store.nodeValues(first.id!).values, {
    url: "https://example.com/a",
    name: "A, renamed",
    text: "first",
  });
});

Deno.test("RecordWriter.write() matches identity through a relation (account is [at, identifier])", async () => {
  await using g = await testGraph();
  const write = (
    identifier: string,
    site: string,
    extra: Record<string, unknown> = {},
  ) =>
    g.store.write(
      "user",
      (tx) =>
        g.writer.write(tx, "account", {
          identifier,
          at: { url: site, name: site },
          ...extra,
        }),
    ).value;
  const a = write("ada", "https://social.example");
  const again = write("ada", "https://social.example", { displayName: "Ada" });
  const elsewhere = write("ada", "https://other.example");
  const bob = write("bob", "https://social.example");
  assert.equal(again.id, a.id);
  assert.notEqual(elsewhere.id, a.id);
  assert.notEqual(
    bob.id,
    a.id,
    "another identifier on one site is another account",
  );
  assert.equal(bob.created, true);
  assert.equal(g.store.getNode(a.id!)!.values.identifier, "ada");
  assert.equal(g.store.getNode(bob.id!)!.values.identifier, "bob");
  const node = g.store.getNode(a.id!)!;
  assert.equal(node.values.displayName, "Ada");
  assert.equal(node.edges_out.filter((e) => e.label === "at").length, 1);
  const sites = g.store.db.prepare(
    "SELECT count(*) AS n FROM node_shapes WHERE shape = 'website'",
  ).get() as {
    n: number;
  };
  assert.equal(
    sites.n,
    2,
    "the website child was deduplicated by its own identity",
  );
});

Deno.test("RecordWriter.write() turns relation objects into linked children and drops children without identity", async () => {
  await using g = await testGraph();
  const result = g.store.write("user", (tx) =>
    g.writer.write(tx, "post", {
      url: "https://blog.example/p/1",
      name: "Hello",
      author: {
        identifier: "joe",
        handle: "joe",
        at: { url: "https://blog.example" },
      },
      tagged_with: [{ name: "intro" }, { name: "news" }, { color: "red" }],
    })).value;
  assert.equal(result.nodesCreated, 5); // post, account, website, two tags
  assert.ok(
    result.warnings.some((w) => /tagged_with\[2\].*identity.*dropped/.test(w)),
    result.warnings.join(),
  );
  const post = g.store.getNode(result.id!)!;
  assert.deepEqual(post.edges_out.map((e) => e.label).sort(), [
    "author",
    "tagged_with",
    "tagged_with",
  ]);
});

Deno.test("RecordWriter.write() drops a relation child whose shape has no identity, with a warning", async () => {
  await using g = await testGraph();
  assert.deepEqual(g.shapes.get("activity")!.identity, []);
  assert.deepEqual(g.shapes.get("activity")!.identityAny, []);
  const result = g.store.write("user", (tx) =>
    g.writer.write(tx, "post", {
      url: "https://blog.example/p/2",
      tagged_with: [{ shape: "activity", action: "run", actor: "skill:x" }],
    })).value;
  assert.equal(result.nodesCreated, 1, "only the post");
  assert.deepEqual(result.warnings, [
    "tagged_with[0]: activity has none of its identity fields; dropped",
  ]);
  const activities = g.store.db.prepare(
    "SELECT count(*) AS n FROM node_shapes WHERE shape = 'activity'",
  ).get() as { n: number };
  assert.equal(activities.n, 0);
  assert.deepEqual(g.store.getNode(result.id!)!.edges_out, []);
});

Deno.test("RecordWriter.write() finds a record again only by its whole identity, among live nodes of its shape family", async () => {
  await using g = await testGraph();
  const write = (shape: string, record: Record<string, unknown>) =>
    g.store.write("user", (tx) => g.writer.write(tx, shape, record)).value;
  // account's identity is [at, identifier]: both, not either.
  const site = { url: "https://social.example" };
  const ada = write("account", { identifier: "ada", at: site });
  const other = write("account", {
    identifier: "ada",
    at: { url: "https://other.example" },
  });
  assert.notEqual(other.id, ada.id);
  const post = write("post", {
    url: "https://social.example/p/1",
    author: { identifier: "ada" },
  });
  assert.ok(
    post.warnings.includes(
      "author: account has none of its identity fields; dropped",
    ),
    post.warnings.join("; "),
  );
  assert.deepEqual(g.store.getNode(post.id!)!.edges_out, []);
  // The same url in another shape family is another record.
  const page = write("webpage", { url: "https://x.example/1" });
  const task = write("task", { url: "https://x.example/1", name: "t" });
  assert.notEqual(task.id, page.id);
  assert.deepEqual(g.store.nodeShapes(task.id!), ["task"]);
  // A deleted node is not found again: the record is created anew.
  g.store.write("user", (tx) => tx.delete("node", page.id!));
  const again = write("webpage", { url: "https://x.example/1" });
  assert.equal(again.created, true);
  assert.notEqual(again.id, page.id);
});

Deno.test("RecordWriter.write() records inherited shapes and shares a node between a shape and its parent", async () => {
  await using g = await testGraph();
  const page = g.store.write(
    "user",
    (tx) => g.writer.write(tx, "webpage", { url: "https://x.example/" }),
  ).value;
  const bookmark = g.store.write(
    "user",
    (tx) =>
      g.writer.write(tx, "bookmark", {
        url: "https://x.example/",
        name: "X",
      }),
  ).value;
  assert.equal(bookmark.id, page.id);
  assert.deepEqual(g.store.nodeShapes(page.id!), ["bookmark", "webpage"]);
  const email = g.store.write(
    "user",
    (tx) => g.writer.write(tx, "email", { messageId: "<1@x>" }),
  ).value;
  assert.ok(g.store.nodeShapes(email.id!).includes("message"));
});

Deno.test("RecordWriter.write() links every written node to its provenance with imported_from", async () => {
  await using g = await testGraph();
  const skill = g.store.write(
    "system",
    (tx) => g.writer.write(tx, "skill", { id: "feeds", name: "Feeds" }),
  ).value;
  const result = g.store.write(
    "skill:feeds",
    (tx) =>
      g.writer.write(tx, "post", {
        url: "https://b.example/1",
        author: { identifier: "a", at: { url: "https://b.example" } },
      }, {
        provenance: skill.id,
      }),
  ).value;
  const imported = g.store.db.prepare(
    "SELECT count(*) AS n FROM edges WHERE label = 'imported_from' AND to_id = ?",
  ).get(skill.id!) as { n: number };
  assert.equal(imported.n, result.nodesCreated);
});

Deno.test("RecordWriter.write() keeps hostile text verbatim, drops oversized values and over-deep nesting with warnings", async () => {
  await using g = await testGraph();
  // NUL inside the text: SQLite would cut the text there if it got through.
  const hostile = `Robert'); DROP\u0000 TABLE nodes;-- "quoted" \\ %_ \u0000`;
  let deep: Record<string, unknown> = { url: "https://deep.example/leaf" };
  for (let i = 0; i < 10_000; i++) {
    deep = { url: `https://deep.example/${i}`, replied_to: deep };
  }
  const result = g.store.write(
    "user",
    (tx) =>
      g.writer.write(tx, "post", {
        ...deep,
        name: hostile,
        text: "x".repeat(10 * 1024 * 1024),
        "bad\nkey": "dropped",
        "": "dropped",
        ["k".repeat(129)]: "dropped",
      }),
  ).value;
  const keys = Object.keys(g.store.nodeValues(result.id!).values);
  assert.deepEqual(keys.filter((k) => !["url", "name"].includes(k)), []);
  assert.ok(
    result.warnings.includes(
      '"bad\\nkey": invalid key (1 to 128 printable characters); dropped',
    ),
    result.warnings.join("\n"),
  );
  assert.equal(
    result.warnings.filter((w) => /invalid key/.test(w)).length,
    3,
  );
  assert.equal(
    g.store.nodeValues(result.id!).values.name,
    hostile.replaceAll("\u0000", ""),
  );
  assert.ok(result.warnings.includes("name: NUL characters removed"));
  assert.equal(g.store.nodeValues(result.id!).values.text, undefined);
  assert.ok(
    result.warnings.some((w) =>
      /text: value of 10485760 characters exceeds/.test(w)
    ),
  );
  assert.ok(
    result.warnings.some((w) =>
      new RegExp(`deeper than ${MAX_RECORD_DEPTH}`).test(w)
    ),
  );
  assert.equal(result.nodesCreated, MAX_RECORD_DEPTH + 1);
});

Deno.test("GraphStore.write() is all or nothing: a failure leaves no half-written record or change", async () => {
  await using g = await testGraph();
  // Rows as SQLite holds them, not the store's cached counts: a missing
  // ROLLBACK leaves the rows in the open transaction, visible here.
  const rows = () =>
    Object.fromEntries(
      ["nodes", "node_values", "node_shapes", "edges", "changes"].map((
        table,
      ) => [
        table,
        (g.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as {
          n: number;
        }).n,
      ]),
    );
  g.store.write("user", (tx) => g.writer.write(tx, "task", { name: "kept" }));
  const before = rows();
  assert.throws(
    () =>
      g.store.write("user", (tx) => {
        g.writer.write(tx, "person", {
          name: "half",
          email: "half@example.com",
        });
        g.writer.write(tx, "task", { name: "half", priority: 3 });
        throw new Error("crash mid-write");
      }),
    /crash mid-write/,
  );
  assert.equal(g.store.db.isTransaction, false, "no transaction left open");
  assert.deepEqual(rows(), before);
  // The store goes on: the next write commits on its own.
  g.store.write("user", (tx) => g.writer.write(tx, "task", { name: "after" }));
  assert.equal(rows().nodes, before.nodes! + 1);
  assert.equal(g.store.db.isTransaction, false);
});

Deno.test("Coercion warnings reach the write's result and the value is kept as text", async () => {
  await using g = await testGraph();
  const result = g.store.write(
    "user",
    (tx) =>
      g.writer.write(tx, "task", {
        name: "t",
        priority: "urgent",
        done: "yes",
        dueAt: "1700000000",
      }),
  ).value;
  assert.equal(result.warnings.length, 1);
  assert.match(
    result.warnings[0]!,
    /priority: Cannot coerce "urgent" to integer/,
  );
  const { values, types } = g.store.nodeValues(result.id!);
  assert.deepEqual(values, {
    name: "t",
    priority: "urgent",
    done: true,
    dueAt: "2023-11-14T22:13:20.000Z",
  });
  assert.equal(types.priority, "text");
  assert.equal(types.done, "boolean");
});

Deno.test("RecordWriter.write() follows a camelCase key to the snake_case relation of the same words", async () => {
  await using g = await testGraph();
  const write = () =>
    g.store.write("skill:air", (tx) =>
      g.writer.write(tx, "flight", {
        flightNumber: "XY 12",
        departureTime: "2026-03-01T08:00:00Z",
        departsFrom: { shape: "airport", iataCode: "AUS", name: "Austin" },
        arrivesAt: { iataCode: "SFO" },
      })).value;
  const first = write();
  const again = write();
  assert.equal(again.id, first.id);
  assert.equal(first.nodesCreated, 3);
  const node = g.store.getNode(first.id!)!;
  const labels = node.edges_out.map((e) => e.label).sort();
  assert.deepEqual(labels, ["arrives_at", "departs_from"]);
  assert.equal(node.values.departsFrom, undefined);
  const airports = g.store.db.prepare(
    "SELECT count(*) AS n FROM node_shapes WHERE shape = 'airport'",
  ).get() as { n: number };
  assert.equal(airports.n, 2);
});

/** A skill node to import from, and a writer of records as that skill. */
function importer(g: Awaited<ReturnType<typeof testGraph>>, skill: string) {
  const node = g.store.write("system", (tx) => {
    const id = tx.createNode();
    tx.addShape(id, "skill");
    return id;
  }).value;
  return {
    node,
    write: (shape: string, record: Record<string, unknown>) =>
      g.store.write(
        `skill:${skill}`,
        (tx) => g.writer.write(tx, shape, record, { provenance: node }),
      ),
  };
}

Deno.test("RecordWriter.write() finds a record with no identity again by its remote id on the provenance edge", async () => {
  await using g = await testGraph();
  const notes = importer(g, "notes");
  const task = { id: 42, name: "Water plants", done: false };
  const first = notes.write("task", task);
  const mark = g.store.lastChangeId();
  const second = notes.write("task", task);
  assert.equal(second.value.id, first.value.id);
  assert.equal(second.value.created, false);
  assert.equal(second.value.nodesUpdated, 0);
  assert.deepEqual(
    g.store.changesSince(mark),
    [],
    "an unchanged re-import records no change",
  );
  const edge = g.store.getNode(first.value.id!)!.edges_out.find((e) =>
    e.label === "imported_from"
  )!;
  assert.equal(edge.to, notes.node);
  const third = notes.write("task", { ...task, done: true });
  assert.equal(third.value.id, first.value.id);
  assert.equal(g.store.getNode(first.value.id!)!.values.done, true);
  const count = g.store.db.prepare(
    "SELECT count(*) AS n FROM node_shapes WHERE shape = 'task'",
  ).get() as { n: number };
  assert.equal(count.n, 1);
});

Deno.test("RecordWriter.write() keeps the remote ids of two skills and of two shapes apart", async () => {
  await using g = await testGraph();
  const a = importer(g, "a");
  const b = importer(g, "b");
  const fromA = a.write("task", { id: "7", name: "From a" }).value.id;
  const fromB = b.write("task", { id: "7", name: "From b" }).value.id;
  const project = a.write("project", { id: "7", name: "Also 7" }).value.id;
  assert.notEqual(fromA, fromB);
  assert.notEqual(project, fromA);
  assert.equal(a.write("task", { id: 7 }).value.id, fromA, '7 and "7" meet');
});

Deno.test("RecordWriter.write() lets an identity hit win over provenance, and two skills importing one thing share its node", async () => {
  await using g = await testGraph();
  const a = importer(g, "reader-a");
  const b = importer(g, "reader-b");
  const url = "https://example.com/post/1";
  const viaA = a.write("post", { id: "a-1", url, name: "Hello" }).value.id!;
  const viaB = b.write("post", { id: "b-9", url, likes: 3 }).value.id!;
  assert.equal(viaB, viaA);
  const node = g.store.getNode(viaA)!;
  assert.deepEqual(
    node.edges_out.filter((e) => e.label === "imported_from").map((e) => e.to)
      .sort(),
    [a.node, b.node].sort(),
  );
  assert.equal(node.values.likes, 3);
  assert.equal(node.values.name, "Hello");
});

Deno.test("RecordWriter.write() keeps two records of one source apart when they share an identity value but not their id", async () => {
  await using g = await testGraph();
  const launches = importer(g, "launches");
  // A source that falls back to one URL for records without their own.
  const url = "https://launches.example/";
  const first = launches.write("post", { id: "l-1", url, name: "One" }).value;
  const second = launches.write("post", { id: "l-2", url, name: "Two" }).value;
  assert.notEqual(second.id, first.id);
  assert.equal(second.created, true);
  assert.equal(g.store.getNode(first.id!)!.values.name, "One");
  // Each comes back to its own node on a re-import.
  assert.equal(launches.write("post", { id: "l-1", url }).value.id, first.id);
  assert.equal(launches.write("post", { id: "l-2", url }).value.id, second.id);
});

Deno.test("RecordWriter.write() re-imports nested relation children onto the same nodes", async () => {
  await using g = await testGraph();
  const rides = importer(g, "rides");
  const trip = {
    id: "t-1",
    name: "Home to work",
    at: { shape: "product", url: "https://rides.example", name: "Rides" },
    origin: { address: "1 Home St" },
    destination: { address: "9 Work Ave" },
    legs: [
      { id: "t-1-leg-1", sequence: 1, origin: { address: "1 Home St" } },
      { id: "t-1-leg-2", sequence: 2, destination: { address: "9 Work Ave" } },
    ],
  };
  const first = rides.write("trip", trip).value;
  assert.equal(first.nodesCreated, 6);
  const mark = g.store.lastChangeId();
  const again = rides.write("trip", trip).value;
  assert.equal(again.id, first.id);
  assert.equal(again.nodesCreated, 0);
  assert.equal(again.nodesUpdated, 0);
  assert.deepEqual(g.store.changesSince(mark), []);
  const legs = g.store.getNode(first.id!)!.edges_out.filter((e) =>
    e.label === "legs"
  );
  assert.equal(legs.length, 2);
});
