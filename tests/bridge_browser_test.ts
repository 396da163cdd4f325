import assert from "node:assert/strict";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { seedGraph, startBridgeProcess } from "./bridge_fixture.ts";
import { Browser } from "./_browser.ts";

Deno.test("the graph explorer in headless Chromium searches, opens a record, follows an edge and shows a live change", async () => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const seed = await seedGraph(client);
  const { id: launch } = await client.call<{ id: string }>("graph.create", {
    shape: "task",
    values: {
      name: "Plan the launch",
      status: "todo",
      dueAt: "2026-12-24T09:00:00Z",
      priority: 1,
    },
  });
  await using bridge = await startBridgeProcess(engine.paths.home);
  await using browser = await Browser.launch();
  // Without the one-time link the page has no token and reads nothing.
  await browser.open(`${bridge.base}/`);
  assert.match(
    await browser.waitFor("#main p.error"),
    /the link that `agentos bridge open` prints/,
  );
  // `bridge open` checks that a bridge listens on the configured port.
  const opened = await runAgentos(
    engine.paths.home,
    ["bridge", "open"],
    undefined,
    { AGENTOS_BRIDGE_PORT: new URL(bridge.base).port },
  );
  assert.equal(opened.code, 0, opened.stderr);
  const code = /\?open=(\S+)$/.exec(opened.stdout.trim())?.[1];
  assert.ok(code, opened.stdout);
  await browser.open(`${bridge.base}/?open=${code}`);

  // The activity panel shows recent history on open, before any live event.
  assert.match(
    await browser.waitFor(`#activity li.recent[data-target="${seed.ada}"]`),
    /updated\s*Ada Lovelace/,
  );

  // A shape's page: its fields and relations, then its records titled and
  // described by the shape's display fields (subtitle status, date dueAt).
  await browser.evaluate(`location.hash = "#/shape/task"`);
  assert.match(
    await browser.waitFor('#shape-fields tr[data-key="dueAt"]'),
    /dueAt\s*datetime/,
  );
  assert.match(
    await browser.waitFor('#shape-fields tr[data-relation="assigned_to"]'),
    /assigned_to →\s*person/,
  );
  assert.equal(
    await browser.waitFor(`#results li[data-id="${launch}"] .muted`),
    "todo · 2026-12-24 09:00:00 UTC",
  );
  await browser.click(`#results li[data-id="${launch}"] a`);
  assert.match(
    await browser.waitFor('#values tr[data-key="dueAt"]'),
    /2026-12-24 09:00:00 UTC\s*datetime/,
  );
  await browser.evaluate(`location.hash = ""`);

  // Shapes with counts.
  assert.match(
    await browser.waitFor('#shapes li[data-shape="task"]'),
    /tasks\s*2/,
  );
  await browser.waitFor('#live[data-state="live"]');

  // Search, then open the record found.
  await browser.evaluate(`(() => {
    document.getElementById("q").value = "Lovelace";
    document.getElementById("search").requestSubmit();
  })()`);
  await browser.click(`#results li[data-id="${seed.ada}"] a`);
  assert.equal(
    await browser.waitFor(`#record[data-id="${seed.ada}"] h1`),
    "Ada Lovelace",
  );
  assert.match(
    await browser.waitFor('#values tr[data-key="email"]'),
    /ada@example\.com/,
  );
  assert.match(await browser.waitFor("#provenance"), /created by\s*user/);
  assert.match(await browser.waitFor("#history"), /create/);

  // The edge, seen from its target, leads back to the task.
  const edge = '#edges tr.edge[data-label="assigned_to"][data-direction="in"]';
  assert.match(await browser.waitFor(edge), /Write the bridge/);
  await browser.click(`${edge} a[data-id="${seed.task}"]`);
  assert.equal(
    await browser.waitFor(`#record[data-id="${seed.task}"] h1`),
    "Write the bridge",
  );
  assert.match(
    await browser.waitFor('#edges tr.edge[data-direction="out"]'),
    /Ada Lovelace/,
  );

  // A write through the CLI arrives in the live activity stream.
  const written = await runAgentos(engine.paths.home, [
    "call",
    "graph.update",
    JSON.stringify({ id: seed.task, values: { status: "done" } }),
  ]);
  assert.equal(written.code, 0, written.stderr);
  assert.match(
    await browser.waitFor(
      `#activity li[data-target="${seed.task}"]:not(.recent)`,
    ),
    /user set .* status/,
  );

  // The page dropped the spent code from its address, and it works no more.
  assert.equal(await browser.evaluate("location.search"), "");
  const replay = await fetch(`${bridge.base}/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code }),
  });
  assert.equal(replay.status, 401);
  assert.match(
    (await replay.json()).error.message,
    /the code was already used/,
  );
});
