import assert from "node:assert/strict";
import { testGraph } from "./_test_graph.ts";
import { explainChanges } from "./explain_changes.ts";

/** Writes records as a skill, with provenance to its node. */
function skillWriter(g: Awaited<ReturnType<typeof testGraph>>, skill: string) {
  const node = g.store.write("system", (tx) => tx.createNode()).value;
  return (shape: string, record: Record<string, unknown>) =>
    g.store.write(
      `skill:${skill}`,
      (tx) => g.writer.write(tx, shape, record, { provenance: node }),
    ).value;
}

Deno.test("RecordWriter.write() keeps a value the owner wrote when a skill imports the same key, and logs both", async () => {
  await using g = await testGraph();
  const notes = skillWriter(g, "notes");
  const id = notes("task", { id: "t1", name: "Call the plumber", done: false })
    .id!;
  // The owner renames it through graph.update, as the CLI does.
  g.store.write(
    "user",
    (tx) =>
      tx.setValue(id, "name", { type: "string", value: "Call Sam (plumber)" }),
  );
  const again = notes("task", {
    id: "t1",
    name: "Call the plumber",
    done: true,
  });
  assert.equal(again.id, id);
  const values = g.store.getNode(id)!.values;
  assert.equal(values.name, "Call Sam (plumber)", "the owner's name stays");
  assert.equal(values.done, true, "keys the owner never wrote still update");
  const history = explainChanges(g.store.history(id));
  const kept = history.filter((c) => c.op === "keep");
  assert.equal(kept.length, 1);
  assert.equal(kept[0]!.actor, "skill:notes");
  assert.equal(kept[0]!.old, "Call Sam (plumber)");
  assert.equal(kept[0]!.new, "Call the plumber");
  assert.match(
    kept[0]!.explanation!,
    /which user wrote; skill:notes proposed "Call the plumber"/,
  );
  const mark = g.store.lastChangeId();
  notes("task", { id: "t1", name: "Call the plumber", done: true });
  assert.deepEqual(
    g.store.changesSince(mark),
    [],
    "proposing it again logs nothing new",
  );
});

Deno.test("RecordWriter.write() keeps a value the owner removed unset", async () => {
  await using g = await testGraph();
  const notes = skillWriter(g, "notes");
  const id = notes("task", { id: "t2", name: "Draft", labels: ["x"] }).id!;
  g.store.write("agent:claude", (tx) => tx.unsetValue(id, "labels"));
  notes("task", { id: "t2", name: "Draft", labels: ["x"] });
  assert.equal(g.store.getNode(id)!.values.labels, undefined);
});

Deno.test("RecordWriter.write() lets a skill replace an owner's value for a key the shape lists as authoritative", async () => {
  await using g = await testGraph();
  const shop = skillWriter(g, "shop");
  const order = {
    orderId: "A-1",
    status: "placed",
    at: { url: "https://shop.example" },
  };
  const id = shop("order", order).id!;
  g.store.write("user", (tx) => {
    tx.setValue(id, "status", { type: "string", value: "cancelled" });
    tx.setValue(id, "total", { type: "number", value: 10 });
  });
  shop("order", { ...order, status: "shipped", total: 12 });
  const values = g.store.getNode(id)!.values;
  assert.equal(values.status, "shipped", "the seller is the truth for status");
  assert.equal(
    values.total,
    10,
    "total is not authoritative: the owner's stays",
  );
  const explained = explainChanges(g.store.history(id)).filter((c) =>
    c.explanation
  );
  assert.deepEqual(explained.map((c) => [c.op, c.key]), [
    ["set", "status"],
    ["keep", "total"],
  ]);
  assert.match(
    explained[0]!.explanation!,
    /Replaced the value user wrote: the shape lists "status" as authoritative/,
  );
});

Deno.test("RecordWriter.write() lets one skill update what another skill wrote", async () => {
  await using g = await testGraph();
  const a = skillWriter(g, "a");
  const b = skillWriter(g, "b");
  const url = "https://example.com/p";
  const id = a("webpage", { url, name: "Old" }).id!;
  b("webpage", { url, name: "New" });
  assert.equal(g.store.getNode(id)!.values.name, "New");
});

Deno.test("RecordWriter.write() links a skill's record that matches the owner to the owner's node without merging into it", async () => {
  await using g = await testGraph();
  const owner = g.store.write("user", (tx) =>
    g.writer.write(tx, "person", {
      name: "Ada Owner",
      email: "ada@owner.example",
      isSelf: true,
    })).value.id!;
  const contacts = skillWriter(g, "contacts");
  const contact = contacts("person", {
    email: "ada@owner.example",
    name: "Ada (work)",
    jobTitle: "Contractor",
  });
  assert.equal(contact.id, owner, "the same person");
  const node = g.store.getNode(owner)!;
  assert.equal(node.values.name, "Ada Owner");
  assert.equal(node.values.jobTitle, undefined, "nothing merged in");
  assert.ok(!node.edges_out.some((e) => e.label === "imported_from"));
  const mail = contacts("message", {
    remoteId: "m1",
    at: { url: "https://mail.example" },
    text: "hi",
    sent_by: {
      at: { url: "https://mail.example" },
      identifier: "ada",
      owner: { email: "ada@owner.example", name: "Someone else" },
    },
  });
  assert.ok(mail.id);
  assert.equal(g.store.getNode(owner)!.values.name, "Ada Owner");
});
