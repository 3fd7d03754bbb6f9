// The CMDB page: review queue, CI details, impact analysis, change requests, discovery runs.
// A single page with hash routes over the JSON API. Every discovered string reaches the DOM
// through dom.js (text nodes and attribute values only), and actions a role may not take are
// not shown at all (the API refuses them anyway).

import { h, fill, route, fmtTime, fmtValue, truncate } from "./dom.js";
import { drawLayered } from "./graph.js";

const TOKEN_KEY = "cmdb.token";
const main = document.getElementById("main");
const DEVICE_CLASSES = new Set(["NetworkDevice", "Server"]);
const MAIN_CLASSES = new Set(["NetworkDevice", "Server", "Application", "BusinessService"]);
const ALL_CLASSES = ["NetworkDevice", "Server", "Application", "BusinessService", "Interface", "IPAddress", "HardwareComponent", "Software", "Location"];
const CHANGE_TYPES = [
  ["reboot", "Reboot"],
  ["config_change", "Configuration change"],
  ["replace", "Replace hardware"],
  ["decommission", "Decommission"],
];
const CRITICALITY = ["", "low", "medium", "high", "critical"];

let me = null; // {name, role, may: {review, change}}

// ------------------------------------------------------------------ API access

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

function detailText(detail) {
  if (Array.isArray(detail)) {
    return detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
  }
  return typeof detail === "string" ? detail : JSON.stringify(detail);
}

async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    signOut("Your token was not accepted; please sign in again.", "error");
    throw new ApiError(401, "not signed in");
  }
  if (!res.ok) {
    let detail = res.statusText;
    try {
      detail = detailText((await res.json()).detail);
    } catch {
      /* not JSON: keep the status text */
    }
    throw new ApiError(res.status, detail);
  }
  return res.status === 204 ? null : res.json();
}

const ciUrl = (uid, suffix = "") => `/api/cis/${encodeURIComponent(uid)}${suffix}`;

function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of [value].flat()) if (v !== undefined && v !== null && v !== "") q.append(key, v);
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

// ------------------------------------------------------------------ page furniture

let flashTimer = null;

function flash(text, kind = "ok") {
  const el = document.getElementById("flash");
  fill(el, text);
  el.className = `flash ${kind}`;
  el.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => (el.hidden = true), kind === "error" ? 8000 : 4000);
}

function failed(err) {
  if (err instanceof ApiError && err.status === 401) return;
  flash(err.message || String(err), "error");
}

/** Run an async action from a button, disabling it meanwhile and reporting errors. */
function action(button, fn) {
  return async (event) => {
    event?.preventDefault();
    button.disabled = true;
    try {
      await fn();
    } catch (err) {
      failed(err);
    } finally {
      button.disabled = false;
    }
  };
}

function badge(text, kind = "") {
  return h("span", { class: `badge ${kind}` }, text);
}

const stateBadge = (state) => badge(state, `st-${String(state).toLowerCase()}`);
const ciLink = (uid, name) => h("a", { href: route("ci", uid), class: "ci-link", title: uid }, name || uid);
const classKind = (cls) => `c-${String(cls || "unknown").toLowerCase()}`;

function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

function table(headers, rows, cls = "") {
  return h(
    "table",
    { class: `grid ${cls}` },
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", {}, x)))),
    h("tbody", {}, rows),
  );
}

function showWho() {
  const who = document.getElementById("who");
  const signedIn = Boolean(me);
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("jump").hidden = !signedIn;
  who.hidden = !signedIn;
  if (!signedIn) return;
  const out = h("button", { type: "button", class: "link-button", id: "sign-out" }, "Sign out");
  out.addEventListener("click", () => signOut("Signed out."));
  fill(who, h("span", { class: "who-name" }, me.name), badge(me.role, "role"), out);
}

function signOut(message, kind = "info") {
  sessionStorage.removeItem(TOKEN_KEY);
  me = null;
  showWho();
  if (message) flash(message, kind);
  if (!location.hash.startsWith("#/login")) location.hash = "#/login";
  else render();
}

function setupJump() {
  const form = document.getElementById("jump");
  const input = document.getElementById("jump-q");
  const results = document.getElementById("jump-results");
  let timer = null;
  form.addEventListener("submit", (e) => e.preventDefault());
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (!q) {
        results.hidden = true;
        return;
      }
      try {
        const page = await searchCis(q, 8);
        fill(
          results,
          page.items.length
            ? page.items.map((ci) =>
                h("a", { href: route("ci", ci.uid), class: "dropdown-item" }, h("b", {}, ci.name), " ", h("small", {}, ci.ci_class)),
              )
            : h("div", { class: "dropdown-item muted" }, "No CI matches"),
        );
        results.hidden = false;
      } catch (err) {
        failed(err);
      }
    }, 250);
  });
  results.addEventListener("click", () => {
    results.hidden = true;
    input.value = "";
  });
  input.addEventListener("blur", () => setTimeout(() => (results.hidden = true), 200));
}

function searchCis(q, limit) {
  const ip = /^[0-9a-f:.]+$/i.test(q) && /[.:]/.test(q) ? q : undefined;
  return api(`/api/cis${query(ip ? { ip, limit } : { q, limit })}`);
}

// ------------------------------------------------------------------ sign in

function loginPage() {
  const input = h("input", { type: "password", id: "token", autocomplete: "off", required: true, placeholder: "cmdb_…" });
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h(
    "form",
    { class: "card login", id: "login-form" },
    h("h1", {}, "Sign in"),
    h("p", { class: "muted" }, "Paste the API token you were given (tokens are made with ", h("code", {}, "cmdb token create"), ")."),
    h("label", { for: "token" }, "Token"),
    input,
    button,
  );
  form.addEventListener(
    "submit",
    action(button, async () => {
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      try {
        me = await api("/api/me");
      } catch (err) {
        sessionStorage.removeItem(TOKEN_KEY);
        throw err;
      }
      showWho();
      location.hash = "#/review";
    }),
  );
  fill(main, form);
  input.focus();
}

// ------------------------------------------------------------------ review queue

/** New CIs of the main classes (or of the chosen class), changed and missing ones since a run or date. */
async function loadQueue(filters) {
  const since = filters.since ? new Date(filters.since).toISOString() : "";
  const queue = await api(`/api/review${query({ limit: 500, run: filters.run, since })}`);
  const sinceNew = filters.run ? queue.since : since;
  const classes = filters.cls ? [filters.cls] : [...MAIN_CLASSES];
  const pages = await Promise.all(classes.map((c) => api(`/api/cis${query({ ci_class: c, review_state: "new", since: sinceNew, limit: 500 })}`)));
  const count = (ci_class) => api(`/api/cis${query({ ci_class, review_state: "new", since: sinceNew, limit: 1 })}`).then((p) => p.total);
  // Discovery runs are CIs too, but nobody reviews them.
  const totalNew = filters.cls ? pages[0].total : (await count("")) - (await count("DiscoveryRun"));
  const newOnes = new Map(pages.flatMap((p) => p.items).map((ci) => [ci.uid, ci]));
  if (!filters.cls) for (const ci of queue.new) if (!newOnes.has(ci.uid)) newOnes.set(ci.uid, ci);
  const rank = (ci) => (MAIN_CLASSES.has(ci.ci_class) ? 0 : 1);
  const rows = [
    ...queue.changed.map((ci) => ({ kind: "changed", ci, changes: queue.changes[ci.uid] || [] })),
    ...queue.missing.map((ci) => ({ kind: "missing", ci })),
    // One row per CI: a changed or missing CI is not listed again as new.
    ...[...newOnes.values()].filter((ci) => ci.ci_class !== "DiscoveryRun" && !queue.changes[ci.uid] && !queue.missing.some((m) => m.uid === ci.uid)).map((ci) => ({ kind: "new", ci })),
  ]
    .filter((r) => !filters.cls || r.ci.ci_class === filters.cls)
    .sort((a, b) => rank(a.ci) - rank(b.ci));
  return { queue, rows, totalNew };
}

async function reviewPage(view, _parts, params) {
  const filters = { kind: params.get("kind") || "all", cls: params.get("class") || "", text: "", run: params.get("run") || "", since: params.get("since") || "" };
  const [{ queue, rows, totalNew }, runs] = await Promise.all([loadQueue(filters), api("/api/runs")]);
  let pageSize = 50;
  const selected = new Map();
  const body = h("div", {});
  const toolbar = h("div", { class: "toolbar" });

  const reload = (changes) => {
    const next = new URLSearchParams({ kind: filters.kind, class: filters.cls, run: filters.run, since: filters.since, ...changes });
    for (const [k, v] of [...next]) if (!v) next.delete(k);
    location.hash = `#/review?${next}`;
  };

  const classSelect = h(
    "select",
    { id: "filter-class", "aria-label": "Class" },
    h("option", { value: "" }, "All classes"),
    ALL_CLASSES.map((c) => h("option", { value: c, selected: c === filters.cls }, c)),
  );
  const textInput = h("input", { type: "search", id: "filter-text", placeholder: "Filter by name, uid, IP…" });
  const runSelect = h(
    "select",
    { id: "filter-run", "aria-label": "Since run" },
    h("option", { value: "" }, "Since: any time"),
    [...runs].reverse().map((r) => h("option", { value: r.uid, selected: r.uid === filters.run }, `Since ${truncate(r.name, 40)}`)),
  );
  const sinceInput = h("input", { type: "date", id: "filter-since", value: filters.since, "aria-label": "Changed since" });
  const counts = { all: rows.length, new: rows.filter((r) => r.kind === "new").length, changed: rows.filter((r) => r.kind === "changed").length, missing: rows.filter((r) => r.kind === "missing").length };
  const tabs = h(
    "div",
    { class: "tabs", role: "tablist" },
    ["all", "new", "changed", "missing"].map((k) => {
      const tab = h("button", { type: "button", class: `tab ${k === filters.kind ? "active" : ""}`, "data-kind": k }, `${k[0].toUpperCase()}${k.slice(1)} `, h("span", { class: "count" }, counts[k]));
      tab.addEventListener("click", () => {
        filters.kind = k;
        for (const t of tabs.children) t.classList.toggle("active", t.dataset.kind === k);
        redraw();
      });
      return tab;
    }),
  );
  const redraw = () => ((pageSize = 50), draw());
  classSelect.addEventListener("change", () => reload({ class: classSelect.value }));
  textInput.addEventListener("input", () => ((filters.text = textInput.value.trim().toLowerCase()), redraw()));
  runSelect.addEventListener("change", () => reload({ run: runSelect.value, since: "" }));
  sinceInput.addEventListener("change", () => reload({ since: sinceInput.value, run: "" }));

  function matches(row) {
    if (filters.kind !== "all" && row.kind !== filters.kind) return false;
    if (filters.cls && row.ci.ci_class !== filters.cls) return false;
    if (!filters.text) return true;
    const a = row.ci.attributes;
    return [row.ci.name, row.ci.uid, a.mgmt_ip, a.serial, a.vendor, a.model].some((v) => v && String(v).toLowerCase().includes(filters.text));
  }

  function drawToolbar() {
    if (!me.may.review) return fill(toolbar);
    const picked = [...selected.values()];
    const keep = h("select", { id: "merge-keep", "aria-label": "Keep" }, picked.map((ci) => h("option", { value: ci.uid }, `keep ${truncate(ci.name, 40)}`)));
    const merge = h("button", { type: "button", id: "merge", disabled: picked.length !== 2 }, "Merge duplicates");
    merge.addEventListener(
      "click",
      action(merge, async () => {
        const keepUid = keep.value;
        const drop = picked.find((ci) => ci.uid !== keepUid);
        const kept = await api("/api/cis/merge", { method: "POST", body: { keep: keepUid, drop: drop.uid } });
        flash(`Merged ${drop.name} into ${kept.name}.`);
        render();
      }),
    );
    fill(
      toolbar,
      h("span", { class: "muted" }, picked.length === 2 ? "Two CIs selected: " : "Select two duplicate CIs to merge them. "),
      picked.length === 2 ? keep : null,
      merge,
    );
  }

  function reviewButtons(ci, stateCell) {
    if (!me.may.review) return null;
    const make = (state, label, cls) => {
      const b = h("button", { type: "button", class: `small ${cls}`, "data-action": state, disabled: ci.review_state === state }, label);
      b.addEventListener(
        "click",
        action(b, async () => {
          const updated = await api(ciUrl(ci.uid, "/review"), { method: "POST", body: { state } });
          Object.assign(ci, updated);
          fill(stateCell, stateBadge(updated.review_state));
          for (const other of b.parentElement.querySelectorAll("button")) other.disabled = other.dataset.action === updated.review_state;
          flash(`${state === "approved" ? "Approved" : "Rejected"} ${updated.name}.`);
        }),
      );
      return b;
    };
    return h("div", { class: "actions" }, make("approved", "Approve", "approve"), make("rejected", "Reject", "reject"));
  }

  function detail(row) {
    const a = row.ci.attributes;
    if (row.kind === "changed") {
      const changes = row.changes.flatMap((ev) => Object.entries(ev.changes).map(([k, [o, n]]) => h("li", {}, h("b", {}, k), ": ", fmtValue(o), " → ", fmtValue(n))));
      return h("ul", { class: "changes" }, changes.slice(0, 4), changes.length > 4 ? h("li", { class: "muted" }, `+${changes.length - 4} more`) : null);
    }
    const bits = [a.mgmt_ip, [a.vendor, a.model].filter(Boolean).join(" "), a.serial && `S/N ${a.serial}`, a.address, a.description].filter(Boolean);
    return bits.map(fmtValue).join(" · ");
  }

  function rowOf(row) {
    const stateCell = h("td", { class: "state" }, stateBadge(row.ci.review_state));
    const pick = me.may.review ? h("input", { type: "checkbox", "aria-label": "select", checked: selected.has(row.ci.uid) }) : null;
    pick?.addEventListener("change", () => {
      if (pick.checked) selected.set(row.ci.uid, row.ci);
      else selected.delete(row.ci.uid);
      drawToolbar();
    });
    return h(
      "tr",
      { "data-uid": row.ci.uid, "data-kind": row.kind },
      me.may.review ? h("td", {}, pick) : null,
      h("td", {}, badge(row.kind, `k-${row.kind}`)),
      h("td", { class: "cls" }, row.ci.ci_class),
      h("td", { class: "name" }, ciLink(row.ci.uid, row.ci.name)),
      h("td", { class: "detail" }, detail(row)),
      h("td", { class: "when" }, fmtTime(row.ci.last_seen)),
      stateCell,
      me.may.review ? h("td", {}, reviewButtons(row.ci, stateCell)) : null,
    );
  }

  function draw() {
    const shown = rows.filter(matches);
    const limit = pageSize;
    const more = h("button", { type: "button", id: "show-more" }, `Show ${Math.min(50, shown.length - limit)} more`);
    more.addEventListener("click", () => ((pageSize += 50), draw()));
    const headers = [me.may.review ? "" : null, "Kind", "Class", "Name", "Details", "Last seen", "Review", me.may.review ? "Actions" : null].filter((x) => x !== null);
    fill(
      body,
      shown.length
        ? table(headers, shown.slice(0, limit).map(rowOf), "review-table")
        : h("p", { class: "empty" }, "Nothing to review with these filters."),
      shown.length > limit ? h("p", { class: "more" }, h("span", { class: "muted" }, `Showing ${limit} of ${shown.length}. `), more) : null,
    );
  }

  fill(
    view,
    h("div", { class: "page-head" }, h("h1", {}, "Review queue"), h("p", { class: "muted" }, queue.since ? `Changes since ${fmtTime(queue.since)}` : "New, changed and missing configuration items", ` · ${totalNew} CI(s) of ${filters.cls || "any class"} awaiting a first review`)),
    h("div", { class: "card" }, h("div", { class: "filters" }, tabs, classSelect, textInput, runSelect, sinceInput), toolbar, body),
  );
  drawToolbar();
  draw();
}

// ------------------------------------------------------------------ CI page

function attributesTable(ci) {
  const names = Object.keys(ci.attributes).sort();
  const rows = names.map((name) => {
    const p = ci.provenance[name] || {};
    return h(
      "tr",
      {},
      h("th", { scope: "row" }, name),
      h("td", { class: "value" }, fmtValue(ci.attributes[name])),
      h("td", {}, p.source ? badge(p.source, `src-${p.source}`) : "—", p.actor ? ` ${p.actor}` : ""),
      h("td", { class: "when" }, fmtTime(p.confirmed_at)),
    );
  });
  return table(["Attribute", "Value", "Source", "Last confirmed"], rows, "attrs");
}

function manualEditor(ci) {
  if (!me.may.review) return null;
  const a = ci.attributes;
  const owner = h("input", { type: "text", id: "edit-owner", value: a.owner || "", maxlength: 200 });
  const crit = h("select", { id: "edit-criticality" }, CRITICALITY.map((c) => h("option", { value: c, selected: (a.criticality || "") === c }, c || "—")));
  const notes = h("textarea", { id: "edit-notes", rows: 2, maxlength: 4096 });
  notes.value = a.notes || "";
  const save = h("button", { type: "submit" }, "Save");
  const form = h(
    "form",
    { class: "manual" },
    h("label", {}, "Owner", owner),
    h("label", {}, "Criticality", crit),
    h("label", { class: "wide" }, "Notes", notes),
    save,
  );
  form.addEventListener(
    "submit",
    action(save, async () => {
      const body = { owner: owner.value.trim() || null, criticality: crit.value || null, notes: notes.value.trim() || null };
      await api(ciUrl(ci.uid), { method: "PATCH", body });
      flash("Saved.");
      render();
    }),
  );
  return h("details", { class: "edit" }, h("summary", {}, "Edit owner, criticality and notes"), form);
}

/**
 * A search box over CIs whose matches (those ``keep`` accepts) are listed, one button each.
 * ``id`` names the input (``<id>-search``), the results (``<id>-results``) and the button's
 * data attribute (``data-<data>``, the CI's uid); ``run(other)`` is the button's action and
 * ``extra(other)`` any cells between the class and the button.
 */
function ciSearchAction({ id, data, placeholder, keep, headers, label, run, empty, extra = () => null }) {
  const input = h("input", { type: "search", id: `${id}-search`, placeholder, autocomplete: "off" });
  const results = h("div", { id: `${id}-results` });
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (!q) return fill(results);
      try {
        const found = (await searchCis(q, 20)).items.filter(keep);
        fill(
          results,
          found.length
            ? table(
                headers,
                found.map((other) => {
                  const b = h("button", { type: "button", class: "small", [`data-${data}`]: other.uid }, label);
                  b.addEventListener("click", action(b, () => run(other)));
                  return h("tr", {}, h("td", {}, ciLink(other.uid, other.name)), h("td", { class: "cls" }, other.ci_class), extra(other), h("td", {}, b));
                }),
              )
            : h("p", { class: "empty" }, empty),
        );
      } catch (err) {
        failed(err);
      }
    }, 250);
  });
  return [input, results];
}

/** Config managers: find a duplicate of this CI and merge it into this one (this one is kept). */
function mergeSection(ci) {
  if (!me.may.review || ci.merged_into) return null;
  const sameKind = (other) => other.uid !== ci.uid && !other.merged_into && (other.ci_class === ci.ci_class || (DEVICE_CLASSES.has(ci.ci_class) && DEVICE_CLASSES.has(other.ci_class)));
  const search = ciSearchAction({
    id: "duplicate",
    data: "merge",
    placeholder: `Search another ${ci.ci_class} that is the same thing…`,
    keep: sameKind,
    headers: ["Duplicate", "Class", "Last seen", ""],
    extra: (other) => h("td", { class: "when" }, fmtTime(other.last_seen)),
    label: "Merge into this CI",
    empty: "No other CI of this kind matches.",
    run: async (other) => {
      await api("/api/cis/merge", { method: "POST", body: { keep: ci.uid, drop: other.uid } });
      flash(`Merged ${other.name} into ${ci.name}.`);
      render();
    },
  });
  return h("details", { class: "edit", id: "merge-section" }, h("summary", {}, "Merge a duplicate into this CI"), h("p", { class: "muted" }, "The duplicate hands over its relationships and identity and is retired."), search);
}

/** Neighbours for the picture: peers over links for devices, grouped direct relations. */
function neighbourhood(ci, direct, links) {
  const names = new Map(direct.cis.concat(links ? links.cis : []).map((c) => [c.uid, c]));
  const nodes = [];
  if (links) {
    const myIfaces = new Set(links.relationships.filter((r) => r.type === "HAS_INTERFACE" && r.source === ci.uid).map((r) => r.target));
    const deviceOf = new Map(links.relationships.filter((r) => r.type === "HAS_INTERFACE").map((r) => [r.target, r.source]));
    const peers = new Map();
    for (const r of links.relationships.filter((x) => x.type === "CONNECTED_TO")) {
      const [mine, theirs] = myIfaces.has(r.source) ? [r.source, r.target] : myIfaces.has(r.target) ? [r.target, r.source] : [null, null];
      const peer = theirs && deviceOf.get(theirs);
      if (!peer || peer === ci.uid) continue;
      const label = `${names.get(mine)?.name ?? mine} ↔ ${names.get(theirs)?.name ?? theirs}`;
      peers.set(peer, [...(peers.get(peer) || []), label]);
    }
    for (const [uid, labels] of peers) {
      const peer = names.get(uid);
      nodes.push({ id: uid, cls: peer?.ci_class, label: peer?.name ?? uid, sub: peer?.ci_class ?? "", kind: classKind(peer?.ci_class), href: route("ci", uid), edge: labels.length > 1 ? `${labels.length} links` : labels[0], edgeKind: "link" });
    }
  }
  const groups = new Map();
  for (const r of direct.relationships) {
    const other = r.source === ci.uid ? r.target : r.source;
    const cls = names.get(other)?.ci_class ?? "?";
    const key = `${r.type}|${cls}`;
    if (!groups.has(key)) groups.set(key, { type: r.type, cls, uids: [] });
    groups.get(key).uids.push(other);
  }
  for (const g of groups.values()) {
    if (g.uids.length > 5) {
      nodes.push({ id: `group:${g.type}:${g.cls}`, cls: g.cls, label: `${g.uids.length} × ${g.cls}`, sub: "see relationships below", kind: `${classKind(g.cls)} g-group`, edge: g.type });
      continue;
    }
    for (const uid of g.uids) {
      const other = names.get(uid);
      nodes.push({ id: uid, cls: other?.ci_class, label: other?.name ?? uid, sub: other?.ci_class ?? "", kind: classKind(other?.ci_class), href: route("ci", uid), edge: g.type });
    }
  }
  return nodes;
}

/** Network devices on the left, the CI in the middle, what runs on or depends on it to the right. */
function neighbourhoodPicture(ci, neighbours) {
  const side = (n) => (n.cls === "NetworkDevice" ? 0 : ["Server", "Application", "BusinessService"].includes(n.cls) ? 2 : 3);
  const nodes = neighbours.map((n) => ({ ...n, layer: side(n) }));
  nodes.sort((a, b) => a.layer - b.layer || a.label.localeCompare(b.label));
  nodes.push({ id: ci.uid, label: ci.name, sub: ci.ci_class, kind: `${classKind(ci.ci_class)} g-center`, layer: 1 });
  const edges = neighbours.map((n) => ({ from: ci.uid, to: n.id, label: n.edge, kind: n.edgeKind || "" }));
  const svg = drawLayered(nodes, edges, { arrows: false, labels: true });
  svg.id = "neighbourhood";
  return svg;
}

/** Relationships grouped by type and direction; big groups (a switch's 50 interfaces) folded. */
function relationshipsTable(ci, direct) {
  const names = new Map(direct.cis.map((c) => [c.uid, c]));
  const groups = new Map();
  for (const r of direct.relationships) {
    const outgoing = r.source === ci.uid;
    const key = outgoing ? `${r.type} →` : `← ${r.type}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push({ r, other: outgoing ? r.target : r.source });
  }
  if (!groups.size) return h("p", { class: "empty" }, "No relationships.");
  const rowOf = (label, { r, other }) =>
    h(
      "tr",
      { "data-rel": `${r.source} ${r.type} ${r.target}` },
      h("td", {}, label),
      h("td", {}, ciLink(other, names.get(other)?.name)),
      h("td", { class: "cls" }, names.get(other)?.ci_class ?? ""),
      h("td", {}, badge(r.status, `st-${r.status}`)),
      h("td", {}, r.manual ? `manual${r.created_by ? ", " + r.created_by : ""}` : r.sources.join(", ")),
      h("td", { class: "when" }, fmtTime(r.last_seen)),
      h("td", {}, r.manual && me.may.review ? unlinkButton(r, names.get(other)?.name ?? other) : null),
    );
  const headers = ["Relationship", "Other CI", "Class", "Status", "Source", "Last seen", ""];
  const small = [...groups].filter(([, items]) => items.length <= 8);
  const big = [...groups].filter(([, items]) => items.length > 8);
  return [
    small.length ? table(headers, small.flatMap(([label, items]) => items.map((item) => rowOf(label, item))), "rels") : null,
    big.map(([label, items]) =>
      h("details", { class: "rel-group" }, h("summary", {}, `${label} ${items.length} × ${names.get(items[0].other)?.ci_class ?? "CI"}`), table(headers, items.slice(0, 500).map((item) => rowOf(label, item)), "rels")),
    ),
  ];
}

function eventItem(ev) {
  const changes = Object.entries(ev.changes || {});
  return h(
    "li",
    { class: `event ev-${ev.kind}` },
    h("div", { class: "event-head" }, h("span", { class: "when" }, fmtTime(ev.at)), badge(ev.kind.replace("_", " "), `ev ev-${ev.kind}`), h("span", { class: "muted" }, `${ev.source} · ${ev.actor}`)),
    ev.subject_kind !== "ci" ? h("div", { class: "subject" }, ev.subject) : null,
    changes.length
      ? h(
          "ul",
          { class: "changes" },
          changes.slice(0, 12).map(([k, v]) => h("li", {}, h("b", {}, k), ": ", Array.isArray(v) && v.length === 2 ? [h("del", {}, fmtValue(v[0])), " → ", h("ins", {}, fmtValue(v[1]))] : fmtValue(v))),
          changes.length > 12 ? h("li", { class: "muted" }, `+${changes.length - 12} more`) : null,
        )
      : null,
  );
}

/** The CI's own events as a timeline; its relationships' events folded below (there can be hundreds). */
function historyTimeline(events) {
  if (!events.length) return h("p", { class: "empty" }, "No history.");
  const own = events.filter((ev) => ev.subject_kind === "ci").reverse();
  const rels = events.filter((ev) => ev.subject_kind !== "ci").reverse();
  return h(
    "div",
    { id: "history" },
    h("ol", { class: "timeline" }, own.slice(0, 100).map(eventItem), own.length > 100 ? h("li", { class: "muted" }, `${own.length - 100} older events not shown`) : null),
    rels.length
      ? h("details", { class: "rel-events" }, h("summary", {}, `${rels.length} relationship event(s)`), h("ol", { class: "timeline" }, rels.slice(0, 200).map(eventItem)))
      : null,
  );
}

function configSection(ci, versions) {
  if (!versions.length) return h("p", { class: "empty" }, "No configuration snapshots for this device.");
  const option = (v) => h("option", { value: v.version }, `v${v.version} · ${fmtTime(v.at)}${v.run_id ? " · " + v.run_id : ""}`);
  const from = h("select", { id: "config-from", "aria-label": "From version" }, versions.map(option));
  const to = h("select", { id: "config-to", "aria-label": "To version" }, versions.map(option));
  from.value = String(versions[Math.max(0, versions.length - 2)].version);
  to.value = String(versions[versions.length - 1].version);
  const out = h("div", { class: "diff-out" });
  const show = async () => {
    try {
      if (from.value === to.value) {
        const v = await api(ciUrl(ci.uid, `/configs/${to.value}`));
        fill(out, h("pre", { class: "config" }, v.text));
        return;
      }
      const d = await api(ciUrl(ci.uid, `/configs/diff${query({ from_version: from.value, to_version: to.value })}`));
      const lines = d.diff ? d.diff.split("\n") : [];
      fill(
        out,
        lines.length
          ? h("pre", { class: "diff" }, lines.map((line) => h("span", { class: `line ${line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : ""}` }, line || " ")))
          : h("p", { class: "empty" }, "The two versions are identical."),
      );
    } catch (err) {
      failed(err);
    }
  };
  from.addEventListener("change", show);
  to.addEventListener("change", show);
  show();
  return h("div", {}, h("div", { class: "filters" }, "Compare ", from, " with ", to), out);
}

async function ciPage(view, parts) {
  const uid = parts[0];
  const ci = await api(ciUrl(uid));
  const device = DEVICE_CLASSES.has(ci.ci_class);
  const [direct, links, events, versions] = await Promise.all([
    api(ciUrl(uid, `/dependencies${query({ direction: "both", depth: 1 })}`)),
    device ? api(ciUrl(uid, `/dependencies${query({ direction: "both", depth: 3, types: ["HAS_INTERFACE", "CONNECTED_TO"] })}`)) : null,
    api(ciUrl(uid, "/history")),
    device ? api(ciUrl(uid, "/configs")) : [],
  ]);
  const stateCell = h("span", { id: "review-state" }, stateBadge(ci.review_state));
  const buttons = me.may.review
    ? ["approved", "rejected"].map((state) => {
        const b = h("button", { type: "button", class: state === "approved" ? "approve" : "reject", "data-action": state, disabled: ci.review_state === state }, state === "approved" ? "Approve" : "Reject");
        b.addEventListener(
          "click",
          action(b, async () => {
            const updated = await api(ciUrl(uid, "/review"), { method: "POST", body: { state } });
            fill(stateCell, stateBadge(updated.review_state));
            for (const x of b.parentElement.querySelectorAll("button[data-action]")) x.disabled = x.dataset.action === updated.review_state;
            flash(`${updated.name}: ${updated.review_state}.`);
          }),
        );
        return b;
      })
    : [];
  const nodes = neighbourhood(ci, direct, links);
  const picture = neighbourhoodPicture(ci, nodes);
  fill(
    view,
    h(
      "div",
      { class: "page-head" },
      h("h1", { id: "ci-name" }, ci.name),
      h(
        "div",
        { class: "chips" },
        badge(ci.ci_class, classKind(ci.ci_class)),
        stateBadge(ci.status),
        stateCell,
        ci.reviewed_by ? h("span", { class: "muted" }, `by ${ci.reviewed_by} ${fmtTime(ci.reviewed_at)}`) : null,
        h("span", { class: "muted uid" }, ci.uid),
      ),
      h(
        "div",
        { class: "actions" },
        buttons,
        h("a", { class: "button", href: `#/impact${query({ ci: ci.uid })}` }, "Impact of a change…"),
      ),
      h("p", { class: "muted" }, `First seen ${fmtTime(ci.first_seen)} · last seen ${fmtTime(ci.last_seen)}${ci.last_run ? " in " + ci.last_run : ""}${ci.missing_runs ? ` · missing for ${ci.missing_runs} run(s)` : ""}`),
    ),
    section("Neighbourhood", h("div", { class: "graph-wrap" }, picture), h("p", { class: "muted" }, nodes.length ? `${device ? "Network neighbours on the left; what runs on or depends on it to the right. " : ""}Click a CI to open it.` : "No neighbours.")),
    h("div", { class: "two-col" }, section("Attributes", attributesTable(ci), manualEditor(ci), mergeSection(ci)), section("History", historyTimeline(events))),
    device ? section("Configuration", configSection(ci, versions)) : null,
    section("Relationships", relationshipsTable(ci, direct), dependencyEditor(ci, direct)),
  );
}

// ------------------------------------------------------------------ impact analysis

/** Config managers: remove a relationship a person made (discovered ones follow discovery). */
function unlinkButton(r, otherName) {
  const b = h("button", { type: "button", class: "small reject", "data-unlink": r.type }, "Remove");
  b.addEventListener(
    "click",
    action(b, async () => {
      await api(`/api/relationships${query({ source: r.source, type: r.type, target: r.target })}`, { method: "DELETE" });
      flash(`Removed ${r.type} ${otherName}.`);
      render();
    }),
  );
  return b;
}

const DEPENDABLE = new Set(["Application", "Server", "NetworkDevice", "BusinessService"]);

/** Config managers: record by hand what this CI depends on (a business service on its applications). */
function dependencyEditor(ci, direct) {
  if (!me.may.review || !DEPENDABLE.has(ci.ci_class) || ci.merged_into) return null;
  const needs = direct.relationships.some((r) => r.type === "DEPENDS_ON" && r.source === ci.uid);
  const group = h("input", { type: "text", id: "depends-group", maxlength: 200, placeholder: "optional" });
  const search = ciSearchAction({
    id: "depends",
    data: "depends",
    placeholder: "Search the application, server or service it needs…",
    keep: (o) => o.uid !== ci.uid && DEPENDABLE.has(o.ci_class) && !o.merged_into,
    headers: ["Provider", "Class", ""],
    label: "Depends on it",
    empty: "No application, server or service matches.",
    run: async (other) => {
      const attributes = group.value.trim() ? { redundancy_group: group.value.trim() } : {};
      await api("/api/relationships", { method: "POST", body: { source: ci.uid, type: "DEPENDS_ON", target: other.uid, attributes } });
      flash(`${ci.name} depends on ${other.name}.`);
      render();
    },
  });
  return h(
    "details",
    { class: "edit", id: "depends-section", open: ci.ci_class === "BusinessService" && !needs },
    h("summary", {}, "Add a dependency"),
    h("p", { class: "muted" }, "Impact analysis follows it: if every provider of a redundancy group fails, so does this CI."),
    h("label", {}, "Redundancy group ", group),
    search,
  );
}

function ciPicker(initial) {
  const chosen = new Map(initial.map((ci) => [ci.uid, ci]));
  const chips = h("div", { class: "chips", id: "picked" });
  const input = h("input", { type: "search", id: "impact-search", placeholder: "Search CIs to change…", autocomplete: "off" });
  const results = h("div", { class: "dropdown", id: "impact-results", hidden: true });
  const drawChips = () =>
    fill(
      chips,
      [...chosen.values()].map((ci) => {
        const x = h("button", { type: "button", class: "chip-x", "aria-label": `remove ${ci.name}` }, "×");
        x.addEventListener("click", () => (chosen.delete(ci.uid), drawChips()));
        return h("span", { class: `chip ${classKind(ci.ci_class)}`, "data-uid": ci.uid }, ci.name, x);
      }),
      chosen.size ? null : h("span", { class: "muted" }, "No CI chosen yet."),
    );
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (!q) return (results.hidden = true);
      try {
        const page = await searchCis(q, 10);
        fill(
          results,
          page.items.length
            ? page.items.map((ci) => {
                const item = h("button", { type: "button", class: "dropdown-item", "data-uid": ci.uid }, h("b", {}, ci.name), " ", h("small", {}, `${ci.ci_class} · ${ci.uid}`));
                item.addEventListener("click", () => {
                  chosen.set(ci.uid, ci);
                  drawChips();
                  results.hidden = true;
                  input.value = "";
                });
                return item;
              })
            : h("div", { class: "dropdown-item muted" }, "No CI matches"),
        );
        results.hidden = false;
      } catch (err) {
        failed(err);
      }
    }, 200);
  });
  drawChips();
  return { el: h("div", { class: "picker" }, input, results, chips), chosen };
}

/** A readable name for a CI of a path: its own, or "<device name> <part>" for a part (uid "<device>/if/eth0"). */
function pathName(uid, names) {
  if (names.has(uid)) return names.get(uid);
  const slash = uid.indexOf("/");
  if (slash < 0) return uid;
  const device = uid.slice(0, slash);
  return `${names.get(device) ?? device} ${uid.slice(uid.lastIndexOf("/") + 1)}`;
}

function pathText(path, names) {
  const out = [];
  path.nodes.forEach((uid, i) => {
    if (i > 0) out.push(h("span", { class: "rel" }, ` ${path.rels[i - 1]} → `));
    out.push(ciLink(uid, pathName(uid, names)));
  });
  return h("div", { class: "path" }, out);
}

/** Nodes and edges of the impact picture; parts (interfaces, components, addresses) folded away unless `all`. */
function impactGraph(result, all) {
  const byUid = new Map(result.impacted.concat(result.services).map((i) => [i.uid, i]));
  const shown = (uid) => {
    const i = byUid.get(uid);
    return Boolean(i) && (all || i.changed || MAIN_CLASSES.has(i.ci_class));
  };
  const nodes = new Map();
  const edges = new Map();
  for (const item of byUid.values()) {
    if (!shown(item.uid)) continue;
    for (const path of item.paths) {
      const kept = [];
      path.nodes.forEach((uid, i) => {
        if (shown(uid)) kept.push({ uid, via: i === 0 ? [] : path.rels.slice(0, i) });
      });
      kept.forEach((k, layer) => {
        const i = byUid.get(k.uid);
        const prev = nodes.get(k.uid);
        if (!prev || prev.layer > layer) {
          nodes.set(k.uid, {
            id: k.uid,
            label: i.name || k.uid,
            sub: `${i.ci_class} · ${i.changed ? "changed" : i.state}`,
            state: i.changed ? "CHANGED" : i.state,
            kind: `${classKind(i.ci_class)} st-${i.changed ? "changed" : i.state.toLowerCase()}`,
            layer,
            href: route("ci", k.uid),
          });
        }
        if (layer > 0) {
          const from = kept[layer - 1].uid;
          edges.set(`${from}>${k.uid}`, { from, to: k.uid, kind: `st-${i.state.toLowerCase()}` });
        }
      });
    }
  }
  const order = { CHANGED: 0, OUTAGE: 1, DEGRADED: 2 };
  const list = [...nodes.values()].sort((a, b) => a.layer - b.layer || order[a.state] - order[b.state] || a.label.localeCompare(b.label));
  return { nodes: list.slice(0, 250), edges: [...edges.values()], truncated: list.length > 250 };
}

function impactResult(result, request) {
  const names = new Map(result.impacted.concat(result.services).map((i) => [i.uid, i.name || i.uid]));
  const sum = result.summary;
  const graphBox = h("div", { class: "graph-wrap", id: "impact-graph" });
  const allToggle = h("input", { type: "checkbox", id: "show-all" });
  const drawGraph = () => {
    const g = impactGraph(result, allToggle.checked);
    fill(graphBox, g.nodes.length ? drawLayered(g.nodes, g.edges) : h("p", { class: "empty" }, "Nothing is impacted."), g.truncated ? h("p", { class: "muted" }, "Only the first 250 CIs are drawn.") : null);
  };
  allToggle.addEventListener("change", drawGraph);
  drawGraph();
  const impactRows = (items) =>
    items.slice(0, 400).map((i) =>
      h(
        "tr",
        { "data-uid": i.uid, "data-state": i.state },
        h("td", {}, ciLink(i.uid, i.name)),
        h("td", { class: "cls" }, i.ci_class ?? "?"),
        h("td", {}, i.changed ? badge("changed", "st-changed") : stateBadge(i.state)),
        h("td", {}, i.criticality ?? "—"),
        h(
          "td",
          { class: "paths" },
          i.paths.slice(0, 2).map((p) => pathText(p, names)),
          i.paths.length > 2 ? h("details", {}, h("summary", {}, `${i.paths.length - 2} more path(s)`), i.paths.slice(2).map((p) => pathText(p, names))) : null,
        ),
      ),
    );
  const headers = ["CI", "Class", "State", "Criticality", "Path(s) carrying the impact"];
  return h(
    "div",
    { id: "impact-result" },
    h(
      "div",
      { class: "stats" },
      h("div", { class: "stat st-outage" }, h("b", { id: "count-outage" }, sum.outage), "CIs in outage"),
      h("div", { class: "stat st-degraded" }, h("b", { id: "count-degraded" }, sum.degraded), "CIs degraded"),
      h("div", { class: "stat st-outage" }, h("b", {}, sum.services_outage), "services in outage"),
      h("div", { class: "stat st-degraded" }, h("b", {}, sum.services_degraded), "services degraded"),
    ),
    h("p", { class: "muted" }, result.effect === "down" ? "The changed CIs stop working during the change." : "Worst case: what stops if the change goes wrong."),
    result.unknown.length ? h("p", { class: "warning" }, `Unknown or retired CIs ignored: ${result.unknown.join(", ")}`) : null,
    section(
      "Impact graph",
      h(
        "div",
        { class: "legend" },
        badge("changed", "st-changed"),
        badge("OUTAGE", "st-outage"),
        badge("DEGRADED", "st-degraded"),
        h("label", { class: "toggle" }, allToggle, " also draw interfaces, components and addresses"),
      ),
      graphBox,
    ),
    section("Business services", result.services.length ? table(headers, impactRows(result.services), "impact-table services") : h("p", { class: "empty" }, "No business service is impacted.")),
    me.may.change ? changeForm(request) : null,
    section("Impacted CIs", impactedList(result.impacted, impactRows, headers)),
  );
}

/** Devices, applications and services first; their parts (interfaces, components, addresses) on demand. */
function impactedList(impacted, impactRows, headers) {
  const core = impacted.filter((i) => i.changed || MAIN_CLASSES.has(i.ci_class));
  const parts = impacted.length - core.length;
  const box = h("div", {});
  const toggle = h("input", { type: "checkbox", id: "show-parts" });
  const draw = () => {
    const items = toggle.checked ? impacted : core;
    fill(box, table(headers, impactRows(items), "impact-table"), items.length > 400 ? h("p", { class: "muted" }, `First 400 of ${items.length}.`) : null);
  };
  toggle.addEventListener("change", draw);
  draw();
  return [parts ? h("label", { class: "toggle-line" }, toggle, ` also list ${parts} impacted interfaces, components and addresses`) : null, box];
}

function localInput(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function changeForm(request) {
  const start = new Date();
  start.setDate(start.getDate() + 1);
  start.setHours(22, 0, 0, 0);
  const end = new Date(start.getTime() + 3600_000);
  const from = h("input", { type: "datetime-local", id: "window-start", value: localInput(start), required: true });
  const to = h("input", { type: "datetime-local", id: "window-end", value: localInput(end), required: true });
  const description = h("textarea", { id: "change-description", rows: 2, maxlength: 4096, placeholder: "What is changed, and why" });
  const submit = h("button", { type: "submit", class: "primary", id: "create-change" }, "Create change request");
  const out = h("div", { id: "change-created" });
  const form = h(
    "form",
    { class: "manual" },
    h("label", {}, "Window start (local time)", from),
    h("label", {}, "Window end", to),
    h("label", { class: "wide" }, "Description", description),
    submit,
  );
  form.addEventListener(
    "submit",
    action(submit, async () => {
      const change = await api("/api/changes", {
        method: "POST",
        body: { cis: request.cis, change_type: request.change_type, window_start: new Date(from.value).toISOString(), window_end: new Date(to.value).toISOString(), description: description.value },
      });
      fill(
        out,
        h(
          "p",
          { class: "ok-box" },
          "Change request ",
          h("a", { href: "#/changes" }, change.id),
          " created: risk ",
          badge(`${change.risk_level} (${Math.round(change.risk_score)})`, `risk-${change.risk_level}`),
          change.conflicts.length ? ` · conflicts with ${change.conflicts.join(", ")}` : " · no conflicting change",
        ),
      );
      flash(`Change request ${change.id} created.`);
    }),
  );
  return section("Create a change request from this analysis", form, out);
}

async function impactPage(view, _parts, params) {
  const uids = params.getAll("ci");
  const initial = (await Promise.all(uids.map((u) => api(ciUrl(u)).catch(() => null)))).filter(Boolean);
  const picker = ciPicker(initial);
  const type = h("select", { id: "change-type", "aria-label": "Change type" }, CHANGE_TYPES.map(([v, label]) => h("option", { value: v, selected: v === (params.get("type") || "reboot") }, label)));
  const run = h("button", { type: "submit", class: "primary", id: "analyse" }, "Analyse impact");
  const out = h("div", {});
  const form = h("form", { class: "card impact-form" }, h("label", {}, "CIs to change"), picker.el, h("div", { class: "row" }, h("label", {}, "Change type ", type), run));
  const analyse = async () => {
    const request = { cis: [...picker.chosen.keys()], change_type: type.value };
    if (!request.cis.length) return flash("Choose at least one CI.", "error");
    history.replaceState(null, "", `#/impact${query({ ci: request.cis, type: request.change_type })}`);
    fill(out, h("p", { class: "muted" }, "Analysing…"));
    const result = await api("/api/impact", { method: "POST", body: request });
    fill(out, impactResult(result, request));
  };
  form.addEventListener("submit", action(run, analyse));
  fill(view, h("div", { class: "page-head" }, h("h1", {}, "Impact analysis"), h("p", { class: "muted" }, "What stops (OUTAGE) or loses redundancy (DEGRADED) when these CIs change.")), form, out);
  if (initial.length && params.get("type")) await analyse().catch(failed);
}

// ------------------------------------------------------------------ change requests

/** Discovered changes of audited attributes and configurations that no approved change covers. */
function unauthorizedSection(found) {
  const shown = [...found].reverse().slice(0, 200);
  const rows = shown.map((u) =>
    h(
      "tr",
      { "data-uid": u.uid },
      h("td", {}, ciLink(u.uid, u.name), h("div", { class: "cls" }, u.ci_class || "")),
      h("td", {}, u.kind === "config" ? `configuration v${(u.config_versions || []).join(" → v")}` : u.attribute),
      h("td", { class: "value" }, u.kind === "config" ? "" : `${fmtValue(u.old)} → ${fmtValue(u.new)}`),
      h("td", { class: "when" }, u.previous_run_at ? `${fmtTime(u.previous_run_at)} – ` : "before ", fmtTime(u.at)),
    ),
  );
  return section(
    "Unauthorized changes",
    h("p", { class: "muted" }, "Changes discovery found that no approved change request covers (CI and time window)."),
    rows.length ? table(["CI", "What", "Old → new", "Happened between"], rows, "unauthorized-table") : h("p", { class: "empty" }, "None: every discovered change was covered."),
    found.length > shown.length ? h("p", { class: "muted" }, `The latest ${shown.length} of ${found.length}.`) : null,
  );
}

async function changesPage(view) {
  const [page, unauthorized] = await Promise.all([api("/api/changes?limit=200"), api("/api/audit/unauthorized")]);
  const uids = [...new Set(page.items.flatMap((c) => c.cis))].slice(0, 200);
  const found = await Promise.all(uids.map((u) => api(ciUrl(u)).catch(() => null)));
  const names = new Map(found.filter(Boolean).map((ci) => [ci.uid, ci.name]));
  const rows = [...page.items].reverse().map((c) => {
    const actions = h("td", {});
    if (me.may.change && c.status === "pending") {
      for (const [verb, label] of [["approve", "Approve"], ["reject", "Reject"]]) {
        const b = h("button", { type: "button", class: `small ${verb}` }, label);
        b.addEventListener(
          "click",
          action(b, async () => {
            await api(`/api/changes/${encodeURIComponent(c.id)}/${verb}`, { method: "POST", body: { comment: "" } });
            flash(`Change ${c.id} ${verb}d.`);
            render();
          }),
        );
        actions.append(b);
      }
    }
    return h(
      "tr",
      { "data-id": c.id },
      h("td", {}, c.id),
      h("td", {}, c.change_type.replace("_", " ")),
      h("td", {}, c.cis.map((uid) => h("div", {}, ciLink(uid, names.get(uid))))),
      h("td", { class: "when" }, fmtTime(c.window_start), h("br"), fmtTime(c.window_end)),
      h("td", {}, badge(c.status, `cs-${c.status}`), c.decided_by ? h("div", { class: "muted" }, `by ${c.decided_by}`) : null),
      h("td", {}, badge(`${c.risk_level} ${Math.round(c.risk_score)}`, `risk-${c.risk_level}`)),
      h("td", {}, c.services.length ? c.services.map((s) => h("div", {}, ciLink(s.uid, s.name), " ", stateBadge(s.state))) : "—"),
      h("td", {}, c.conflicts.length ? c.conflicts.join(", ") : "—"),
      h("td", {}, c.description, h("div", { class: "muted" }, `by ${c.created_by}`)),
      actions,
    );
  });
  fill(
    view,
    h("div", { class: "page-head" }, h("h1", {}, "Change requests"), me.may.change ? h("a", { class: "button", href: "#/impact" }, "New from an impact analysis…") : null),
    h("div", { class: "card" }, rows.length ? table(["Id", "Type", "CIs", "Window", "Status", "Risk", "Services", "Conflicts", "Description", ""], rows, "changes-table") : h("p", { class: "empty" }, "No change requests yet.")),
    unauthorizedSection(unauthorized),
  );
}

// ------------------------------------------------------------------ business services

/** Business services are authored by people: list them, and let config managers add one. */
async function servicesPage(view) {
  const page = await api(`/api/cis${query({ ci_class: "BusinessService", limit: 500 })}`);
  const rows = page.items.map((s) =>
    h(
      "tr",
      { "data-uid": s.uid },
      h("td", {}, ciLink(s.uid, s.name)),
      h("td", {}, s.attributes.criticality ? badge(s.attributes.criticality, `crit-${s.attributes.criticality}`) : "—"),
      h("td", {}, s.attributes.owner || "—"),
      h("td", {}, s.attributes.description || ""),
      h("td", {}, h("a", { href: `#/impact${query({ ci: s.uid })}` }, "impact…")),
    ),
  );
  fill(
    view,
    h("div", { class: "page-head" }, h("h1", {}, "Business services")),
    h("div", { class: "card" }, rows.length ? table(["Service", "Criticality", "Owner", "Description", ""], rows, "services-table") : h("p", { class: "empty" }, "No business service yet.")),
    serviceForm(),
  );
}

function serviceForm() {
  if (!me.may.review) return null;
  const name = h("input", { type: "text", id: "service-name", required: true, maxlength: 200 });
  const description = h("input", { type: "text", id: "service-description", maxlength: 1000 });
  const owner = h("input", { type: "text", id: "service-owner", maxlength: 200 });
  const crit = h("select", { id: "service-criticality" }, CRITICALITY.map((c) => h("option", { value: c }, c || "—")));
  const save = h("button", { type: "submit" }, "Create");
  const form = h(
    "form",
    { class: "manual", id: "service-form" },
    h("label", {}, "Name", name),
    h("label", {}, "Criticality", crit),
    h("label", {}, "Owner", owner),
    h("label", { class: "wide" }, "Description", description),
    save,
  );
  form.addEventListener(
    "submit",
    action(save, async () => {
      const body = { ci_class: "BusinessService", name: name.value.trim() };
      for (const [key, el] of [["description", description], ["owner", owner], ["criticality", crit]]) if (el.value.trim()) body[key] = el.value.trim();
      const created = await api("/api/cis", { method: "POST", body });
      flash(`Created ${created.name}. Now add what it depends on.`);
      location.hash = route("ci", created.uid);
    }),
  );
  return section("New business service", form);
}

// ------------------------------------------------------------------ discovery runs

function runFailures(counts) {
  const failed = counts.failed && typeof counts.failed === "object" ? Object.entries(counts.failed) : [];
  if (!failed.length) return h("span", { class: "muted" }, "none");
  return h("ul", { class: "changes" }, failed.map(([reason, n]) => h("li", { class: "fail" }, h("b", {}, n), ` ${reason}`)));
}

function runChanges(counts) {
  const changes = counts.changes && typeof counts.changes === "object" ? counts.changes : counts;
  const keys = ["created", "updated", "missing", "retired", "reappeared", "rels_added", "rels_missing"];
  const bits = keys.filter((k) => Number(changes[k])).map((k) => h("span", { class: `count-chip k-${k}` }, `${k.replace("_", " ")} ${changes[k]}`));
  return bits.length ? bits : h("span", { class: "muted" }, "no changes");
}

async function runsPage(view) {
  const runs = await api("/api/runs");
  const rows = [...runs].reverse().map((r) => {
    const c = r.counts || {};
    const seconds = r.started_at && r.finished_at ? (new Date(r.finished_at) - new Date(r.started_at)) / 1000 : c.duration_seconds;
    return h(
      "tr",
      { "data-uid": r.uid },
      h("td", {}, ciLink(r.uid, r.name)),
      h("td", {}, badge(r.state ?? "?", `run-${r.state}`)),
      h("td", { class: "when" }, fmtTime(r.started_at)),
      h("td", {}, seconds || seconds === 0 ? `${Math.round(seconds)} s` : "—"),
      h("td", { class: "num" }, fmtValue(c.devices_found)),
      h("td", {}, `${fmtValue(c.snmp_targets)} SNMP`, h("br"), h("span", { class: "muted" }, `SSH ${fmtValue(c.ssh_ok)} of ${fmtValue(c.ssh_targets)} ok`)),
      h("td", {}, runChanges(c)),
      h("td", {}, runFailures(c)),
      h("td", {}, h("a", { href: `#/review${query({ run: r.uid })}` }, "review")),
    );
  });
  fill(
    view,
    h("div", { class: "page-head" }, h("h1", {}, "Discovery runs"), h("p", { class: "muted" }, "Newest first; counts as recorded by each run.")),
    h("div", { class: "card" }, rows.length ? table(["Run", "State", "Started", "Took", "Devices found", "Targets", "Graph changes", "Failures", ""], rows, "runs-table") : h("p", { class: "empty" }, "No discovery run yet.")),
  );
}

// ------------------------------------------------------------------ routing

const PAGES = { review: reviewPage, ci: ciPage, services: servicesPage, impact: impactPage, changes: changesPage, runs: runsPage };

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, search = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] || "review", parts: parts.slice(1), params: new URLSearchParams(search) };
}

let renderCount = 0;

async function render() {
  document.body.dataset.ready = ""; // set again when the page is drawn (tests wait for it)
  const { page, parts, params } = parseHash();
  if (!me || page === "login") {
    if (me && page === "login") return (location.hash = "#/review");
    loginPage();
    document.body.dataset.ready = "login";
    return;
  }
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.page === page);
  const handler = PAGES[page];
  if (!handler) return fill(main, h("p", { class: "empty" }, "No such page."));
  const mine = ++renderCount;
  fill(main, h("p", { class: "muted" }, "Loading…"));
  const view = h("div", {});
  try {
    await handler(view, parts, params);
    if (mine === renderCount) fill(main, view); // a later navigation wins over a slow page
  } catch (err) {
    if (mine !== renderCount) return;
    failed(err);
    if (!(err instanceof ApiError && err.status === 401)) fill(main, h("p", { class: "empty error" }, err.message));
  } finally {
    if (mine === renderCount) document.body.dataset.ready = page;
  }
}

async function boot() {
  setupJump();
  if (sessionStorage.getItem(TOKEN_KEY)) {
    try {
      me = await api("/api/me");
    } catch (err) {
      failed(err);
    }
  }
  showWho();
  window.addEventListener("hashchange", render);
  await render();
}

boot();
