// The operators' pages: the menu diagram (inline SVG, a layered left-to-right tree from
// the start node) coloured by how callers used it, the menu's status and versions with
// reload and rollback; the prompt catalogue with listening and uploads; the reports with
// a table, bar charts and a CSV link. Uses common.js ($, api, fill, cell, csrf). The
// reports and menu usage are the supervisors' (http/reports.rs): others see the 403's
// message. A report row's numbers become the table's columns whatever they are, nested
// ones as `service_level.general.rate`, so new figures need no change here.
"use strict";

const isOperator = document.querySelector('meta[name="operator"]').content === "yes";
const pageName = document.querySelector('meta[name="page"]').content;
const SVG = "http://www.w3.org/2000/svg";
const BOX = { width: 210, height: 64, gapX: 80, gapY: 14, margin: 16 };
const NO_DATA = "暂无数据 No data";

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function element(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  return node;
}

function shorten(text, length) {
  if (!text) return "";
  return text.length > length ? text.slice(0, length - 1) + "…" : text;
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

// Fills an empty date range with the last `days` days.
function defaultRange(fromId, toId, days) {
  const today = new Date();
  if (!$(toId).value) $(toId).value = isoDay(today);
  if (!$(fromId).value) $(fromId).value = isoDay(new Date(today.getTime() - days * 86400000));
}

function errorText(answer) {
  return "错误 Error " + answer.status + ": " + (answer.json.error || "");
}

// ---- 菜单 Menu ----

let graph = null;
let usage = new Map();

// Columns of node ids: breadth-first from the start along `goto` edges; nodes no edge
// reaches (only `back`/`top` lead there) go in one last column.
function layers(menu) {
  const byId = new Map(menu.nodes.map((node) => [node.id, node]));
  const depth = new Map([[menu.start, 0]]);
  const queue = [menu.start];
  while (queue.length > 0) {
    const id = queue.shift();
    for (const key of (byId.get(id) || { keys: [] }).keys) {
      if (key.target && !depth.has(key.target)) {
        depth.set(key.target, depth.get(id) + 1);
        queue.push(key.target);
      }
    }
  }
  const deepest = Math.max(0, ...depth.values());
  for (const node of menu.nodes) if (!depth.has(node.id)) depth.set(node.id, deepest + 1);
  const columns = [];
  for (const [id, column] of depth) (columns[column] = columns[column] || []).push(id);
  return columns.filter((ids) => ids !== undefined);
}

function promptText(name) {
  const prompt = graph.prompts[name];
  return prompt && prompt.text ? prompt.text : name;
}

function usageLine(counts) {
  if (!counts) return "";
  return "↦" + counts.visits + " ⏱" + counts.timeouts + " ✗" + counts.wrong_keys +
    " ⤫" + counts.gave_up + " ☎" + counts.to_agent;
}

function nodeTitle(node, counts) {
  const lines = [node.id + " (" + node.kind + ")"];
  for (const name of node.prompts) lines.push(name + ": " + promptText(name));
  for (const key of node.keys) lines.push("  " + key.key + " → " + key.action);
  if (counts) {
    lines.push("访问 visits " + counts.visits + ", 超时 timeouts " + counts.timeouts +
      ", 错键 wrong keys " + counts.wrong_keys + ", 放弃 gave up " + counts.gave_up +
      ", 转人工 to agent " + counts.to_agent);
  }
  return lines.join("\n");
}

function fillColour(counts, most) {
  if (!counts || !most) return "#ffffff";
  const lightness = 96 - Math.round(36 * (counts.visits / most));
  return "hsl(210, 75%, " + lightness + "%)";
}

function drawDiagram() {
  const columns = layers(graph);
  const place = new Map();
  columns.forEach((ids, column) => ids.forEach((id, row) => place.set(id, {
    x: BOX.margin + column * (BOX.width + BOX.gapX),
    y: BOX.margin + row * (BOX.height + BOX.gapY),
  })));
  const rows = Math.max(...columns.map((ids) => ids.length));
  const width = 2 * BOX.margin + columns.length * (BOX.width + BOX.gapX);
  const height = 2 * BOX.margin + rows * (BOX.height + BOX.gapY);
  const picture = svg("svg", { width, height, viewBox: "0 0 " + width + " " + height, role: "img" });
  picture.append(svg("title", {}, "菜单 Menu: " + graph.start));
  const edges = svg("g", { class: "edges" });
  const boxes = svg("g", { class: "nodes" });
  const most = Math.max(0, ...[...usage.values()].map((counts) => counts.visits || 0));
  for (const node of graph.nodes) {
    const at = place.get(node.id);
    drawEdges(edges, node, at, place);
    boxes.append(drawNode(node, at, usage.get(node.id), most));
  }
  picture.append(edges, boxes);
  $("menu-diagram").replaceChildren(picture);
  $("menu-welcome").textContent = "欢迎 Welcome: " + graph.welcome.map(promptText).join(" ") +
    " → " + graph.start + " · 版本 version " + graph.version;
}

function drawEdges(group, node, from, place) {
  const drawn = new Set();
  for (const key of node.keys) {
    const to = key.target && place.get(key.target);
    if (!to || drawn.has(key.key + ">" + key.target)) continue;
    drawn.add(key.key + ">" + key.target);
    const [x1, y1] = [from.x + BOX.width, from.y + BOX.height / 2];
    const [x2, y2] = [to.x, to.y + BOX.height / 2];
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    const path = "M" + x1 + "," + y1 + " C" + (x1 + bend) + "," + y1 + " " +
      (x2 - bend) + "," + y2 + " " + x2 + "," + y2;
    const edge = svg("path", { d: path, class: "edge" });
    edge.append(svg("title", {}, node.id + " " + key.key + " → " + key.action));
    group.append(edge);
    const label = svg("text", { x: x1 + 4, y: y1 - 3 - 9 * (drawn.size - 1) % BOX.height, class: "edge-key" }, key.key);
    group.append(label);
  }
}

function drawNode(node, at, counts, most) {
  const colours = { menu: "#4a78b5", collect: "#3f8f4f", record: "#b5804a" };
  const box = svg("g", {
    id: "menu-node-" + node.id, class: "menu-node", transform: "translate(" + at.x + "," + at.y + ")",
  });
  box.append(svg("title", {}, nodeTitle(node, counts)));
  box.append(svg("rect", {
    width: BOX.width, height: BOX.height, rx: 6,
    fill: fillColour(counts, most), stroke: colours[node.kind] || "#555",
  }));
  const kind = node.kind === "menu" ? "" : " [" + node.kind + "]";
  box.append(svg("text", { x: 6, y: 14, class: "node-id" }, node.id + kind));
  box.append(svg("text", { x: 6, y: 29 }, shorten(node.prompts.map(promptText).join(" "), 22)));
  const ends = node.keys.filter((key) => !key.target).map((key) => key.key + ":" + key.action.split(" → ").pop());
  box.append(svg("text", { x: 6, y: 44 }, shorten([...new Set(ends)].join(" "), 34)));
  box.append(svg("text", { x: 6, y: 58, class: "node-usage" }, usageLine(counts)));
  return box;
}

async function loadUsage(event) {
  if (event) event.preventDefault();
  const query = "?from=" + $("usage-from").value + "&to=" + $("usage-to").value;
  const answer = await api("GET", "/api/reports/menu-usage" + query);
  if (!answer.ok) {
    $("usage-note").textContent = errorText(answer);
    usage = new Map();
  } else {
    const rows = answer.json;
    usage = new Map(rows.map((row) => [row.node, row]));
    $("usage-note").textContent = rows.length === 0 ? NO_DATA : "↦ 访问 visits ⏱ 超时 timeouts ✗ 错键 wrong keys ⤫ 放弃 gave up ☎ 转人工 to agent";
  }
  if (graph) drawDiagram();
}

async function loadStatus() {
  const answer = await api("GET", "/api/menu/status");
  const status = $("menu-status");
  if (!answer.ok) {
    status.textContent = errorText(answer);
    return;
  }
  const s = answer.json;
  const facts = element("p", "版本 Version " + s.version + " · 生效 since " + s.activated_at +
    " · 来源 source: " + s.source + " · " + s.menu_file);
  facts.id = "menu-version";
  const parts = [facts];
  const last = s.last_attempt;
  if (last) {
    parts.push(element("p", "上次 Last attempt: " + last.outcome + " (" + last.trigger + ", " + last.at + ")"));
    const lines = last.problems.map((p) => p.file + ":" + p.line + ":" + p.column + ": " + p.message);
    if (last.error) lines.push(last.error);
    if (lines.length > 0) parts.push(element("pre", lines.join("\n"), { class: "problems" }));
  }
  status.replaceChildren(...parts);
}

async function loadVersions() {
  const answer = await api("GET", "/api/menu/versions?limit=50");
  if (!answer.ok) return;
  fill($("menu-versions").tBodies[0], answer.json, (version) => {
    const tr = document.createElement("tr");
    [version.version, version.activated_at, version.source].forEach((value) => cell(tr, value));
    const details = element("details");
    const lines = version.changes ? version.changes.split("\n").length : 0;
    details.append(element("summary", lines + " 行 lines"), element("pre", version.changes, { class: "changes" }));
    cell(tr, "").append(details);
    const actions = cell(tr, "");
    actions.className = "operator-only";
    const rollback = element("button", "回滚 Roll back", { type: "button", id: "rollback-" + version.version });
    rollback.addEventListener("click", () => rollBack(version.version));
    actions.append(rollback);
    return tr;
  });
  showOperatorParts();
}

async function switched(answer) {
  $("menu-result").textContent = answer.ok || answer.status === 422
    ? answer.json.outcome + " → 版本 version " + answer.json.version
    : errorText(answer);
  await Promise.all([loadStatus(), loadVersions(), loadGraph()]);
}

async function rollBack(version) {
  if (!window.confirm("回滚到版本 " + version + "? Roll back to version " + version + "?")) return;
  await switched(await api("POST", "/api/menu/versions/" + version + "/rollback"));
}

async function loadGraph() {
  const answer = await api("GET", "/api/menu/graph");
  if (!answer.ok) {
    $("menu-diagram").textContent = errorText(answer);
    return;
  }
  graph = answer.json;
  drawDiagram();
}

async function startMenu() {
  defaultRange("usage-from", "usage-to", 7);
  $("usage-form").addEventListener("submit", loadUsage);
  $("menu-reload").addEventListener("click", async () => switched(await api("POST", "/api/reload")));
  await Promise.all([loadGraph(), loadStatus(), loadVersions()]);
  await loadUsage();
}

// ---- 提示音 Prompts ----

function flags(entry) {
  const found = [];
  if (entry.missing) found.push("缺文件 missing");
  if (entry.unused) found.push("未使用 unused");
  if (entry.format) found.push("格式 format: " + entry.format);
  return found.map((flag) => element("span", flag, { class: "flag" }));
}

function uploadCell(tr, entry) {
  const td = cell(tr, "");
  td.className = "operator-only";
  const parts = entry.name.split("/");
  if (parts.length !== 2) return;
  const input = element("input", undefined, { type: "file", accept: ".wav,audio/wav", id: "upload-file-" + entry.name });
  const button = element("button", "上传 Upload", { type: "button", id: "upload-" + entry.name });
  button.addEventListener("click", async () => {
    const file = input.files[0];
    if (!file) return;
    const answer = await fetch("/api/prompts/" + parts[0] + "/" + parts[1], {
      method: "PUT", credentials: "same-origin", body: file,
      headers: { "Content-Type": "audio/wav", "X-CSRF-Token": csrf },
    });
    const json = await answer.json().catch(() => ({}));
    const problems = (json.problems || []).map((p) => p.file + ":" + p.line + ":" + p.column + ": " + p.message);
    $("prompts-note").textContent = answer.ok
      ? entry.name + ": " + json.outcome + " → 版本 version " + json.version
      : entry.name + ": 错误 Error " + answer.status + " " + (json.error || problems.join("; "));
    if (answer.ok) loadCatalogue();
  });
  td.append(input, button);
}

async function loadCatalogue() {
  const answer = await api("GET", "/api/prompts");
  if (!answer.ok) {
    $("prompts-note").textContent = errorText(answer);
    return;
  }
  fill($("prompt-catalogue").tBodies[0], answer.json.prompts, (entry) => {
    const tr = element("tr", undefined, { id: "prompt-row-" + entry.name });
    cell(tr, entry.name);
    const text = cell(tr, entry.text || "");
    if (entry.gloss) text.append(element("br"), element("small", entry.gloss));
    cell(tr, entry.duration_ms === null ? "" : (entry.duration_ms / 1000).toFixed(1));
    cell(tr, [...entry.used_in, ...entry.server.map((module) => "server " + module)].join(", "));
    cell(tr, "").append(...flags(entry));
    const listen = cell(tr, "");
    if (!entry.missing) {
      listen.append(element("audio", undefined, { controls: "", preload: "none", src: "/api/prompts/" + entry.name + ".wav" }));
    }
    uploadCell(tr, entry);
    return tr;
  });
  showOperatorParts();
}

// ---- 报表 Reports ----

// A bucket's numbers by column ("calls", "service_level.general.rate") and its texts by key.
function flatten(bucket, prefix, numbers, texts) {
  for (const [key, value] of Object.entries(bucket)) {
    if (typeof value === "number") numbers.set(prefix + key, value);
    else if (typeof value === "string" && prefix === "") texts.set(key, value);
    else if (value && typeof value === "object" && !Array.isArray(value)) flatten(value, prefix + key + ".", numbers, texts);
  }
}

// A bucket's name: its dates (`from`, `to`) when it has them, else all its texts.
function bucketLabel(texts) {
  const [from, to] = [texts.get("from"), texts.get("to")];
  if (from) return from === to || !to ? from : from + " – " + to;
  return [...texts.values()].join(" ");
}

function formatNumber(value) {
  if (value === undefined) return "";
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function barChart(column, rows) {
  const values = rows.map((row) => row.numbers.get(column) || 0);
  const most = Math.max(...values, 0) || 1;
  const [width, height, bar] = [Math.max(280, rows.length * 18 + 20), 120, 14];
  const chart = svg("svg", { width, height, class: "chart", id: "report-chart-" + column });
  chart.append(svg("title", {}, column));
  chart.append(svg("text", { x: 2, y: 12 }, column + " (max " + formatNumber(Math.max(...values, 0)) + ")"));
  values.forEach((value, index) => {
    const barHeight = Math.round((height - 30) * value / most);
    const rect = svg("rect", { x: 10 + index * 18, y: height - 12 - barHeight, width: bar, height: barHeight });
    rect.append(svg("title", {}, rows[index].label + ": " + formatNumber(value)));
    chart.append(rect);
  });
  return chart;
}

function reportQuery() {
  return "?period=" + $("report-period").value + "&from=" + $("report-from").value + "&to=" + $("report-to").value;
}

async function loadReport(event) {
  if (event) event.preventDefault();
  $("report-csv").href = "/api/reports.csv" + reportQuery();
  const answer = await api("GET", "/api/reports" + reportQuery());
  const table = $("report-table");
  table.tHead.replaceChildren();
  table.tBodies[0].replaceChildren();
  $("report-charts").replaceChildren();
  if (!answer.ok) {
    $("report-note").textContent = errorText(answer);
    return;
  }
  const notes = new Set();
  const rows = answer.json.map((bucket) => {
    const [numbers, texts] = [new Map(), new Map()];
    flatten(bucket, "", numbers, texts);
    if (texts.has("from")) {
      for (const [key, text] of texts) if (!["period", "from", "to"].includes(key)) notes.add(text);
    }
    return { numbers, label: bucketLabel(texts) };
  });
  const columns = [...new Set(rows.flatMap((row) => [...row.numbers.keys()]))];
  $("report-note").textContent = rows.length === 0 ? NO_DATA : [rows.length + " 个周期 periods", ...notes].join(" · ");
  const head = document.createElement("tr");
  ["周期 Period", ...columns].forEach((name) => head.append(element("th", name)));
  table.tHead.append(head);
  fill(table.tBodies[0], rows, (row) => {
    const tr = document.createElement("tr");
    cell(tr, row.label);
    columns.forEach((column) => cell(tr, formatNumber(row.numbers.get(column))));
    return tr;
  });
  const preferred = ["calls", "self_service_rate", "to_agents", "transfers_to_agents", "abandoned_in_queue",
    "abandoned", "average_wait_ms", "avg_wait_ms", "average_talk_ms", "avg_talk_ms"];
  const charted = preferred.filter((column) => columns.includes(column));
  const shown = charted.length > 0 ? charted : columns.slice(0, 6);
  if (rows.length > 0) $("report-charts").replaceChildren(...shown.map((column) => barChart(column, rows)));
}

function startReports() {
  defaultRange("report-from", "report-to", 30);
  $("report-form").addEventListener("submit", loadReport);
  loadReport();
}

// ---- the page ----

function showOperatorParts() {
  for (const part of document.querySelectorAll(".operator-only")) part.hidden = !isOperator;
}

function start() {
  showOperatorParts();
  const sections = { menu: startMenu, prompts: loadCatalogue, reports: startReports };
  $(pageName + "-page").hidden = false;
  (sections[pageName] || (() => {}))();
}

start();
