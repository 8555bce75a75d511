// redline workbench: plain JavaScript over the REST API. Untrusted text is only ever set as textContent.
"use strict";

const $ = (sel) => document.querySelector(sel);

// plotly.js (served from the installed plotly package) loads in parallel with the first API calls
const plotlyReady = new Promise((resolve, reject) => {
  const s = document.createElement("script");
  s.src = "/ui/plotly.min.js";
  s.async = true;
  s.onload = () => resolve(window.Plotly);
  s.onerror = () => reject(new Error("could not load plotly.js"));
  document.head.append(s);
});

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function headers() {
  const t = sessionStorage.getItem("redline-token");
  return t ? { Authorization: "Bearer " + t } : {};
}

function showError(msg) {
  const box = $("#error");
  box.textContent = msg;
  box.classList.add("on");
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => box.classList.remove("on"), 6000);
}

async function api(path, params, opts) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) if (v !== "" && v !== null && v !== undefined) url.searchParams.set(k, v);
  const res = await fetch(url, { ...(opts || {}), headers: { ...headers(), ...((opts || {}).headers || {}) } });
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) {
    let detail = body && body.detail;
    if (Array.isArray(detail)) detail = detail.map((d) => (d.loc || []).slice(-1)[0] + ": " + d.msg).join("; ");
    const err = new Error(detail || res.statusText);
    err.status = res.status;
    throw err;
  }
  return body;
}

function fmt(v, digits) {
  if (v === null || v === undefined || Number.isNaN(v)) return "";
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString() : v.toFixed(digits === undefined ? 2 : digits);
  return String(v);
}

function table(rows, cols, onRow) {
  const t = el("table", { class: "data" });
  t.append(el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", {}, c[1])))));
  const tb = el("tbody");
  for (const r of rows) {
    const tr = el("tr", onRow ? { class: "clickable", tabindex: "0" } : {},
      ...cols.map((c) => el("td", { class: c[2] || "" }, c[3] ? c[3](r) : fmt(r[c[0]]))));
    if (onRow) {
      tr.addEventListener("click", () => onRow(r, tr));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") onRow(r, tr); });
    }
    tb.append(tr);
  }
  t.append(tb);
  return t;
}

// ---------------------------------------------------------------- views
function showView(name) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.view === name);
  for (const s of document.querySelectorAll(".view")) s.classList.toggle("active", s.id === "view-" + name);
  if (name === "dyad" && window.Plotly && $("#dyad-chart").data) Plotly.Plots.resize($("#dyad-chart"));
}

const EVENT_COLS = [
  ["date", "date"],
  ["source_actor", "source"],
  ["cameo", "code"],
  ["target_actor", "target"],
  ["goldstein", "Goldstein", "num"],
  ["text", "sentence", "text", (r) => (r.text || "").slice(0, 140)],
];

async function showEvent(id, box) {
  box.replaceChildren(el("p", { class: "muted" }, "loading…"));
  try {
    const { event: e, document: d } = await api("/api/events/" + encodeURIComponent(id));
    const parts = [
      el("h3", {}, `${e.date}: ${e.source_actor || "?"} → ${e.target_actor || "?"}`),
      el("p", { class: "code" }, `CAMEO ${e.cameo}${e.label ? " · " + e.label : ""} · quad class ${fmt(e.quad_class)} · Goldstein ${fmt(e.goldstein, 1)}`),
      el("blockquote", { class: "sentence" }, e.text || "(no sentence stored for this event)"),
    ];
    const src = [];
    if (d) {
      src.push(el("div", {}, "Document: ", el("b", {}, d.title || d.doc_id), d.date ? ` (${d.date})` : "", d.source ? ` · ${d.source}` : ""));
    } else if (e.doc_id) {
      src.push(el("div", {}, `Document ${e.doc_id}`));
    }
    if (e.url) src.push(el("div", {}, "URL: ", safeLink(e.url)));
    else if (d && d.url) src.push(el("div", {}, "URL: ", safeLink(d.url)));
    src.push(el("div", { class: "muted" }, `dataset ${e.dataset}${e.locator ? " · " + e.locator : ""}${e.model ? " · coder " + e.model + " " + (e.model_version || "") : ""}${e.confidence !== null && e.confidence !== undefined ? " · confidence " + fmt(e.confidence) : ""}`));
    parts.push(el("div", { class: "source" }, ...src));
    box.replaceChildren(...parts);
  } catch (err) {
    box.replaceChildren(el("p", { class: "bad" }, "Could not load the event: " + err.message));
  }
}

function safeLink(url) {
  const ok = /^https?:\/\//i.test(url);
  return ok ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url) : el("span", {}, url);
}

// ---------------------------------------------------------------- dyad view
const dyadState = {};
let dyadSeq = 0;

async function loadDyad(ev) {
  if (ev) ev.preventDefault();
  const seq = ++dyadSeq;  // a later request supersedes an earlier one still on its way
  const a = $("#dyad-a").value.trim().toUpperCase();
  const b = $("#dyad-b").value.trim().toUpperCase();
  const by = $("#dyad-by").value;
  const params = { a, b, by, from: $("#dyad-from").value, to: $("#dyad-to").value };
  Object.assign(dyadState, params);
  history.replaceState(null, "", `#dyad/${a}/${b}/${by}`);
  $("#dyad-summary").textContent = "loading…";
  $("#dyad-events").replaceChildren();
  $("#event-detail").replaceChildren();
  try {
    const [fig, ser] = await Promise.all([api("/api/dyad/figure", params), api("/api/dyad", params), plotlyReady]);
    if (seq !== dyadSeq) return;
    const s = ser.series;
    const total = s.reduce((n, r) => n + r.events, 0);
    const coop = s.reduce((n, r) => n + r.verbal_coop + r.material_coop, 0);
    const conf = s.reduce((n, r) => n + r.verbal_conflict + r.material_conflict, 0);
    $("#dyad-summary").textContent = total
      ? `${total.toLocaleString()} events over ${s.length} ${by}s: ${coop.toLocaleString()} cooperative, ${conf.toLocaleString()} conflictual (${a} ↔ ${b}, both directions)`
      : `No events between ${a} and ${b} in the store.`;
    const chart = $("#dyad-chart");
    if (!total || fig.empty) {
      if (window.Plotly) Plotly.purge(chart);
      chart.replaceChildren(el("p", { class: "muted empty" }, "Nothing to draw."));
      return;
    }
    chart.replaceChildren();
    fig.layout.height = 520;
    fig.layout.margin = { t: 50, r: 20, b: 40, l: 60 };
    fig.layout.hovermode = "x unified";
    await Plotly.newPlot(chart, fig.data, fig.layout, { displaylogo: false, responsive: true });
    chart.on("plotly_click", (e) => {
      if (!e.points || !e.points.length) return;
      const x = String(e.points[0].x).slice(0, 10);
      loadPeriod(x);
    });
    chart.dataset.ready = "1";
  } catch (err) {
    if (seq !== dyadSeq) return;
    $("#dyad-summary").textContent = "";
    showError("Dyad: " + err.message);
  }
}

async function loadPeriod(day) {
  const box = $("#dyad-events");
  box.replaceChildren(el("p", { class: "muted" }, "loading…"));
  try {
    const res = await api("/api/events", { dyad: `${dyadState.a},${dyadState.b}`, period: day, by: dyadState.by, limit: 200 });
    const title = el("h3", { id: "period-title" }, `${res.total.toLocaleString()} events in the ${dyadState.by} of ${day}` + (res.total > res.events.length ? ` (first ${res.events.length})` : ""));
    box.replaceChildren(title, table(res.events, EVENT_COLS, (r, tr) => {
      for (const x of box.querySelectorAll("tr.sel")) x.classList.remove("sel");
      tr.classList.add("sel");
      showEvent(r.event_id, $("#event-detail"));
    }));
  } catch (err) {
    box.replaceChildren(el("p", { class: "bad" }, err.message));
  }
}

// ---------------------------------------------------------------- country view
let countrySeq = 0;
async function loadCountry(ev) {
  if (ev) ev.preventDefault();
  const seq = ++countrySeq;
  const code = $("#country-code").value.trim().toUpperCase().slice(0, 3);
  $("#country-name").textContent = "loading…";
  try {
    const c = await api("/api/countries/" + encodeURIComponent(code), { on: $("#country-on").value });
    if (seq !== countrySeq) return;
    $("#country-name").textContent = `${c.name} (${c.code}) — as of ${c.on}`;
    const max = Math.max(1, ...c.partners.map((p) => p.events));
    $("#country-partners").replaceChildren(c.partners.length ? table(c.partners, [
      ["name", "partner"],
      ["events", "events", "num"],
      ["mix", "cooperation / conflict", "", (p) => el("span", { class: "mix" },
        el("span", { class: "coop", style: `width:${(100 * p.cooperation) / max}%` }),
        el("span", { class: "conf", style: `width:${(100 * p.conflict) / max}%` }))],
      ["goldstein_mean", "Goldstein", "num"],
    ], (p) => { $("#dyad-a").value = c.code; $("#dyad-b").value = p.partner; showView("dyad"); loadDyad(); })
      : el("p", { class: "muted" }, "No events with partners in the store."));
    $("#country-alliances").replaceChildren(c.alliances.length ? el("ul", { class: "plain" }, ...c.alliances.map((a) =>
      el("li", {}, el("b", {}, a.kind), " · ", a.name, " · with ", a.partners.slice(0, 12).join(", ") + (a.partners.length > 12 ? ` +${a.partners.length - 12}` : ""),
        el("div", { class: "muted" }, `since ${a.start}${a.carried_forward ? " (ATOP record carried forward)" : ""} · ${a.citation}`))))
      : el("p", { class: "muted" }, "No alliance records in force."));
    $("#country-trade").replaceChildren(c.trade.length ? table(c.trade, [
      ["partner", "partner"],
      ["year", "year", "", (t) => String(t.year)],
      ["share", "share", "num", (t) => (100 * t.share).toFixed(1) + "%"],
      ["origin", "source"],
    ]) : el("p", { class: "muted" }, "No trade records."));
    $("#country-notes").textContent = (c.notes || []).join(" · ");
  } catch (err) {
    $("#country-name").textContent = "";
    showError("Country: " + err.message);
  }
}

// ---------------------------------------------------------------- events view
const evState = { offset: 0, limit: 50, filters: {} };

function eventFilters() {
  const f = {};
  for (const inp of document.querySelectorAll("#events-form input")) if (inp.value.trim()) f[inp.name] = inp.value.trim();
  return f;
}

async function loadEvents(ev) {
  if (ev) { ev.preventDefault(); evState.offset = 0; evState.filters = eventFilters(); }
  const q = new URLSearchParams(evState.filters);
  $("#dl-csv").href = "/api/events?" + q + "&format=csv";
  $("#dl-parquet").href = "/api/events?" + q + "&format=parquet";
  try {
    const res = await api("/api/events", { ...evState.filters, limit: evState.limit, offset: evState.offset });
    $("#events-table").replaceChildren(table(res.events, [["event_id", "id", "muted small"], ...EVENT_COLS, ["dataset", "dataset"]],
      (r, tr) => {
        for (const x of document.querySelectorAll("#events-table tr.sel")) x.classList.remove("sel");
        tr.classList.add("sel");
        showEvent(r.event_id, $("#events-detail"));
      }));
    const last = Math.min(res.total, evState.offset + res.events.length);
    $("#pageinfo").textContent = res.total ? `${(evState.offset + 1).toLocaleString()}–${last.toLocaleString()} of ${res.total.toLocaleString()}` : "no events";
    $("#prev").disabled = evState.offset === 0;
    $("#next").disabled = last >= res.total;
  } catch (err) {
    showError("Events: " + err.message);
  }
}

async function download(ev) {
  // fetched with the token header (a plain link could not carry it), then saved from a blob
  ev.preventDefault();
  const a = ev.currentTarget;
  try {
    const res = await fetch(a.href, { headers: headers() });
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).detail || res.statusText);
    const url = URL.createObjectURL(await res.blob());
    const tmp = el("a", { href: url, download: a.id === "dl-csv" ? "events.csv" : "events.parquet" });
    document.body.append(tmp);
    tmp.click();
    tmp.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    showError("Download: " + err.message);
  }
}

// ---------------------------------------------------------------- questions
async function ask(ev) {
  ev.preventDefault();
  const question = $("#ask-q").value.trim();
  const body = { question };
  if ($("#ask-asof").value) body.as_of = $("#ask-asof").value;
  if ($("#ask-trigger").value.trim()) body.trigger = $("#ask-trigger").value.trim();
  const card = el("div", { class: "card" }, el("h3", {}, question), el("p", { class: "muted" }, "thinking…"));
  $("#cards").prepend(card);
  try {
    const res = await api("/api/ask", null, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
    const q = res.question || {};
    const ev = (res.evidence || []).map((e) => el("li", { class: e.direction > 0 ? "up" : e.direction < 0 ? "down" : "flat" },
      el("b", {}, e.kind), ` (${e.direction > 0 ? "+" : e.direction < 0 ? "−" : "±"}${fmt(Math.abs(e.weight || 0))}) `, e.summary || "",
      e.citation ? el("div", { class: "muted cite" }, e.citation) : null));
    card.replaceChildren(
      el("div", { class: "prob" }, Math.round(100 * res.probability) + "%"),
      el("h3", {}, q.text || question),
      el("p", { class: "muted" }, `${q.actor || "?"} → ${q.target || "?"} · ${q.label || ""} · ${q.start || ""} … ${q.end || ""}`),
      el("ul", { class: "evidence" }, ...ev),
      el("p", { class: "muted small" }, res.method || ""));
  } catch (err) {
    card.replaceChildren(el("h3", {}, question), el("p", { class: "bad" }, (err.status === 501 ? "Not available: " : "") + err.message));
  }
}

async function checkClaims(ev) {
  ev.preventDefault();
  const box = $("#claims");
  box.replaceChildren(el("p", { class: "muted" }, "checking…"));
  const body = { text: $("#check-text").value };
  if ($("#ask-asof").value) body.as_of = $("#ask-asof").value;
  try {
    const res = await api("/api/check", null, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
    const claims = res.claims || [];
    box.replaceChildren(el("h3", {}, `${claims.length} checkable claims`), table(claims, [
      ["verdict", "verdict", "", (c) => el("span", { class: "verdict " + c.verdict }, c.verdict)],
      ["text", "sentence", "text"],
      ["evidence", "evidence", "text", (c) => el("span", {}, c.evidence || "", c.citation ? el("div", { class: "muted cite" }, c.citation) : null)],
    ]));
  } catch (err) {
    box.replaceChildren(el("p", { class: "bad" }, (err.status === 501 ? "Not available: " : "") + err.message));
  }
}

// ---------------------------------------------------------------- alliance network (SVG)
const SVGNS = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const n = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
}

let allianceSeq = 0;
async function loadAlliances(ev) {
  if (ev) ev.preventDefault();
  const seq = ++allianceSeq;
  const code = $("#alliance-code").value.trim().toUpperCase().slice(0, 3);
  const box = $("#network");
  box.replaceChildren();
  try {
    const net = await api("/api/alliances", { country: code, on: $("#alliance-on").value, military: !$("#alliance-all").checked });
    if (seq !== allianceSeq) return;
    box.replaceChildren();
    $("#alliance-notes").textContent = `${net.nodes.length} countries, ${net.edges.length} treaty ties in force on ${net.on}` + ((net.notes || []).length ? " · " + net.notes.join(" · ") : "");
    const W = 900, H = 700, cx = W / 2, cy = H / 2;
    const others = net.nodes.filter((n) => !n.center);
    const pos = {}, angle = {};
    const r = Math.min(290, 130 + others.length * 4);
    others.forEach((n, i) => {
      const t = (2 * Math.PI * i) / Math.max(1, others.length) - Math.PI / 2;
      angle[n.id] = t;
      pos[n.id] = [cx + r * Math.cos(t), cy + r * Math.sin(t)];
    });
    for (const n of net.nodes) if (n.center) pos[n.id] = [cx, cy];
    const colour = (kinds) => (kinds.includes("defense") ? "#b71c1c" : kinds.includes("offense") ? "#6a1b9a" : kinds.includes("mutual_assistance") ? "#e65100" : "#78909c");
    for (const e of net.edges) {
      const [x1, y1] = pos[e.a] || [cx, cy], [x2, y2] = pos[e.b] || [cx, cy];
      const line = svg("line", { x1, y1, x2, y2, stroke: colour(e.kinds), "stroke-width": e.a === code || e.b === code ? 2.5 : 0.8, "stroke-opacity": 0.7 });
      line.append(svg("title", {}, `${e.a} – ${e.b}: ${e.kinds.join(", ")}`));
      box.append(line);
    }
    for (const n of net.nodes) {
      const [x, y] = pos[n.id];
      const g = svg("g", { class: "node" + (n.center ? " center" : "") });
      g.append(svg("circle", { cx: x, cy: y, r: n.center ? 16 : 7 }));
      if (n.center) {
        g.append(svg("text", { x, y: y + 32, "text-anchor": "middle", class: "centre" }, n.id));
      } else {  // labels outside the ring, pointing away from the centre
        const t = angle[n.id], c = Math.cos(t);
        g.append(svg("text", { x: x + 12 * c, y: y + 12 * Math.sin(t) + 4,
          "text-anchor": Math.abs(c) < 0.2 ? "middle" : c > 0 ? "start" : "end" }, n.id));
      }
      g.append(svg("title", {}, n.name));
      box.append(g);
    }
    if (!net.nodes.length) box.append(svg("text", { x: cx, y: cy, "text-anchor": "middle" }, "No alliance records."));
  } catch (err) {
    showError("Alliances: " + err.message);
  }
}

// ---------------------------------------------------------------- start
async function start() {
  $("#token").value = sessionStorage.getItem("redline-token") || "";
  $("#token").addEventListener("change", (e) => { sessionStorage.setItem("redline-token", e.target.value); init(); });
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => {
    showView(b.dataset.view);
    const v = b.dataset.view;
    if (v === "country" && !$("#country-partners").childElementCount) loadCountry();
    if (v === "events" && !$("#events-table").childElementCount) loadEvents({ preventDefault() {} });
    if (v === "alliances" && !$("#network").childElementCount) loadAlliances();
  });
  $("#dyad-form").addEventListener("submit", loadDyad);
  $("#country-form").addEventListener("submit", loadCountry);
  $("#events-form").addEventListener("submit", loadEvents);
  $("#prev").addEventListener("click", () => { evState.offset = Math.max(0, evState.offset - evState.limit); loadEvents(); });
  $("#next").addEventListener("click", () => { evState.offset += evState.limit; loadEvents(); });
  for (const id of ["#dl-csv", "#dl-parquet"]) $(id).addEventListener("click", download);
  $("#ask-form").addEventListener("submit", ask);
  $("#check-form").addEventListener("submit", checkClaims);
  $("#alliance-form").addEventListener("submit", loadAlliances);
  await init();
}

async function init() {
  try {
    const info = await api("/api/info");
    $("#storeinfo").textContent = `${info.path}: ${info.events.toLocaleString()} events, ${info.first_date} … ${info.last_date}`;
    const m = location.hash.match(/^#dyad\/([A-Za-z0-9]{3,15})\/([A-Za-z0-9]{3,15})\/(day|week|month|year)$/);
    if (m) { $("#dyad-a").value = m[1]; $("#dyad-b").value = m[2]; $("#dyad-by").value = m[3]; }
    const chart = loadDyad();
    const acts = await api("/api/actors", { limit: 200 });
    $("#actorlist").replaceChildren(...acts.actors.map((a) => el("option", { value: a.code }, `${a.name} (${a.events.toLocaleString()})`)));
    document.body.dataset.ready = "1";
    await chart;
  } catch (err) {
    document.body.dataset.ready = "1";
    showError(err.status === 401 ? "This service needs a token: enter it above." : "Could not reach the store: " + err.message);
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
