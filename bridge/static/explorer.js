// The graph explorer: browse shapes, list and search records, open one with
// its values, edges, provenance and history, and watch live activity. Plain
// DOM, no build step; it uses the same SDK apps use. Every value from the
// graph goes into the page as text, never as HTML.
import { agentos } from "./sdk.js";

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
 * Shows a list of records with "more" paging.
 *
 * @param {string} heading
 * @param {Record<string, unknown>} query
 * @param {Node[]} [intro] shown between the heading and the list
 */
async function showList(heading, query, intro = []) {
  const results = h("ul", { id: "results" });
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
      results.append(
        h(
          "li",
          { "data-id": item.id },
          nodeLink(item.id, item.title, item.deleted_at !== null),
          " ",
          ...item.shapes.map((shape) => h("span", { class: "chip" }, shape)),
          h("div", { class: "muted" }, describe(item)),
        ),
      );
    }
    if (results.childElementCount === 0) {
      results.append(h("li", { class: "muted" }, "Nothing found"));
    }
    more.hidden = next === null;
    more.onclick = () => page(next ?? undefined).catch(showError);
  }
  await page(undefined);
}

/** @param {Record<string, unknown>} values */
function summary(values) {
  return Object.entries(values).slice(0, 4).map(([key, value]) =>
    `${key}: ${show(value).slice(0, 80)}`
  ).join(" · ");
}

/** @param {string} id */
async function showNode(id) {
  const [node, history] = await Promise.all([
    agentos.graph.get(id),
    agentos.graph.history(id, { limit: 200 }),
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
    if (kind === "node" && argument) await showNode(argument);
    else if (kind === "shape" && argument) {
      await showList(shapes.get(argument)?.plural ?? argument, {
        shape: argument,
      }, shapeIntro(shapes.get(argument)));
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
