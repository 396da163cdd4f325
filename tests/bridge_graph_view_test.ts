import assert from "node:assert/strict";
import { Browser } from "./_browser.ts";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { seedGraph, startBridgeProcess } from "./bridge_fixture.ts";

/** Where browser tests keep their screenshots (git ignores it). */
const ARTIFACTS = `${REPO_ROOT}/test-artifacts`;

/** A shape of the owner's own whose list names columns with units. */
const HIKE_SHAPE = `hike:
  description: A walk in the hills.
  plural: hikes
  fields:
    distance: number
    ascent: integer
    startedAt: datetime
  display:
    title: name
    columns:
      - { key: distance, unit: km }
      - { key: ascent, unit: m, label: climb }
      - startedAt
      - { key: 7 }
      - "not a key"
      - { key: distance, unit: { nested: true } }
`;

type Drawn = { nodes: string[]; edges: string[] };

/** Reads the picture from the DOM: node ids and `from label to` edges. */
function readPicture(browser: Browser): Promise<Drawn> {
  return browser.evaluate<Drawn>(`(() => ({
    nodes: [...document.querySelectorAll("#graph-picture a.node")]
      .map((a) => a.dataset.id).sort(),
    edges: [...document.querySelectorAll("#graph-picture g.edge")]
      .map((g) => g.dataset.from + " " + g.dataset.label + " " + g.dataset.to)
      .sort(),
  }))()`);
}

/** Clicks the middle of a drawn element with a real mouse event. */
async function mouseClick(browser: Browser, selector: string): Promise<void> {
  await browser.waitFor(selector);
  const { x, y } = await browser.evaluate<{ x: number; y: number }>(`(() => {
    const element = document.querySelector(${JSON.stringify(selector)});
    element.scrollIntoView({ block: "center" });
    const box = element.getBoundingClientRect();
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  })()`);
  for (const type of ["mousePressed", "mouseReleased"]) {
    await browser.send("Input.dispatchMouseEvent", {
      type,
      x,
      y,
      button: "left",
      clickCount: 1,
    });
  }
}

Deno.test("the explorer draws a node's neighbourhood, walks it by click and keyboard, and lists shape columns with units, in headless Chromium", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-test-" });
  await Deno.mkdir(`${home}/shapes`);
  await Deno.writeTextFile(`${home}/shapes/hike.yaml`, HIKE_SHAPE);
  try {
    await using engine = await EngineProcess.start({
      home,
      env: { AGENTOS_SPARE_WORKERS: "0" },
    });
    const client = await engine.client();
    const { ada, task } = await seedGraph(client);
    const create = async (shape: string, values: Record<string, unknown>) =>
      (await client.call<{ id: string }>("graph.create", { shape, values }))
        .id;
    const review = await create("task", { name: "Review the bridge" });
    await client.call("graph.link", {
      from: review,
      label: "assigned_to",
      to: ada,
    });
    const notes: string[] = [];
    for (let i = 0; i < 5; i++) {
      notes.push(await create("note", { text: `Note ${i} about Ada` }));
      await client.call("graph.link", {
        from: notes[i],
        label: "mentions",
        to: ada,
      });
    }
    const hike = await create("hike", {
      name: "<img src=x onerror=alert(1)> Ben Nevis",
      distance: 12.5,
      ascent: 1345,
      startedAt: "2026-06-01T07:30:00Z",
    });

    await using bridge = await startBridgeProcess(engine.paths.home);
    await using browser = await Browser.launch();
    const opened = await runAgentos(
      engine.paths.home,
      ["bridge", "open"],
      undefined,
      { AGENTOS_BRIDGE_PORT: new URL(bridge.base).port },
    );
    assert.equal(opened.code, 0, opened.stderr);
    const code = /\?open=(\S+)$/.exec(opened.stdout.trim())?.[1];
    await browser.open(`${bridge.base}/?open=${code}#/node/${task}`);
    await browser.send("Emulation.setDeviceMetricsOverride", {
      width: 1400,
      height: 1100,
      deviceScaleFactor: 1,
      mobile: false,
    });

    // One hop: the task in the middle and Ada, joined by the assignment.
    await browser.waitFor(`#graph-picture a.node.hop-0[data-id="${task}"]`);
    assert.deepEqual(await readPicture(browser), {
      nodes: [ada, task].sort(),
      edges: [`${task} assigned_to ${ada}`],
    });
    assert.match(
      await browser.waitFor(`#graph-picture a.node[data-id="${ada}"]`),
      /Ada Lovelace/,
    );

    // Two hops, the viewer's choice: Ada's other task and notes too.
    await browser.click('#neighbourhood a.hop-choice[data-hops="2"]');
    await browser.waitFor('#neighbourhood[data-hops="2"]');
    const two = await readPicture(browser);
    assert.deepEqual(two.nodes, [ada, task, review, ...notes].sort());
    assert.deepEqual(
      two.edges,
      [
        `${task} assigned_to ${ada}`,
        `${review} assigned_to ${ada}`,
        ...notes.map((note) => `${note} mentions ${ada}`),
      ].sort(),
    );
    // Coloured by shape, labelled with the display title.
    const colours = await browser.evaluate<Record<string, string>>(`(() =>
      Object.fromEntries([...document.querySelectorAll("#graph-picture a.node")]
        .map((a) => [a.dataset.shape, a.querySelector("circle").getAttribute("fill")])))()`);
    assert.equal(new Set(Object.values(colours)).size, 3, "three shapes");

    // Every drawn node takes keyboard focus, is named, and is listed as text.
    const reachable = await browser.evaluate<
      { focused: number; named: number; listed: number; drawn: number }
    >(`(() => {
      const nodes = [...document.querySelectorAll("#graph-picture a.node")];
      let focused = 0;
      for (const node of nodes) {
        node.focus();
        if (document.activeElement === node) focused++;
      }
      return {
        focused,
        named: nodes.filter((n) => n.getAttribute("aria-label")).length,
        listed: document.querySelectorAll("#graph-list li a[data-id]").length,
        drawn: nodes.length,
      };
    })()`);
    assert.deepEqual(reachable, {
      focused: 8,
      named: 8,
      listed: 8,
      drawn: 8,
    });

    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const shot = await browser.send("Page.captureScreenshot", {
      format: "png",
    });
    const png = Uint8Array.from(
      atob(String(shot.data)),
      (char) => char.charCodeAt(0),
    );
    await Deno.writeFile(`${ARTIFACTS}/explorer-neighbourhood.png`, png);

    // A small picture summarises the rest rather than drawing it.
    await browser.evaluate(`location.hash = "#/node/${task}?hops=2&draw=3"`);
    assert.match(
      await browser.waitFor('#graph-more li[data-shape="note"]'),
      /^\+\d more notes$/,
    );
    assert.equal((await readPicture(browser)).nodes.length, 4);

    // A click on Ada's circle walks to her page and centres the picture on her.
    await browser.evaluate(`location.hash = "#/node/${task}"`);
    // The page still shows the task's two-hop picture until the route has
    // drawn the one-hop one: a click before that lands on a circle that is
    // about to be replaced.
    await browser.waitFor(`#neighbourhood[data-hops="1"]`);
    await browser.waitFor(`#record[data-id="${task}"]`);
    await mouseClick(browser, `#graph-picture a.node[data-id="${ada}"] circle`);
    assert.equal(
      await browser.waitFor(`#record[data-id="${ada}"] h1`),
      "Ada Lovelace",
    );
    await browser.waitFor(`#graph-picture a.node.hop-0[data-id="${ada}"]`);

    // The hike list shows the shape's columns with units; a title is text.
    await browser.evaluate(`location.hash = "#/shape/hike"`);
    const header = await browser.evaluate<string[]>(`new Promise((resolve) => {
      const check = () => {
        const cells = document.querySelectorAll("#results-table thead th");
        if (cells.length > 0) resolve([...cells].map((c) => c.textContent));
        else requestAnimationFrame(check);
      };
      check();
    })`);
    assert.deepEqual(header, [
      "record",
      "distance (km)",
      "climb (m)",
      "startedAt",
      "distance",
    ]);
    assert.equal(
      await browser.waitFor(
        `#results-table tr[data-id="${hike}"] td[data-key="distance"]`,
      ),
      "12.5 km",
    );
    assert.equal(
      await browser.waitFor(
        `#results-table tr[data-id="${hike}"] td[data-key="ascent"]`,
      ),
      "1345 m",
    );
    assert.match(
      await browser.waitFor(`#results-table tr[data-id="${hike}"] th`),
      /<img src=x onerror=alert\(1\)> Ben Nevis/,
    );
    assert.equal(
      await browser.evaluate("document.querySelectorAll('main img').length"),
      0,
    );
  } finally {
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
});
