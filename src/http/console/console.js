// The agent console: the seat buttons, the call that rings (screen pop), a ticket for the
// caller, and for supervisors the queues and agents. Live updates come from
// /console/events (server-sent events: seat, card, overview); state-changing requests
// carry the session's CSRF token (common.js: $, api, fill, cell).
"use strict";

let currentCard = null;
let workNumber = null;

function showSeat(seat) {
  $("seat-state").textContent = seat.state;
  $("seat-reason").textContent = seat.reason ? "(" + seat.reason + ")" : "";
}

async function pressSeat(state, reason) {
  const answer = await api("POST", "/console/api/state", { state, reason });
  $("seat-error").textContent = answer.ok ? "" : answer.json.error || String(answer.status);
  if (answer.ok) showSeat(answer.json);
}

function draftValue(card, name) {
  const field = (card.draft || []).find(([key]) => key === name);
  return field ? field[1] : "";
}

// The screen pop is for the agent's own calls; supervisors see the others in the overview.
function showCard(card) {
  if (card.agent !== workNumber) return;
  const newCall = !currentCard || currentCard.call_id !== card.call_id;
  currentCard = card;
  $("call").hidden = false;
  $("call-caller").textContent = card.caller;
  $("call-stage").textContent = card.stage;
  const line = card.line || {};
  const facts = [
    ["类型 Kind", line.kind], ["地区 Prefecture", line.prefecture],
    ["状态 Status", line.status], ["等级 Tier", line.tier],
  ];
  $("call-line").replaceChildren(...facts.flatMap(([name, value]) => {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = value === undefined || value === null ? "—" : String(value);
    return [dt, dd];
  }));
  fill($("call-path"), card.path || [], (step) => {
    const li = document.createElement("li");
    li.textContent = step;
    return li;
  });
  if (newCall) prefillTicket(card);
}

function prefillTicket(card) {
  const line = card.line || {};
  const number = draftValue(card, "number") || line.number || card.caller;
  $("ticket-number").value = number;
  $("ticket-contact-name").value = line.owner_name || "";
  $("ticket-contact-phone").value =
    draftValue(card, "contact_phone") || line.contact_phone || card.caller;
  $("ticket-phenomenon").value = draftValue(card, "phenomenon");
  $("ticket-complaint-type").value = draftValue(card, "complaint_type");
  $("ticket-order-number").value = draftValue(card, "order");
  $("ticket-description").value = "";
  $("ticket-result").textContent = card.ticket ? "菜单已建工单 Ticket made in the menu: " + card.ticket : "";
  loadTickets(number);
}

async function loadTickets(number) {
  if (!number) return;
  const answer = await api("GET", "/console/api/tickets?number=" + encodeURIComponent(number));
  if (!answer.ok) return;
  const tickets = [...answer.json.active, ...answer.json.history];
  fill($("number-tickets").tBodies[0], tickets, (ticket) => {
    const tr = document.createElement("tr");
    [ticket.id, ticket.serial, ticket.ticket.kind, ticket.state.status].forEach((v) => cell(tr, v));
    tr.lastChild.className = "ticket-state";
    tr.append(ticketActions(ticket, number));
    return tr;
  });
}

// The steps an agent takes on a ticket from the console: dispatch to its team, urge,
// append the caller's remarks, withdraw (the text box gives the remark or the reason).
function ticketActions(ticket, number) {
  const td = document.createElement("td");
  const text = document.createElement("input");
  text.id = "ticket-" + ticket.id + "-text";
  text.placeholder = "备注/原因 Remark / reason";
  const steps = [
    ["dispatch", "派单 Dispatch", () => ({ step: "dispatch", team: ticket.ticket.team })],
    ["urge", "催单 Urge", () => ({ step: "urge" })],
    ["follow-up", "追加 Remarks", () => ({ step: "follow-up", remark: text.value.trim() })],
    ["withdraw", "撤单 Withdraw", () => ({ step: "withdraw", reason: text.value.trim() })],
  ];
  td.append(text);
  for (const [name, label, body] of steps) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = "ticket-" + ticket.id + "-" + name;
    button.textContent = label;
    button.addEventListener("click", async () => {
      const answer = await api("POST", "/console/api/tickets/" + ticket.id + "/events", body());
      $("ticket-step-result").textContent = answer.ok
        ? ticket.serial + ": " + name + " → " + answer.json.to
        : "错误 Error: " + (answer.json.error || answer.status);
      loadTickets(number);
    });
    td.append(button);
  }
  return td;
}

async function submitTicket(event) {
  event.preventDefault();
  const body = {
    kind: $("ticket-kind").value,
    number: $("ticket-number").value.trim(),
    contact_name: $("ticket-contact-name").value.trim(),
    contact_phone: $("ticket-contact-phone").value.trim(),
    description: $("ticket-description").value.trim(),
    menu_path: currentCard ? currentCard.path.join(" > ") : "",
  };
  if (body.kind === "fault") body.phenomenon = $("ticket-phenomenon").value.trim();
  if (body.kind === "complaint") {
    body.complaint_type = $("ticket-complaint-type").value;
    const acceptance = $("ticket-order-number").value.trim();
    if (acceptance) {
      body.order = { acceptance_number: acceptance, state: $("ticket-order-state").value.trim() };
    }
  }
  const answer = await api("POST", "/console/api/tickets", body);
  const created = answer.json.created;
  if (answer.ok && created) {
    $("ticket-result").textContent = "已提交 Submitted: " + created.serial;
  } else if (answer.ok) {
    $("ticket-result").textContent = "未建工单 No ticket made: " + JSON.stringify(answer.json.decision);
  } else {
    const fields = answer.json.fields ? " " + JSON.stringify(answer.json.fields) : "";
    $("ticket-result").textContent = "错误 Error: " + (answer.json.error || answer.status) + fields;
  }
  loadTickets(body.number);
}

function showOverview(overview) {
  $("overview").hidden = false;
  fill($("queues").tBodies[0], overview.queues, (queue) => {
    const tr = document.createElement("tr");
    const wait = queue.longest_wait_seconds;
    const level = queue.service_level;
    [queue.name, queue.waiting, wait === null ? "" : wait.toFixed(0),
     level === null ? "" : (level * 100).toFixed(0) + "%"].forEach((v) => cell(tr, v));
    return tr;
  });
  fill($("agents").tBodies[0], overview.agents, (agent) => {
    const tr = document.createElement("tr");
    [agent.work_number, agent.state, agent.reason, agent.skills.join(", ")].forEach((v) => cell(tr, v));
    return tr;
  });
  fill($("calls").tBodies[0], overview.cards, (card) => {
    const tr = document.createElement("tr");
    [card.caller, card.queue, card.stage, card.agent, card.path.join(" > "), card.ticket]
      .forEach((v) => cell(tr, v));
    return tr;
  });
  fill($("due").tBodies[0], overview.due, (ticket) => {
    const tr = document.createElement("tr");
    if (ticket.overdue) tr.className = "overdue";
    [ticket.serial, ticket.kind, ticket.number, ticket.status, ticket.due_by,
     ticket.overdue ? "超时 overdue" : "即将到期 due soon"].forEach((v) => cell(tr, v));
    return tr;
  });
}

async function loadComplaintTypes() {
  const answer = await api("GET", "/console/api/complaint-types");
  if (!answer.ok) return;
  const select = $("ticket-complaint-type");
  for (const category of answer.json.categories) {
    const group = document.createElement("optgroup");
    group.label = category.name;
    for (const type of category.types) {
      const option = document.createElement("option");
      option.value = type.code;
      option.textContent = type.name + (type.needs_order ? " (需受理单号 order needed)" : "");
      group.append(option);
    }
    select.append(group);
  }
}

async function start() {
  $("ready").addEventListener("click", () => pressSeat("ready", ""));
  $("not-ready").addEventListener("click", () => pressSeat("not-ready", $("not-ready-reason").value));
  $("ticket").addEventListener("submit", submitTicket);
  await loadComplaintTypes();
  const me = await api("GET", "/console/api/me");
  if (me.ok) {
    workNumber = me.json.agent.work_number;
    const skills = me.json.agent.skills;
    $("operator-nav").hidden = !skills.includes("operator") && !skills.includes("supervisor");
    showSeat(me.json.seat);
    const cards = me.json.cards;
    if (cards.length > 0) showCard(cards[cards.length - 1]);
  }
  const events = new EventSource("/console/events");
  events.addEventListener("seat", (e) => showSeat(JSON.parse(e.data)));
  events.addEventListener("card", (e) => showCard(JSON.parse(e.data)));
  events.addEventListener("overview", (e) => showOverview(JSON.parse(e.data)));
}

start();
