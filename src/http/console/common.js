// What every console page's script shares: the session's CSRF token (from
// <meta name="csrf-token">), `$` by id, `api` (fetch with the session; state-changing
// requests carry X-CSRF-Token; a 401 goes back to the login page) and table cells.
"use strict";

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const init = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET") init.headers["X-CSRF-Token"] = csrf;
  const answer = await fetch(path, init);
  if (answer.status === 401) {
    window.location.assign("/console");
  }
  const json = await answer.json().catch(() => ({}));
  return { ok: answer.ok, status: answer.status, json };
}

function fill(list, items, make) {
  list.replaceChildren(...items.map(make));
}

function cell(tr, value) {
  const td = document.createElement("td");
  td.textContent = value === undefined || value === null ? "" : String(value);
  tr.append(td);
  return td;
}
