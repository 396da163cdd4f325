import assert from "node:assert/strict";
import { RpcError } from "../engine/errors.ts";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { RawSocket } from "./_raw_socket.ts";
import { waitFor } from "./_wait.ts";

async function rejectsWith(
  promise: Promise<unknown>,
  code: number,
  pattern?: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof RpcError, String(error));
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("graph methods over the socket: create, get, update, link, history, delete and restore", async () => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const task = await client.call<{ id: string; warnings: string[] }>(
    "graph.create",
    {
      shape: "task",
      values: { name: "Ship it", priority: "2" },
      actor: "agent:claude",
    },
  );
  const project = await client.call<{ id: string }>("graph.create", {
    shape: "project",
    values: { name: "Launch" },
  });
  const edge = await client.call<{ id: string; created: boolean }>(
    "graph.link",
    {
      from: task.id,
      label: "part_of",
      to: project.id,
    },
  );
  assert.equal(edge.created, true);
  assert.equal(
    (await client.call<{ id: string; created: boolean }>("graph.link", {
      from: task.id,
      label: "part_of",
      to: project.id,
    })).id,
    edge.id,
    "linking again updates the one live edge",
  );
  await client.call("graph.update", {
    id: task.id,
    values: { done: "yes", priority: null },
  });
  const node = await client.call<
    Record<string, Record<string, unknown> & unknown[]>
  >("graph.get", { id: task.id });
  assert.deepEqual(node.values, { name: "Ship it", done: true });
  assert.equal(
    (node.edges_out as unknown as { label: string }[])[0]!.label,
    "part_of",
  );
  const inbound = await client.call<{ edges_in: { from: string }[] }>(
    "graph.get",
    { id: project.id },
  );
  assert.equal(inbound.edges_in[0]!.from, task.id);

  const history = await client.call<
    {
      changes: {
        actor: string;
        op: string;
        key: string | null;
        old: unknown;
      }[];
    }
  >(
    "graph.history",
    { id: task.id },
  );
  assert.equal(history.changes[0]!.actor, "agent:claude");
  assert.ok(
    history.changes.some((c) =>
      c.op === "unset" && c.key === "priority" && c.old === 2
    ),
  );
  assert.ok(
    history.changes.some((c) => c.op === "link" && c.key === "part_of"),
  );

  await client.call("graph.delete", { id: task.id });
  const listed = await client.call<{ items: unknown[] }>("graph.list", {
    shape: "task",
  });
  assert.equal(listed.items.length, 0);
  await rejectsWith(
    client.call("graph.update", { id: task.id, values: { a: 1 } }),
    -32004,
    /restore it first/,
  );
  await client.call("graph.restore", { id: task.id });
  assert.equal(
    (await client.call<{ items: unknown[] }>("graph.list", { shape: "task" }))
      .items.length,
    1,
  );
  await client.call("graph.unlink", {
    from: task.id,
    label: "part_of",
    to: project.id,
  });
  assert.equal(
    (await client.call<{ edges_out: unknown[] }>("graph.get", { id: task.id }))
      .edges_out.length,
    0,
  );
});

Deno.test("graph methods refuse bad input clearly and write nothing", async () => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const before =
    (await client.call<{ counts: Record<string, number> }>("engine.status"))
      .counts;
  await rejectsWith(
    client.call("graph.create", { shape: "unicorn", values: {} }),
    -32602,
    /Unknown shape "unicorn"/,
  );
  await rejectsWith(
    client.call("graph.create", { shape: "task", values: [1] }),
    -32602,
    /"values" must be an object/,
  );
  await rejectsWith(client.call("graph.get", { id: "missing" }), -32003);
  await rejectsWith(client.call("graph.get", {}), -32602);
  const a = await client.call<{ id: string }>("graph.create", {
    shape: "note",
    values: { name: "a" },
  });
  await rejectsWith(
    client.call("graph.link", { from: a.id, label: "mentions", to: "nope" }),
    -32003,
    /No node "nope"/,
  );
  await rejectsWith(
    client.call("graph.link", { from: a.id, label: "Bad Label", to: a.id }),
    -32602,
    /snake_case/,
  );
  await rejectsWith(
    client.call("graph.create", {
      shape: "task",
      values: {},
      actor: "skill:evil",
    }),
    -32602,
    /actor/,
  );
  await rejectsWith(client.call("graph.list", { where: "x" }), -32602);
  const after =
    (await client.call<{ counts: Record<string, number> }>("engine.status"))
      .counts;
  assert.equal(after.nodes, before.nodes! + 1);

  // A 10 MB value is dropped with a warning; a 10,000-deep record does not crash anything.
  const big = await client.call<{ warnings: string[] }>("graph.create", {
    shape: "note",
    values: { name: "big", text: "x".repeat(10 * 1024 * 1024) },
  });
  assert.ok(big.warnings.some((w) => /exceeds the limit/.test(w)));
  // Built as text: JSON.stringify itself cannot nest this deep.
  const deep = '{"url":"https://d.example/0","replied_to":'.repeat(10_000) +
    '{"url":"https://d.example/leaf"}' +
    "}".repeat(10_000);
  await using raw = await RawSocket.connect(engine.paths.socket);
  await raw.write(
    `{"jsonrpc":"2.0","id":1,"method":"graph.create","params":{"shape":"post","values":${deep}}}\n`,
  );
  const nested = await raw.readJson() as {
    result?: { warnings: string[] };
    error?: { code: number };
  };
  assert.ok(
    nested.result?.warnings.some((w) => /deeper than/.test(w)) ||
      nested.error?.code === -32700,
    JSON.stringify(nested).slice(0, 300),
  );
  const sql = `x'); DELETE FROM nodes; --`;
  const hostile = await client.call<{ id: string }>("graph.create", {
    shape: "task",
    values: { [sql]: sql, name: `"${sql}"` },
  });
  const stored = await client.call<{ values: Record<string, unknown> }>(
    "graph.get",
    { id: hostile.id },
  );
  assert.equal(stored.values[sql], sql);
  assert.deepEqual(
    await client.call("engine.ping"),
    { pong: true, echo: null },
    "the engine is still up",
  );
});

Deno.test("observer.subscribe delivers every change in commit order and resumes from a change id", async () => {
  await using engine = await EngineProcess.start();
  const events: { id: number; op: string }[] = [];
  const watcher = await engine.client({
    onNotification: (method, params) => {
      if (method === "observer.event") {
        events.push(params as { id: number; op: string });
      }
    },
  });
  const { after } = await watcher.call<{ after: number }>("observer.subscribe");
  const writers = await Promise.all([
    engine.client(),
    engine.client(),
    engine.client(),
  ]);
  await Promise.all(
    writers.map((w, i) =>
      Promise.all(Array.from({ length: 10 }, (_, j) =>
        w.call("graph.create", {
          shape: "note",
          values: { name: `n${i}-${j}` },
        })))
    ),
  );
  const last =
    (await watcher.call<{ counts: { changes: number } }>("engine.status"))
      .counts.changes;
  await waitFor(
    `${last - after} change events`,
    () => events.length >= last - after,
  );
  const ids = events.map((e) => e.id);
  assert.deepEqual(
    ids,
    Array.from({ length: last - after }, (_, i) => after + 1 + i),
    "in order, no gaps",
  );

  const resumed: number[] = [];
  const late = await engine.client({
    onNotification: (_, params) => resumed.push((params as { id: number }).id),
  });
  await late.call("observer.subscribe", { since: last - 5 });
  await waitFor("the 5 replayed change events", () => resumed.length >= 5);
  assert.deepEqual(resumed, [last - 4, last - 3, last - 2, last - 1, last]);
});

Deno.test("a broken or cyclic shape file is reported with file and line while the other shapes load", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-test-" });
  await Deno.mkdir(`${home}/shapes`);
  await Deno.writeTextFile(
    `${home}/shapes/gadget.yaml`,
    "gadget:\n  fields:\n    name: strin\n",
  );
  await Deno.writeTextFile(`${home}/shapes/ying.yaml`, "ying:\n  also: yang\n");
  await Deno.writeTextFile(`${home}/shapes/yang.yaml`, "yang:\n  also: ying\n");
  await using engine = await EngineProcess.start({ home });
  const client = await engine.client();
  const status = await client.call<
    {
      shapes: {
        loaded: number;
        problems: { file: string; line: number; reason: string }[];
      };
    }
  >(
    "engine.status",
  );
  const problems = status.shapes.problems;
  const gadget = problems.find((p) => p.file.endsWith("gadget.yaml"))!;
  assert.equal(gadget.line, 3);
  assert.match(gadget.reason, /strin/);
  assert.ok(
    problems.some((p) =>
      p.file.endsWith("ying.yaml") && /cycle/i.test(p.reason)
    ),
  );
  assert.ok(status.shapes.loaded >= 25);
  assert.match(
    await Deno.readTextFile(engine.paths.engineLog),
    /Shape not loaded.*gadget\.yaml/,
  );
  await Deno.remove(home, { recursive: true });
});

Deno.test("agentos graph and shapes commands print tables and --json", async () => {
  await using engine = await EngineProcess.start();
  const home = engine.paths.home;
  const created = await runAgentos(home, [
    "graph",
    "create",
    "task",
    '{"name":"From CLI","priority":"1"}',
    "--json",
  ]);
  assert.equal(created.code, 0, created.stderr);
  const { id } = JSON.parse(created.stdout);
  const list = await runAgentos(home, [
    "graph",
    "list",
    "task",
    "--where",
    "priority=1",
  ]);
  assert.match(list.stdout, new RegExp(`${id}\\s+task\\s+From CLI`));
  const none = await runAgentos(home, [
    "graph",
    "list",
    "task",
    "--where",
    "priority>1",
    "--json",
  ]);
  assert.deepEqual(JSON.parse(none.stdout).items, []);
  const get = await runAgentos(home, ["graph", "get", id]);
  assert.match(get.stdout, /priority\s+1/);
  const history = await runAgentos(home, ["graph", "history", id]);
  assert.match(history.stdout, /create/);
  const shapes = await runAgentos(home, ["shapes", "list"]);
  assert.match(shapes.stdout, /^task\s+1\s/m);
  const shape = await runAgentos(home, ["shapes", "get", "account", "--json"]);
  assert.deepEqual(JSON.parse(shape.stdout).identity, ["at", "identifier"]);
  const bad = await runAgentos(home, ["graph", "create", "task", "{nope"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Not valid JSON/);
  const missing = await runAgentos(home, ["graph", "get", "nope"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No node "nope"/);
});
