// The warmstart dashboard: polls /v1/dashboard and draws each chart as SVG.
// No framework and no build step; the bearer token comes from the URL
// fragment (#token=...) or the form, and stays in this tab's sessionStorage.
"use strict";

const NS = "http://www.w3.org/2000/svg";
const STAGES = ["node", "image", "model", "cuda", "h2d"];
const STAGE_COLORS = ["#8c564b", "#ff7f0e", "#1f77b4", "#2ca02c", "#9467bd"];
const TIERS = { "gpu-resident": "#d62728", "host-memory": "#ff7f0e", "local-disk": "#1f77b4", "shared-fs": "#9edae5" };

function el(name, attrs, parent, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

function size(svg) {
  const box = svg.getBoundingClientRect();
  return [Math.max(box.width, 300), Math.max(box.height, 120)];
}

function empty(svg, why) {
  const [w, h] = size(svg);
  el("text", { x: w / 2, y: h / 2, "text-anchor": "middle", class: "empty" }, svg, why);
  svg.dataset.points = "0";
}

function token() {
  const match = /token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem("warmstart-token", decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname);
  }
  return sessionStorage.getItem("warmstart-token");
}

function drawWaterfall(svg, rows) {
  clear(svg);
  if (!rows.length) return empty(svg, "no cold starts yet");
  const [w, h] = size(svg);
  const left = 150, bar = Math.min(12, (h - 40) / (2 * rows.length) - 3);
  const total = (s) => STAGES.reduce((a, k) => a + s[k], 0);
  const max = Math.max(...rows.map((r) => Math.max(total(r.estimated), total(r.measured))), 1);
  const x = (v) => left + (v / max) * (w - left - 70);
  rows.forEach((row, i) => {
    const y = 8 + i * (2 * bar + 6);
    el("text", { x: left - 6, y: y + bar + 3, "text-anchor": "end", class: "axis" }, svg, `${row.model} (${row.coldStarts})`);
    [["E", row.estimated, 0.55], ["M", row.measured, 1]].forEach(([label, stages, alpha], j) => {
      let at = 0;
      STAGES.forEach((k, s) => {
        el("rect", { x: x(at), y: y + j * bar, width: Math.max(x(at + stages[k]) - x(at), 0), height: bar - 1, fill: STAGE_COLORS[s], "fill-opacity": alpha, "data-stage": k },
          svg).appendChild(el("title", {}, null, `${label} ${k}: ${stages[k].toFixed(1)} s`));
        at += stages[k];
      });
      el("text", { x: x(at) + 3, y: y + j * bar + bar - 2, class: "axis" }, svg, `${label} ${at.toFixed(0)} s`);
    });
  });
  STAGES.forEach((k, s) => {
    el("rect", { x: left + s * 70, y: h - 14, width: 10, height: 10, fill: STAGE_COLORS[s] }, svg);
    el("text", { x: left + s * 70 + 14, y: h - 5, class: "axis" }, svg, k);
  });
  svg.dataset.points = String(rows.length);
}

function drawSeries(div, series) {
  div.replaceChildren();
  if (!series.length) {
    const svg = el("svg", {}, div);
    return empty(svg, "no forecast yet"), (div.dataset.points = "0");
  }
  let points = 0;
  series.slice(0, 6).forEach((s) => {
    const svg = el("svg", {}, div);
    const [w, h] = [300, 150];
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    const n = s.t.length, max = Math.max(...s.hi, ...s.actual, 1e-9);
    const x = (i) => 30 + (i / Math.max(n - 1, 1)) * (w - 40);
    const y = (v) => h - 20 - (v / max) * (h - 40);
    const band = s.hi.map((v, i) => `${x(i)},${y(v)}`).concat(s.lo.map((v, i) => `${x(n - 1 - i)},${y(s.lo[n - 1 - i])}`));
    el("polygon", { points: band.join(" "), fill: "#1f77b4", "fill-opacity": 0.25 }, svg);
    el("polyline", { points: s.mid.map((v, i) => `${x(i)},${y(v)}`).join(" "), fill: "none", stroke: "#1f77b4", "stroke-dasharray": "3 2" }, svg);
    el("polyline", { points: s.actual.map((v, i) => `${x(i)},${y(v)}`).join(" "), fill: "none", stroke: "#d62728", "stroke-width": 1.5, class: "actual" }, svg);
    el("text", { x: 30, y: 12, class: "axis" }, svg, `${s.model} (max ${max.toFixed(2)} req/s)`);
    points += n;
  });
  div.dataset.points = String(points);
}

function drawWarmth(svg, map) {
  clear(svg);
  if (!map.nodes.length || !map.models.length) return empty(svg, "nothing cached yet");
  const [w, h] = size(svg);
  const left = 110, top = 70;
  const cw = (w - left - 10) / map.models.length, ch = Math.min(18, (h - top - 20) / map.nodes.length);
  map.models.forEach((m, j) => el("text", { x: left + j * cw + cw / 2, y: top - 4, class: "axis", transform: `rotate(-35 ${left + j * cw + cw / 2} ${top - 4})` }, svg, m));
  let filled = 0;
  map.nodes.forEach((node, i) => {
    el("text", { x: left - 4, y: top + i * ch + ch - 4, "text-anchor": "end", class: "axis" }, svg, node);
    map.cells[i].forEach((tier, j) => {
      const cell = el("rect", { x: left + j * cw, y: top + i * ch, width: cw - 1, height: ch - 1, fill: TIERS[tier] || "#f0f0f0", "data-tier": tier || "none" }, svg);
      cell.appendChild(el("title", {}, null, `${node} × ${map.models[j]}: ${tier || "not held"}`));
      if (tier) filled += 1;
    });
  });
  Object.entries(TIERS).forEach(([tier, color], k) => {
    el("rect", { x: left + k * 110, y: h - 14, width: 10, height: 10, fill: color }, svg);
    el("text", { x: left + k * 110 + 14, y: h - 5, class: "axis" }, svg, tier);
  });
  svg.dataset.points = String(filled);
}

function drawFrontier(svg, points, state) {
  clear(svg);
  if (!points.length) return empty(svg, `frontier: ${state || "not computed"}`);
  const [w, h] = size(svg);
  const xs = points.map((p) => p.gpuHours), ys = points.map((p) => 100 * p.coldFraction);
  const [x0, x1] = [Math.min(...xs) * 0.95, Math.max(...xs) * 1.05 + 1e-9];
  const y1 = Math.max(...ys) * 1.1 + 1e-9;
  const x = (v) => 50 + ((v - x0) / (x1 - x0)) * (w - 70);
  const y = (v) => h - 30 - (v / y1) * (h - 50);
  el("line", { x1: 50, y1: h - 30, x2: w - 20, y2: h - 30, stroke: "#999" }, svg);
  el("line", { x1: 50, y1: 10, x2: 50, y2: h - 30, stroke: "#999" }, svg);
  el("text", { x: w / 2, y: h - 8, "text-anchor": "middle", class: "axis" }, svg, "GPU-hours");
  el("text", { x: 50, y: h - 18, class: "axis" }, svg, x0.toFixed(0));
  el("text", { x: w - 20, y: h - 18, "text-anchor": "end", class: "axis" }, svg, x1.toFixed(0));
  el("text", { x: 46, y: 14, "text-anchor": "end", class: "axis" }, svg, `${y1.toFixed(2)}%`);
  el("text", { x: 12, y: h / 2, class: "axis", transform: `rotate(-90 12 ${h / 2})` }, svg, "% requests cold");
  const families = {};
  points.forEach((p) => (families[p.policy] = families[p.policy] || []).push(p));
  Object.entries(families).forEach(([policy, ps], f) => {
    const color = ["#1f77b4", "#d62728", "#2ca02c"][f % 3];
    ps.sort((a, b) => a.gpuHours - b.gpuHours);
    el("polyline", { points: ps.map((p) => `${x(p.gpuHours)},${y(100 * p.coldFraction)}`).join(" "), fill: "none", stroke: color }, svg);
    ps.forEach((p) => {
      const mark = p.publishedDefault ? { r: 7, stroke: "#000", "stroke-width": 2 } : { r: 4 };
      el("circle", { cx: x(p.gpuHours), cy: y(100 * p.coldFraction), fill: color, ...mark }, svg)
        .appendChild(el("title", {}, null, `${p.knob}${p.publishedDefault ? " (published default)" : ""}: ${p.gpuHours.toFixed(0)} GPU-h, ${(100 * p.coldFraction).toFixed(3)} % cold, p99 ${p.ttfiP99S.toFixed(1)} s`));
    });
    el("rect", { x: w - 150, y: 12 + f * 14, width: 10, height: 10, fill: color }, svg);
    el("text", { x: w - 136, y: 21 + f * 14, class: "axis" }, svg, policy);
  });
  svg.dataset.points = String(points.length);
}

function drawDecisions(table, items) {
  const body = table.querySelector("tbody");
  body.replaceChildren();
  items.forEach((d) => {
    const row = body.insertRow();
    [new Date(d.at * 1000).toISOString().replace("T", " ").slice(0, 19), d.source, d.kind, d.pool, d.model, d.reason]
      .forEach((v) => (row.insertCell().textContent = v));
  });
  table.dataset.points = String(items.length);
}

async function refresh() {
  const bearer = token();
  const login = document.getElementById("login");
  if (!bearer) { login.hidden = false; return; }
  const reply = await fetch("/v1/dashboard", { headers: { Authorization: `Bearer ${bearer}` } });
  if (reply.status === 401 || reply.status === 403) {
    sessionStorage.removeItem("warmstart-token");
    login.hidden = false;
    document.getElementById("clock").textContent = `token refused (${reply.status})`;
    return;
  }
  const data = await reply.json();
  document.getElementById("clock").textContent =
    `virtual time ${new Date(data.now * 1000).toISOString().slice(0, 16).replace("T", " ")} · ${(100 * data.progress).toFixed(0)} % of the trace`;
  drawWaterfall(document.getElementById("waterfall"), data.waterfall);
  drawSeries(document.getElementById("series"), data.series);
  drawWarmth(document.getElementById("warmth"), data.warmth);
  drawFrontier(document.getElementById("frontier"), data.frontier, data.frontierState);
  drawDecisions(document.getElementById("decisions"), data.decisions);
  document.body.dataset.loaded = String(Date.now());
}

document.getElementById("login").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("warmstart-token", document.getElementById("token").value);
  document.getElementById("login").hidden = true;
  refresh();
});

refresh();
setInterval(refresh, 3000);
