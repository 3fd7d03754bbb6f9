// Small SVG graph pictures: a layered left-to-right drawing, used for impact (changed CIs on
// the left, what they take down to the right) and for a CI's neighbourhood (the CI in the middle). Labels are SVG text nodes, so names are never parsed as markup.

import { s, truncate } from "./dom.js";

const BOX_W = 190;
const BOX_H = 42;
const COL_GAP = 130;
const ROW_GAP = 14;
const MAX_ROWS = 12;

function nodeBox(node, x, y) {
  const label = s("text", { x: x + 10, y: y + 17, class: "g-label" }, truncate(node.label, 26));
  const sub = s("text", { x: x + 10, y: y + 33, class: "g-sub" }, truncate(node.sub || "", 30));
  const box = s(
    "g",
    { class: `g-node ${node.kind || ""}`, "data-uid": node.id, "data-state": node.state || "" },
    s("title", {}, `${node.label}\n${node.id}${node.state ? "\n" + node.state : ""}`),
    s("rect", { x, y, width: BOX_W, height: BOX_H, rx: 7 }),
    label,
    sub,
  );
  return node.href ? s("a", { href: node.href }, box) : box;
}

function curve(a, b) {
  const mx = (a.x + b.x) / 2;
  return `M${a.x},${a.y} C${mx},${a.y} ${mx},${b.y} ${b.x},${b.y}`;
}

function arrowMarker() {
  return s(
    "defs",
    {},
    s(
      "marker",
      { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      s("path", { d: "M0,0 L10,5 L0,10 z", class: "g-arrow" }),
    ),
  );
}

/** Place nodes in columns by node.layer (long columns wrap into sub-columns). */
function layeredPositions(nodes) {
  const layers = new Map();
  for (const n of nodes) {
    if (!layers.has(n.layer)) layers.set(n.layer, []);
    layers.get(n.layer).push(n);
  }
  const pos = new Map();
  const columns = [];
  for (const layer of [...layers.keys()].sort((a, b) => a - b)) {
    const members = layers.get(layer);
    for (let i = 0; i < members.length; i += MAX_ROWS) columns.push(members.slice(i, i + MAX_ROWS));
  }
  const rowsUsed = Math.max(1, ...columns.map((c) => c.length));
  const step = BOX_H + ROW_GAP;
  columns.forEach((column, col) => {
    const top = 20 + ((rowsUsed - column.length) * step) / 2; // centre each column vertically
    column.forEach((n, row) => pos.set(n.id, { x: 20 + col * (BOX_W + COL_GAP), y: top + row * step }));
  });
  return { pos, width: 40 + columns.length * (BOX_W + COL_GAP) - COL_GAP, height: 40 + rowsUsed * step - ROW_GAP };
}

/**
 * A left-to-right drawing. nodes: {id, label, sub, layer, kind, state, href};
 * edges: {from, to, label, kind}. options: arrows (draw direction), labels (edge labels).
 */
export function drawLayered(nodes, edges, { arrows = true, labels = false } = {}) {
  const { pos, width, height } = layeredPositions(nodes);
  const svg = s("svg", { class: "graph", viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
  svg.append(arrowMarker());
  const edgeLayer = s("g", { class: "g-edges" });
  for (const e of edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const forward = b.x > a.x;
    const from = { x: a.x + (forward ? BOX_W : 0), y: a.y + BOX_H / 2 };
    const to = { x: b.x + (forward ? 0 : BOX_W), y: b.y + BOX_H / 2 };
    if (b.x === a.x) {
      from.x = a.x + BOX_W;
      to.x = b.x + BOX_W;
    }
    edgeLayer.append(
      s("path", { d: curve(from, to), class: `g-edge ${e.kind || ""}`, "marker-end": arrows ? "url(#arrow)" : null }, s("title", {}, e.label || "")),
    );
    if (labels && e.label) {
      // In the gap just before the target box, where no other box can be.
      const x = to.x + (forward || b.x === a.x ? -COL_GAP / 2 : COL_GAP / 2);
      edgeLayer.append(s("text", { x, y: to.y - 5, class: "g-edge-label", "text-anchor": "middle" }, truncate(e.label, 22)));
    }
  }
  svg.append(edgeLayer);
  for (const n of nodes) svg.append(nodeBox(n, pos.get(n.id).x, pos.get(n.id).y));
  return svg;
}
