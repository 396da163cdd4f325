// A node's neighbourhood as a picture: d3-force lays it out (the focus pinned
// in the middle, each hop on its own ring), plain SVG draws it. Every drawn
// node is an SVG link: reachable with Tab, named for screen readers, and the
// same nodes are listed as text below the picture. Graph values go into the
// page as text only.
// The bridge serves d3-force at /lib/ from the npm package deno.json pins
// (bridge/graph_library.ts); there is no such file to type-check against.
// @ts-ignore: resolved by the browser, not by `deno check`
import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceRadial,
  forceSimulation,
} from "/lib/d3-force.js";

const SVG = "http://www.w3.org/2000/svg";
const RING = 130;
const PALETTE = [
  "#2456c7",
  "#c2410c",
  "#15803d",
  "#9333ea",
  "#b91c1c",
  "#0e7490",
  "#a16207",
  "#be185d",
  "#4d7c0f",
  "#475569",
];

/**
 * A shape's colour: stable for its name, so a person is the same colour on
 * every page.
 *
 * @param {string} shape
 */
export function shapeColour(shape) {
  let hash = 0;
  for (const char of shape) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

/** @param {string} tag @param {Record<string, string | number>} attributes */
function svg(tag, attributes = {}) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, String(value));
  }
  return element;
}

/** @param {string | undefined} text @param {number} max */
const cut = (text, max) =>
  text && text.length > max ? `${text.slice(0, max - 1)}…` : text ?? "";

/**
 * Picks at most `max` neighbours to draw, sharing the room fairly between
 * shapes (nearer hops first within a shape), and counts the rest by shape.
 *
 * @param {import("./sdk.d.ts").Neighbourhood} page
 * @param {number} max
 */
export function chooseDrawn(page, max) {
  const focus = page.nodes.find((node) => node.id === page.focus);
  /** @type {Map<string, any[]>} */
  const byShape = new Map();
  for (const node of page.nodes) {
    if (node.id === page.focus) continue;
    const shape = node.shapes[0] ?? "";
    byShape.set(shape, [...(byShape.get(shape) ?? []), node]);
  }
  const drawn = [];
  const queues = [...byShape.values()];
  while (drawn.length < max && queues.some((queue) => queue.length > 0)) {
    for (const queue of queues) {
      const next = queue.shift();
      if (next && drawn.length < max) drawn.push(next);
    }
  }
  const drawnByShape = new Map();
  for (const node of drawn) {
    const shape = node.shapes[0] ?? "";
    drawnByShape.set(shape, (drawnByShape.get(shape) ?? 0) + 1);
  }
  const hidden = Object.entries(page.total.byShape)
    .map(([shape, count]) => ({
      shape,
      count: count - (drawnByShape.get(shape) ?? 0),
      plural: page.shapes[shape]?.plural ?? shape,
    }))
    .filter((group) => group.count > 0);
  return { nodes: focus ? [focus, ...drawn] : drawn, hidden };
}

/**
 * Each hop's ring radius: at least n × RING, and wide enough that its nodes
 * fit side by side (500 notes on a small ring would all collide, and the
 * collision force would cost the square of their number).
 *
 * @param {any[]} nodes
 * @param {number} spacing
 */
function ringRadii(nodes, spacing) {
  const counts = [0, 0, 0];
  for (const node of nodes) counts[node.hop] = (counts[node.hop] ?? 0) + 1;
  const radii = [0];
  for (let hop = 1; hop < counts.length; hop++) {
    const fit = (counts[hop] * spacing) / (2 * Math.PI);
    radii[hop] = Math.max(hop * RING, radii[hop - 1] + RING, fit);
  }
  return radii;
}

/**
 * Lays the nodes out: the focus fixed at the centre, each hop on its own
 * ring, linked nodes drawn together, none overlapping. Nodes start spread
 * on their rings and the simulation runs to rest before anything is drawn
 * (one paint, no jiggle; the same graph comes out the same).
 *
 * @param {any[]} nodes
 * @param {any[]} links
 */
function layout(nodes, links) {
  const spacing = nodes.length > 100 ? 22 : 52;
  const radii = ringRadii(nodes, spacing);
  /** @type {number[]} */
  const seen = [0, 0, 0];
  const counts = [0, 0, 0];
  for (const node of nodes) counts[node.hop] += 1;
  for (const node of nodes) {
    const angle = (2 * Math.PI * seen[node.hop]++) / counts[node.hop];
    node.x = radii[node.hop] * Math.cos(angle);
    node.y = radii[node.hop] * Math.sin(angle);
    if (node.hop === 0) {
      node.fx = 0;
      node.fy = 0;
    }
  }
  const simulation = forceSimulation(nodes)
    .force(
      "link",
      forceLink(links).id((/** @type {any} */ d) => d.id).distance(RING)
        .strength(0.05),
    )
    .force("charge", forceManyBody().strength(-160).distanceMax(RING * 2))
    .force(
      "ring",
      forceRadial((/** @type {any} */ d) => radii[d.hop], 0, 0).strength(1),
    )
    .force("collide", forceCollide(spacing / 2))
    // Started on their rings, many nodes need fewer steps to rest: about
    // 110 instead of d3's 300 keeps 500 of them under a second.
    .alphaDecay(nodes.length > 100 ? 0.06 : 0.0228)
    .stop();
  const ticks = Math.ceil(
    Math.log(simulation.alphaMin()) / Math.log(1 - simulation.alphaDecay()),
  );
  for (let i = 0; i < ticks; i++) simulation.tick();
}

/**
 * Draws one edge: a line with an arrow and its relation at the middle.
 *
 * @param {any} link
 */
function edgeElement(link) {
  const group = svg("g", {
    class: "edge",
    "data-from": link.source.id,
    "data-to": link.target.id,
    "data-label": link.label,
  });
  group.append(
    svg("line", {
      x1: link.source.x,
      y1: link.source.y,
      x2: link.target.x,
      y2: link.target.y,
      "marker-end": "url(#graph-arrow)",
    }),
  );
  const label = svg("text", {
    x: (link.source.x + link.target.x) / 2,
    y: (link.source.y + link.target.y) / 2,
  });
  label.textContent = link.label;
  group.append(label);
  return group;
}

/**
 * Draws one node as a link to its page.
 *
 * @param {any} node
 * @param {Record<string, { plural: string }>} shapes
 */
function nodeElement(node, shapes) {
  const shape = node.shapes[0] ?? "";
  const title = node.title ?? node.id;
  const hops = node.hop === 0
    ? "this record"
    : `${node.hop} hop${node.hop > 1 ? "s" : ""} away`;
  const link = svg("a", {
    href: `#/node/${encodeURIComponent(node.id)}`,
    class: `node hop-${node.hop}${node.deleted ? " deleted" : ""}`,
    "data-id": node.id,
    "data-shape": shape,
    "data-hop": node.hop,
    "aria-label": `${title} (${shape || "no shape"}, ${hops})`,
    transform: `translate(${node.x.toFixed(1)} ${node.y.toFixed(1)})`,
  });
  link.append(svg("circle", {
    r: node.hop === 0 ? 14 : 9,
    fill: shapeColour(shape),
  }));
  const label = svg("text", { y: node.hop === 0 ? 28 : 22 });
  label.textContent = cut(title, 28);
  const tip = svg("title");
  tip.textContent = `${title} · ${shapes[shape]?.plural ?? shape}`;
  link.append(label, tip);
  return link;
}

/**
 * Draws a neighbourhood into an SVG element and returns what it drew.
 *
 * @param {SVGSVGElement} canvas
 * @param {import("./sdk.d.ts").Neighbourhood} page
 * @param {number} max most neighbours drawn; the rest are summarised
 */
export function drawNeighbourhood(canvas, page, max) {
  const started = performance.now();
  const { nodes, hidden } = chooseDrawn(page, max);
  const models = nodes.map((node) => ({ ...node }));
  const ids = new Set(models.map((node) => node.id));
  const links = page.edges
    .filter((edge) => ids.has(edge.from) && ids.has(edge.to))
    .map((edge) => ({ ...edge, source: edge.from, target: edge.to }));
  layout(models, links);
  const laidOut = performance.now();
  const defs = svg("defs");
  const marker = svg("marker", {
    id: "graph-arrow",
    viewBox: "0 0 10 10",
    refX: 20,
    refY: 5,
    markerWidth: 6,
    markerHeight: 6,
    orient: "auto-start-reverse",
  });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z" }));
  defs.append(marker);
  const edges = svg("g", { class: "edges", "aria-hidden": "true" });
  edges.append(...links.map(edgeElement));
  const drawn = svg("g", { class: "nodes" });
  drawn.append(...models.map((node) => nodeElement(node, page.shapes)));
  canvas.replaceChildren(defs, edges, drawn);
  fitView(canvas, models);
  return {
    nodes: models.map(({ id, hop, x, y }) => ({ id, hop, x, y })),
    edges: links.map((link) => ({
      from: link.source.id,
      to: link.target.id,
      label: link.label,
    })),
    hidden,
    layoutMs: laidOut - started,
    drawMs: performance.now() - laidOut,
  };
}

/** @param {SVGSVGElement} canvas @param {any[]} nodes */
function fitView(canvas, nodes) {
  // Never zoom in past a ring's worth: a small picture keeps its text size.
  const pad = 80;
  const xs = [-RING, RING, ...nodes.map((node) => node.x)];
  const ys = [-RING * 0.6, RING * 0.6, ...nodes.map((node) => node.y)];
  const left = Math.min(...xs) - pad;
  const top = Math.min(...ys) - pad;
  const width = Math.max(...xs) + pad - left;
  const height = Math.max(...ys) + pad - top;
  canvas.setAttribute(
    "viewBox",
    `${left.toFixed(0)} ${top.toFixed(0)} ${width.toFixed(0)} ${
      height.toFixed(0)
    }`,
  );
}
