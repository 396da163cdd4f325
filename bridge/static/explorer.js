// The graph explorer: browse shapes, list and search records, open one with
// its values, edges, provenance and history, and watch live activity. Plain
// DOM, no build step; it uses the same SDK apps use. Every value from the
// graph goes into the page as text, never as HTML.
import { agentos } from "./sdk.js";
import { drawNeighbourhood, shapeColour } from "./graph_view.js";

const main = /** @type {HTMLElement} */ (document.getElementById("main"));
const shapeList =
  /** @type {HTMLElement} */ (document.getElementById("shapes"));
const scope =
  /** @type {HTMLSelectElement} */ (document.getElementById("scope"));
const searchBox =
  /** @type {HTMLInputElement} */ (document.getElementById("q"));
const activity =
  /** @type {HTMLElement} */ (document.getElementById("activity"));
const live = /** @type {HTMLElement} */ (document.getElementById("live"));
const MAX_ACTIVITY = 200;

/** @type {Map<string, any>} */
let shapes = new Map();
let refreshShapes = 0;

/**
 * Makes an element: attributes (strings) and children (nodes or text).
 *
 * @param {string} tag
 * @param {Record<string, string | undefined>} [attributes]
 * @param {...(Node | string | number | null | undefined)} children
 */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === "object" ? child : String(child));
  }
  return element;
}

const nodeHref = (/** @type {string} */ id) =>
  `#/node/${encodeURIComponent(id)}`;

/** @param {string} id @param {string | undefined} title @param {boolean} [deleted] */
function nodeLink(id, title, deleted = false) {
  return h("a", {
    href: nodeHref(id),
    "data-id": id,
    class: deleted ? "deleted" : undefined,
  }, title ?? id);
}

/** @param {unknown} value */
function show(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object"
    ? JSON.stringify(value, null, 2)
    : String(value);
}

/** @param {string} iso an RFC 3339 time */
const when = (iso) => iso.replace("T", " ").slice(0, 19);

/**
 * A value shown for its type: a datetime as a date and time (UTC), not as
 * RFC 3339 text.
 *
 * @param {unknown} value
 * @param {string | undefined} type
 */
function showTyped(value, type) {
  if (type === "datetime" && typeof value === "string") {
    return `${when(value)} UTC`;
  }
  return show(value);
}

/**
 * What a list shows under a record's title: its first shape's display
 * subtitle and date (`display: {subtitle, date}`), else its first values.
 *
 * @param {{ shapes: string[], values: Record<string, unknown> }} item
 */
function describe(item) {
  const shape = shapes.get(item.shapes[0] ?? "");
  const display = shape?.display ?? {};
  const parts = [];
  for (const role of ["subtitle", "date"]) {
    const key = display[role];
    if (typeof key !== "string") continue;
    const value = item.values[key];
    if (value === null || value === undefined || value === "") continue;
    parts.push(showTyped(value, shape?.fields[key]?.type).slice(0, 120));
  }
  return parts.length > 0 ? parts.join(" · ") : summary(item.values);
}

/** @param {unknown} error */
function showError(error) {
  const message = error instanceof Error ? error.message : String(error);
  main.replaceChildren(h("p", { class: "error", role: "alert" }, message));
}

async function loadShapes() {
  const list = await agentos.shapes();
  shapes = new Map(list.map((shape) => [shape.name, shape]));
  const current = scope.value;
  scope.replaceChildren(h("option", { value: "" }, "all shapes"));
  const items = [];
  for (const shape of list) {
    scope.append(h("option", { value: shape.name }, shape.name));
    if (shape.count === 0) continue;
    items.push(
      h(
        "li",
        { "data-shape": shape.name, "data-count": String(shape.count) },
        h(
          "a",
          { href: `#/shape/${shape.name}`, title: shape.description },
          h("span", {}, shape.plural),
          h("span", { class: "count" }, shape.count),
        ),
      ),
    );
  }
  scope.value = current;
  shapeList.replaceChildren(
    ...(items.length > 0
      ? items
      : [h("li", { class: "muted" }, "No records yet")]),
  );
  markCurrentShape();
}

function markCurrentShape() {
  const [, kind, name] = location.hash.split("/");
  for (const link of shapeList.querySelectorAll("a")) {
    if (kind === "shape" && link.getAttribute("href") === `#/shape/${name}`) {
      link.setAttribute("aria-current", "page");
    } else link.removeAttribute("aria-current");
  }
}

/**
 * The columns a shape's list shows, from its `display.columns`: each a key,
 * or `{key, unit?, label?}`. Anything else is left out, so a shape file
 * cannot break the page.
 *
 * @param {any} shape
 * @returns {{ key: string, label: string, unit?: string, type?: string }[]}
 */
function listColumns(shape) {
  const columns = shape?.display?.columns;
  if (!Array.isArray(columns)) return [];
  const keyPattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
  const result = [];
  for (const column of columns.slice(0, 12)) {
    const spec = typeof column === "string" ? { key: column } : column;
    if (typeof spec?.key !== "string" || !keyPattern.test(spec.key)) continue;
    const unit = typeof spec.unit === "string" && spec.unit.trim() !== ""
      ? spec.unit.trim().slice(0, 20)
      : undefined;
    const label = typeof spec.label === "string" && spec.label.trim() !== ""
      ? spec.label.trim().slice(0, 60)
      : spec.key;
    result.push({
      key: spec.key,
      label,
      unit,
      type: shape.fields?.[spec.key]?.type,
    });
  }
  return result;
}

/**
 * One record as a table row of its shape's columns (title first).
 *
 * @param {any} item
 * @param {ReturnType<typeof listColumns>} columns
 */
function columnRow(item, columns) {
  return h(
    "tr",
    { "data-id": item.id },
    h("th", {}, nodeLink(item.id, item.title, item.deleted_at !== null)),
    ...columns.map((column) => {
      const value = item.values[column.key];
      const empty = value === null || value === undefined || value === "";
      const text = empty ? "" : showTyped(value, column.type).slice(0, 120);
      return h(
        "td",
        { "data-key": column.key },
        empty || !column.unit ? text : `${text} ${column.unit}`,
      );
    }),
  );
}

/**
 * Shows a list of records with "more" paging: a table of the shape's
 * `display.columns` (with their units) when it names any, else a list.
 *
 * @param {string} heading
 * @param {Record<string, unknown>} query
 * @param {Node[]} [intro] shown between the heading and the list
 * @param {ReturnType<typeof listColumns>} [columns]
 */
async function showList(heading, query, intro = [], columns = []) {
  const results = columns.length > 0
    ? h(
      "table",
      { id: "results-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "record"),
          ...columns.map((column) =>
            h(
              "th",
              { "data-key": column.key },
              column.unit ? `${column.label} (${column.unit})` : column.label,
            )
          ),
        ),
      ),
    )
    : h("ul", { id: "results" });
  const body = columns.length > 0 ? h("tbody") : results;
  if (body !== results) results.append(body);
  const more = h(
    "button",
    { class: "more", type: "button", hidden: "" },
    "Load more",
  );
  main.replaceChildren(h("h1", {}, heading), ...intro, results, more);
  /** @param {string | undefined} cursor */
  async function page(cursor) {
    const { items, cursor: next } = await agentos.graph.list({
      ...query,
      limit: 50,
      cursor,
    });
    for (const item of items) {
      body.append(
        columns.length > 0 ? columnRow(item, columns) : listItem(item),
      );
    }
    if (body.childElementCount === 0) {
      body.append(
        columns.length > 0
          ? h("tr", {}, h("td", { class: "muted" }, "Nothing found"))
          : h("li", { class: "muted" }, "Nothing found"),
      );
    }
    more.hidden = next === null;
    more.onclick = () => page(next ?? undefined).catch(showError);
  }
  await page(undefined);
}

/** @param {any} item */
function listItem(item) {
  return h(
    "li",
    { "data-id": item.id },
    nodeLink(item.id, item.title, item.deleted_at !== null),
    " ",
    ...item.shapes.map((/** @type {string} */ shape) =>
      h("span", { class: "chip" }, shape)
    ),
    h("div", { class: "muted" }, describe(item)),
  );
}

/** @param {Record<string, unknown>} values */
function summary(values) {
  return Object.entries(values).slice(0, 4).map(([key, value]) =>
    `${key}: ${show(value).slice(0, 80)}`
  ).join(" · ");
}

const DEFAULT_DRAWN = 60;
const MAX_DRAWN = 500;

/**
 * The picture's settings from the address: `#/node/<id>?hops=2&draw=120`.
 *
 * @param {string} query
 */
function pictureOptions(query) {
  const params = new URLSearchParams(query);
  const draw = Number(params.get("draw"));
  return {
    hops: params.get("hops") === "2" ? 2 : 1,
    draw: Number.isInteger(draw) && draw >= 1
      ? Math.min(draw, MAX_DRAWN)
      : DEFAULT_DRAWN,
  };
}

/** @param {string} id @param {{ hops: number, draw: number }} options */
const pictureHref = (id, options) =>
  `${nodeHref(id)}?hops=${options.hops}&draw=${options.draw}`;

/**
 * The neighbourhood section: hop choice, the picture, what it left out
 * ("+120 more notes"), and the drawn nodes as a list for screen readers.
 *
 * @param {string} id
 * @param {import("./sdk.d.ts").Neighbourhood} page
 * @param {{ hops: number, draw: number }} options
 */
function neighbourhoodSection(id, page, options) {
  const canvas = /** @type {SVGSVGElement} */ (document.createElementNS(
    "http://www.w3.org/2000/svg",
    "svg",
  ));
  canvas.id = "graph-picture";
  canvas.setAttribute("role", "group");
  const drawn = drawNeighbourhood(canvas, page, options.draw);
  canvas.setAttribute(
    "aria-label",
    `Neighbourhood: ${drawn.nodes.length} records drawn, ${drawn.edges.length} links`,
  );
  /** @type {any} */ (window).agentosGraph = drawn;
  const hopChoice = [1, 2].map((hops) =>
    h("a", {
      href: pictureHref(id, { ...options, hops }),
      class: "hop-choice",
      "data-hops": String(hops),
      "aria-current": hops === options.hops ? "true" : undefined,
    }, `${hops} hop${hops > 1 ? "s" : ""}`)
  );
  return h(
    "section",
    { id: "neighbourhood", "data-hops": String(options.hops) },
    h("h3", {}, "Neighbourhood ", ...hopChoice),
    canvas,
    pictureSummary(id, page, drawn, options),
    pictureList(page, drawn),
  );
}

/**
 * What the picture leaves out, by shape, with a link that draws more.
 *
 * @param {string} id
 * @param {import("./sdk.d.ts").Neighbourhood} page
 * @param {ReturnType<typeof drawNeighbourhood>} drawn
 * @param {{ hops: number, draw: number }} options
 */
function pictureSummary(id, page, drawn, options) {
  const legend = Object.entries(page.shapes).map(([shape, info]) =>
    h(
      "span",
      { class: "legend", "data-shape": shape },
      h("span", { class: `swatch swatch-${PALETTE_CLASS(shape)}` }),
      info.plural,
    )
  );
  const atLeast = page.truncated ? "at least " : "";
  const more = drawn.hidden.map((group) =>
    h(
      "li",
      { class: "more-group", "data-shape": group.shape },
      `+${atLeast}${group.count} more ${group.plural}`,
    )
  );
  const next = Math.min(MAX_DRAWN, options.draw * 2);
  return h(
    "div",
    { id: "graph-summary" },
    h("p", { class: "muted" }, ...legend),
    more.length > 0 ? h("ul", { id: "graph-more" }, ...more) : null,
    more.length > 0 && next > options.draw
      ? h("a", {
        href: pictureHref(id, { ...options, draw: next }),
        id: "graph-draw-more",
      }, `Draw up to ${next}`)
      : null,
  );
}

/** The swatch class of a shape (its colour, set by CSS: no inline style). */
const PALETTE_CLASS = (/** @type {string} */ shape) =>
  shapeColour(shape).slice(1);

/**
 * The drawn nodes as text: each with its shape, hop and the links that
 * join it to the others.
 *
 * @param {import("./sdk.d.ts").Neighbourhood} page
 * @param {ReturnType<typeof drawNeighbourhood>} drawn
 */
function pictureList(page, drawn) {
  const byId = new Map(page.nodes.map((node) => [node.id, node]));
  const items = drawn.nodes.map((model) => {
    const node = byId.get(model.id);
    const links = drawn.edges.filter((edge) =>
      edge.from === model.id || edge.to === model.id
    ).slice(0, 5).map((edge) =>
      edge.from === model.id
        ? `${edge.label} → ${byId.get(edge.to)?.title ?? edge.to}`
        : `← ${edge.label} ${byId.get(edge.from)?.title ?? edge.from}`
    );
    return h(
      "li",
      { "data-id": model.id, "data-hop": String(model.hop) },
      nodeLink(model.id, node?.title, node?.deleted),
      ` ${node?.shapes[0] ?? ""} · hop ${model.hop}`,
      links.length > 0 ? h("div", { class: "muted" }, links.join("; ")) : null,
    );
  });
  return h(
    "details",
    { id: "graph-list-panel" },
    h("summary", {}, `The ${items.length} drawn records as a list`),
    h("ul", { id: "graph-list" }, ...items),
  );
}

/**
 * @param {string} id
 * @param {{ hops: number, draw: number }} [options] the picture's settings
 */
async function showNode(id, options = pictureOptions("")) {
  const [node, history, neighbourhood] = await Promise.all([
    agentos.graph.get(id),
    agentos.graph.history(id, { limit: 200 }),
    agentos.graph.neighbourhood(id, {
      depth: options.hops,
      limit: options.draw,
    }),
  ]);
  const valueRows = Object.entries(node.values).map(([key, value]) =>
    h(
      "tr",
      { "data-key": key },
      h("th", {}, key),
      h(
        "td",
        { class: "value" },
        showTyped(value, node.types[key]),
        " ",
        h("span", { class: "type" }, node.types[key]),
      ),
    )
  );
  /** @param {any} edge @param {"out" | "in"} direction */
  const edgeRow = (edge, direction) => {
    const other = direction === "out" ? edge.to : edge.from;
    const info = node.related[other] ?? { shapes: [], deleted: false };
    return h(
      "tr",
      { class: "edge", "data-label": edge.label, "data-direction": direction },
      h("th", {}, direction === "out" ? `${edge.label} →` : `← ${edge.label}`),
      h(
        "td",
        {},
        nodeLink(other, info.title, info.deleted),
        " ",
        ...info.shapes.map((shape) => h("span", { class: "chip" }, shape)),
      ),
    );
  };
  const provenance = node.provenance;
  main.replaceChildren(
    h(
      "article",
      { id: "record", "data-id": node.id },
      h("h1", {}, node.title ?? node.id),
      h(
        "p",
        { class: "muted" },
        ...node.shapes.map((shape) =>
          h("a", { class: "chip", href: `#/shape/${shape}` }, shape)
        ),
        ` ${node.id} · created ${when(node.created_at)} · updated ${
          when(node.updated_at)
        }`,
        node.deleted_at
          ? h("span", { class: "deleted" }, ` · deleted ${node.deleted_at}`)
          : null,
      ),
      neighbourhoodSection(id, neighbourhood, options),
      h("h3", {}, "Values"),
      h("table", { id: "values" }, ...valueRows),
      h(
        "h3",
        {},
        `Edges (${node.edges_out.length} out, ${node.edges_in.length} in)`,
      ),
      h(
        "table",
        { id: "edges" },
        ...node.edges_out.map((edge) => edgeRow(edge, "out")),
        ...node.edges_in.map((edge) => edgeRow(edge, "in")),
      ),
      h("h3", {}, "Provenance"),
      h(
        "table",
        { id: "provenance" },
        h(
          "tr",
          {},
          h("th", {}, "created by"),
          h("td", {}, provenance.createdBy ?? "unknown"),
        ),
        h(
          "tr",
          {},
          h("th", {}, "imported from"),
          h(
            "td",
            {},
            ...(provenance.importedFrom.length === 0
              ? ["—"]
              : provenance.importedFrom.map((from) =>
                nodeLink(from, node.related[from]?.title)
              )),
          ),
        ),
        ...provenance.actors.map((actor) =>
          h(
            "tr",
            {},
            h("th", {}, actor.actor),
            h(
              "td",
              {},
              `${actor.changes} changes, ${when(actor.first)} – ${
                when(actor.last)
              }`,
            ),
          )
        ),
      ),
      h("h3", {}, "History"),
      h(
        "table",
        { id: "history" },
        ...history.changes.map((change) =>
          h(
            "tr",
            { "data-change-id": String(change.id) },
            h("th", {}, `#${change.id} ${when(change.at)}`),
            h(
              "td",
              {},
              `${change.actor} ${change.op} ${
                change.targetKind === "edge" ? "edge " : ""
              }${change.key ?? ""}`,
              change.op === "set" || change.op === "unset"
                ? h(
                  "div",
                  { class: "muted" },
                  `${show(change.old)} → ${show(change.new)}`,
                )
                : null,
            ),
          )
        ),
      ),
    ),
  );
}

async function route() {
  const [, kind = "", ...rest] = location.hash.split("/");
  const argument = decodeURIComponent(rest.join("/"));
  markCurrentShape();
  try {
    if (kind === "node" && argument) {
      const [id = "", query = ""] = argument.split("?");
      await showNode(id, pictureOptions(query));
    } else if (kind === "shape" && argument) {
      const shape = shapes.get(argument);
      await showList(
        shape?.plural ?? argument,
        { shape: argument },
        shapeIntro(shape),
        listColumns(shape),
      );
    } else if (kind === "search" && argument) {
      const params = new URLSearchParams(argument);
      const q = params.get("q") ?? "";
      const shape = params.get("shape") || undefined;
      searchBox.value = q;
      scope.value = shape ?? "";
      await showList(`Search: ${q}${shape ? ` in ${shape}` : ""}`, {
        q,
        shape,
      });
    } else await showList("Recent records", {});
  } catch (error) {
    showError(error);
  }
}

/**
 * A shape's description, fields (key and type) and relations (label and
 * the shape of the records it links to), above its records.
 *
 * @param {any} shape
 * @returns {Node[]}
 */
function shapeIntro(shape) {
  if (!shape) return [];
  const type = (/** @type {any} */ field) =>
    `${field.type}${field.list ? "[]" : ""}${
      field.values ? ` (${field.values.join(" | ")})` : ""
    }`;
  return [
    h("p", { class: "muted" }, shape.description),
    h(
      "details",
      { id: "shape-schema" },
      h("summary", {}, "Fields and relations"),
      h(
        "table",
        { id: "shape-fields" },
        ...Object.entries(shape.fields).map(([key, field]) =>
          h(
            "tr",
            { "data-key": key },
            h("th", {}, key),
            h("td", {}, type(field)),
          )
        ),
        ...Object.entries(shape.relations).map(([label, relation]) =>
          h(
            "tr",
            { "data-relation": label },
            h("th", {}, `${label} →`),
            h(
              "td",
              {},
              h(
                "a",
                { href: `#/shape/${relation.shape}` },
                `${relation.shape}${relation.list ? "[]" : ""}`,
              ),
            ),
          )
        ),
      ),
    ),
  ];
}

/**
 * The activity panel on open: the records changed most recently, before the
 * live events arrive above them.
 */
async function showRecentActivity() {
  const { items } = await agentos.graph.list({ limit: 20 });
  for (const item of items) {
    activity.append(
      h(
        "li",
        { class: "recent", "data-target": item.id },
        h("time", {}, when(item.updated_at)),
        "updated ",
        nodeLink(item.id, item.title),
      ),
    );
  }
}

/** @param {any} event */
function addActivity(event) {
  if (event.kind === "ready") {
    live.dataset.state = "live";
    live.textContent = "live";
    return;
  }
  let item;
  if (event.kind === "change") {
    const target = event.targetKind === "node"
      ? nodeLink(event.targetId, event.targetId)
      : `edge ${event.targetId}`;
    item = h(
      "li",
      { "data-change-id": String(event.id), "data-target": event.targetId },
      h("time", {}, new Date(event.at).toLocaleTimeString()),
      `${event.actor} ${event.op} `,
      target,
      event.key ? ` ${event.key}` : "",
      event.op === "set"
        ? h("div", { class: "muted" }, show(event.new).slice(0, 120))
        : null,
    );
    clearTimeout(refreshShapes);
    refreshShapes = setTimeout(() => loadShapes().catch(() => {}), 500);
  } else if (event.kind === "call") {
    item = h(
      "li",
      { class: "call" },
      h("time", {}, new Date(event.at).toLocaleTimeString()),
      `call ${event.phase} `,
      show(event.capability ?? event.tool ?? ""),
    );
  } else if (event.kind === "reset") {
    item = h("li", { class: "error" }, event.message);
  } else return;
  activity.prepend(item);
  while (activity.childElementCount > MAX_ACTIVITY) {
    activity.lastElementChild?.remove();
  }
}

document.getElementById("search")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const params = new URLSearchParams({ q: searchBox.value.trim() });
  if (scope.value) params.set("shape", scope.value);
  if (searchBox.value.trim() !== "") location.hash = `#/search/${params}`;
});
addEventListener("hashchange", route);

const TOKEN_KEY = "agentos.token";

/**
 * The app token for this tab: traded once for the one-time code in
 * `?open=` (the link `agentos bridge open` prints), then kept in this tab's
 * session storage. Every read needs it: other local users reach 127.0.0.1
 * too.
 *
 * @returns {Promise<string | null>}
 */
async function sessionToken() {
  const url = new URL(location.href);
  const code = url.searchParams.get("open");
  if (code !== null) {
    // Drop the code from the address bar and history: it is spent.
    url.searchParams.delete("open");
    history.replaceState(null, "", url.href);
    const response = await fetch("/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
    }
    sessionStorage.setItem(TOKEN_KEY, body.token);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

async function start() {
  const token = await sessionToken();
  if (!token) {
    live.textContent = "locked";
    shapeList.replaceChildren();
    main.replaceChildren(
      h(
        "p",
        { class: "error", role: "alert" },
        "Open the explorer with the link that `agentos bridge open` prints: the bridge answers only with its app token.",
      ),
    );
    return;
  }
  agentos.setToken(token);
  agentos.observe(addActivity, {
    onError: () => {
      live.dataset.state = "offline";
      live.textContent = "reconnecting…";
    },
  });
  await loadShapes().catch(showError).then(route);
  await showRecentActivity().catch(() => {});
}

start().catch(showError);
