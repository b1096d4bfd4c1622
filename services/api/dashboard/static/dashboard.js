// The manager's dashboard: plain script over the tenant's REST routes (no build step, nothing from another host).
// Data goes into the page as text only (textContent), never as markup.
"use strict";

const KEY_STORAGE = "ssi.apiKey"; // sessionStorage: the key lives as long as this tab
const PILLARS = ["brand", "people", "insights", "relationships"];
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
  return node;
}

const fmt = (x, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? "n/a" : Number(x).toFixed(digits));
const pct = (x) => (x === null || x === undefined ? "n/a" : `${(100 * x).toFixed(0)}%`);
function isoDay(date) { return date.toISOString().slice(0, 10); }
function daysAgo(n) { const d = new Date(); d.setUTCDate(d.getUTCDate() - n); return isoDay(d); }

function status(message, isError = false) {
  $("status").textContent = message;
  $("status").classList.toggle("error", isError);
}

class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

async function api(path, params = {}) {
  const key = sessionStorage.getItem(KEY_STORAGE);
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined));
  const url = query.toString() ? `${path}?${query}` : path;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${key}`, Accept: "application/json" } });
  if (!response.ok) {
    let detail = response.statusText;
    try { const problem = await response.json(); detail = problem.detail || problem.title || detail; } catch (_) { /* not json */ }
    throw new ApiError(response.status, detail);
  }
  return response.json();
}

async function guarded(work) {
  try {
    await work();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE);
      showLogin();
      status("That API key was refused. Enter a valid key.", true);
    } else {
      status(error instanceof ApiError ? `The API answered ${error.status}: ${error.message}` : String(error), true);
    }
  }
}

// ---- screens -------------------------------------------------------------------------------------------------

function showScreen(name) {
  for (const tab of document.querySelectorAll("#tabs [role=tab]")) {
    const selected = tab.dataset.screen === name;
    tab.setAttribute("aria-selected", String(selected));
    $(tab.getAttribute("aria-controls")).hidden = !selected;
  }
}

function showLogin() {
  $("tabs").hidden = true;
  for (const panel of document.querySelectorAll("[role=tabpanel]")) panel.hidden = true;
  $("api-key").focus();
}

async function start() {
  $("tabs").hidden = false;
  showScreen("leaderboard");
  await guarded(async () => {
    await loadTeams();
    await loadLeaderboard(true);
    status("Signed in: data of your tenant.");
  });
}

// ---- leaderboard ---------------------------------------------------------------------------------------------

const board = { sort: "-total", cursor: null };

function sortHeaders() {
  for (const th of document.querySelectorAll("#leaderboard th[data-sort]")) {
    const field = th.dataset.sort;
    if (board.sort === field) th.setAttribute("aria-sort", "ascending");
    else if (board.sort === `-${field}`) th.setAttribute("aria-sort", "descending");
    else th.removeAttribute("aria-sort");
  }
}

function repRow(rep) {
  const open = el("button", { type: "button", class: "link", onclick: () => openRep(rep.rep_id) }, rep.name || rep.rep_id);
  const pillars = rep.pillars || {};
  const tenantRank = rep.ranks && rep.ranks.tenant ? rep.ranks.tenant.percentile : null;
  return el("tr", { dataset: { rep: rep.rep_id } },
    el("th", { scope: "row" }, open),
    el("td", {}, rep.team ?? ""),
    el("td", { class: "num", dataset: { field: "total" } }, fmt(rep.total)),
    ...PILLARS.map((p) => el("td", { class: "num", dataset: { field: p } }, fmt(pillars[p]))),
    el("td", { class: "num" }, tenantRank === null || tenantRank === undefined ? "n/a" : fmt(tenantRank, 0)));
}

async function loadLeaderboard(fresh) {
  if (fresh) board.cursor = null;
  const page = await api("/v1/reps", {
    sort: board.sort, limit: 50, cursor: board.cursor, team: $("lb-team").value, min_total: $("lb-min").value,
  });
  const body = document.querySelector("#leaderboard tbody");
  if (fresh) body.replaceChildren();
  body.append(...page.items.map(repRow));
  board.cursor = page.next_cursor;
  $("lb-more").hidden = !page.next_cursor;
  sortHeaders();
}

async function loadTeams() {
  let teams = [];
  try {
    const page = await api("/v1/teams", { limit: 200 });
    teams = page.items.map((t) => t.team ?? t.name).filter((t) => t !== null && t !== undefined);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 401) throw error;
  }
  for (const id of ["lb-team", "team-name"]) {
    const select = $(id);
    const keep = id === "lb-team" ? [el("option", { value: "" }, "All teams")] : [];
    select.replaceChildren(...keep, ...teams.map((t) => el("option", { value: t }, t)));
  }
}

// ---- rep -----------------------------------------------------------------------------------------------------

const charts = {};

function lineChart(id, days, series, labels, window = null) {
  const target = $(id);
  if (charts[id]) charts[id].destroy();
  target.replaceChildren();
  if (typeof uPlot === "undefined" || days.length === 0) return;
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const colours = ["#1a1a1a", "#0b4fb3", "#b35c00", "#2d7a2d", "#7a2d7a"];
  charts[id] = new uPlot({
    width: Math.min(900, Math.max(320, target.clientWidth || 720)), height: 260,
    series: [{}, ...labels.map((label, i) => ({ label, stroke: colours[i % colours.length], width: i === 0 ? 2.5 : 1.5 }))],
    // the whole window on the x axis (a rep with one day of history is one point, not a zoomed-in range)
    scales: { x: { time: true, range: window ? window.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000) : undefined },
      y: { range: [0, 100] } },
  }, [xs, ...series], target);
}

function targetText(target) {
  if (!target || !target.next) return target && target.status === "reached" ? "Target: every milestone reached." : "";
  const when = target.projected_date ? `projected ${target.projected_date}` : "not projected to get there on the recent trend";
  return `Target: ${target.next.score} by ${target.next.by}; ${target.status.replace("_", " ")}, ${when}.`;
}

async function openRep(repId) {
  $("rep-id").value = repId;
  showScreen("rep");
  await guarded(() => loadRep(repId));
}

async function loadRep(repId) {
  const encoded = encodeURIComponent(repId);
  const [score, history] = await Promise.all([
    api(`/v1/reps/${encoded}/score`),
    api(`/v1/reps/${encoded}/history`, { from: daysAgo(89), to: daysAgo(0) }),
  ]);
  let name = repId;
  try { const entry = await api(`/v1/reps/${encoded}`); name = entry.name || repId; } catch (_) { /* no directory entry */ }
  $("rep-name").textContent = name;
  $("rep-total").textContent = fmt(score.total);
  $("rep-model").textContent = `(model ${score.model_version}, as of ${score.as_of})`;
  const change = (score.explanation && score.explanation.change_since_yesterday) || { pillars: {} };
  document.querySelector("#rep-pillars tbody").replaceChildren(...PILLARS.map((p) => {
    const bar = el("span", { class: "bar" });
    bar.style.width = `${(score.pillars[p] / 25) * 10}rem`;
    return el("tr", { dataset: { pillar: p } }, el("th", { scope: "row" }, p),
      el("td", { class: "num" }, fmt(score.pillars[p])), el("td", {}, bar),
      el("td", { class: "num" }, fmt(change.pillars[p])));
  }));
  $("rep-target").textContent = targetText(score.target);
  const points = history.points || [];
  lineChart("rep-trend", points.map((p) => p.day), [points.map((p) => p.total), ...PILLARS.map((k) => points.map((p) => p.pillars[k]))],
    ["total", ...PILLARS], [daysAgo(89), daysAgo(0)]);
  document.querySelector("#rep-trend-table tbody").replaceChildren(
    ...points.map((p) => el("tr", {}, el("td", {}, p.day), el("td", {}, fmt(p.total)))));
  const contributions = (score.explanation && score.explanation.contributions) || [];
  document.querySelector("#rep-explanation tbody").replaceChildren(...contributions.map((c) =>
    el("tr", {}, el("td", {}, c.pillar), el("td", {}, c.source), el("td", {}, c.type), el("td", { class: "num" }, c.events),
      el("td", { class: "num" }, fmt(c.points, 2)), el("td", {}, c.note ?? ""))));
  $("rep-body").hidden = false;
  status(`Rep ${name}.`);
}

// ---- team ----------------------------------------------------------------------------------------------------

function statRow(label, stats) {
  return el("tr", {}, el("th", { scope: "row" }, label), el("td", { class: "num" }, fmt(stats && stats.mean)),
    el("td", { class: "num" }, fmt(stats && stats.median)), el("td", { class: "num" }, fmt(stats && stats.p90)));
}

async function loadTeam() {
  const team = $("team-name").value;
  if (!team) { status("No team to show: the directory has no teams yet."); return; }
  const period = $("team-period").value;
  const data = await api(`/v1/teams/${encodeURIComponent(team)}`, { period });
  const headline = `${team}: ${data.size} reps, mean total ${fmt(data.total && data.total.mean)}`;
  $("team-headline").textContent = headline;
  $("team-target").textContent = targetText(data.target);
  const milestones = (data.target && data.target.milestones) || data.milestones || [];
  document.querySelector("#team-milestones tbody").replaceChildren(...milestones.map((m) =>
    el("tr", {}, el("td", {}, m.score), el("td", {}, m.by), el("td", { class: "num" }, pct(m.share_at_or_above ?? m.share)))));
  document.querySelector("#team-stats tbody").replaceChildren(statRow("total", data.total),
    ...PILLARS.map((p) => statRow(p, data.pillars && data.pillars[p])));
  const bins = data.distribution || data.bins || [];
  const most = Math.max(1, ...bins.map((b) => b.count ?? b.reps ?? 0));
  document.querySelector("#team-bins tbody").replaceChildren(...bins.map((b) => {
    const count = b.count ?? b.reps ?? 0;
    const bar = el("span", { class: "bar" });
    bar.style.width = `${(count / most) * 12}rem`;
    const band = b.from !== undefined ? `${b.from}-${b.to}` : b.bin ?? b.label;
    return el("tr", {}, el("td", {}, band), el("td", { class: "num" }, count), el("td", {}, bar));
  }));
  const trend = data.trend || [];
  lineChart("team-trend", trend.map((t) => t.day), [trend.map((t) => (t.total && t.total.mean !== undefined ? t.total.mean : t.mean ?? t.total))], ["mean total"],
    period.includes("/") ? period.split("/") : null);
  const movers = data.movers || { risers: [], fallers: [] };
  const moverRow = (m) => el("tr", { dataset: { rep: m.rep_id } }, el("th", { scope: "row" },
    el("button", { type: "button", class: "link", onclick: () => openRep(m.rep_id) }, m.name || m.rep_id)),
    el("td", { class: "num" }, fmt(m.from)), el("td", { class: "num" }, fmt(m.to)), el("td", { class: "num" }, fmt(m.change)));
  document.querySelector("#team-risers tbody").replaceChildren(...movers.risers.map(moverRow));
  document.querySelector("#team-fallers tbody").replaceChildren(...movers.fallers.map(moverRow));
  $("team-body").hidden = false;
  status(`Team ${team}.`);
}

// ---- validation and share of voice -----------------------------------------------------------------------------

function correlationRow(label, c) {
  const interval = c && c.interval ? `${fmt(c.interval[0], 2)} to ${fmt(c.interval[1], 2)}` : (c && c.withheld) || "n/a";
  return el("tr", { dataset: { measure: label } }, el("th", { scope: "row" }, label),
    el("td", { class: "num" }, fmt(c && c.rho, 2)), el("td", { class: "num" }, interval),
    el("td", { class: "num" }, c && c.n !== undefined ? c.n : ""));
}

function cohortRows(prefix, cohort) {
  const score = cohort.score || {};
  const rows = [correlationRow(`${prefix}score (total)`, score.total)];
  for (const p of PILLARS) if (score[p]) rows.push(correlationRow(`${prefix}${p}`, score[p]));
  rows.push(correlationRow(`${prefix}activity count (baseline)`, (cohort.activity_counts || {}).total));
  return rows;
}

async function loadValidation(retry = true) {
  const data = await api("/v1/validation", { period: $("validation-period").value });
  const tenant = data.tenant;
  const periods = (data.quota_periods || []).map((q) => q.period);
  $("validation-periods").replaceChildren(...periods.map((p) => el("option", { value: p })));
  if (tenant.n === 0 && retry && periods.length && !periods.includes($("validation-period").value)) {
    $("validation-period").value = periods[0]; // quotas are set per period: show the latest one there is
    return loadValidation(false);
  }
  const body = document.querySelector("#validation tbody");
  if (tenant.withheld) {
    body.replaceChildren();
    $("validation-note").textContent = `Withheld for the tenant: ${tenant.withheld}`;
    status("Validation withheld.");
    return;
  }
  $("validation-note").textContent = `${tenant.n} reps with a quota for ${data.period}; median attainment ${pct(tenant.attainment_median)}.`;
  const rows = cohortRows("", tenant);
  for (const team of data.teams || []) if (!team.withheld) rows.push(...cohortRows(`${team.team}: `, team));
  body.replaceChildren(...rows);
  status("Validation.");
}

async function loadShareOfVoice() {
  const data = await api("/v1/share-of-voice", { period: $("sov-period").value });
  document.querySelector("#sov tbody").replaceChildren(...(data.brands || []).map((b) => el("tr", { dataset: { brand: b.brand } },
    el("th", { scope: "row" }, `${b.brand}${b.own ? " (own)" : ""}`), el("td", { class: "num" }, b.mentions),
    el("td", { class: "num" }, fmt(b.reach, 0)), el("td", { class: "num" }, pct(b.share_of_voice)))));
  const amp = data.amplification;
  $("sov-amplification").textContent = amp
    ? `Amplification by your reps in the period: ${amp.amplifications} shares by ${amp.reps} reps (reach-weighted ${fmt(amp.reach_weighted)}).`
    : "";
  status("Share of voice.");
}

// ---- wiring --------------------------------------------------------------------------------------------------

function init() {
  const quarter = `${daysAgo(89)}/${daysAgo(0)}`;
  for (const id of ["team-period", "validation-period", "sov-period"]) $(id).value = quarter;
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, $("api-key").value.trim());
    $("api-key").value = "";
    start();
  });
  $("forget-key").addEventListener("click", () => { sessionStorage.removeItem(KEY_STORAGE); showLogin(); status("Key forgotten."); });
  for (const tab of document.querySelectorAll("#tabs [role=tab]")) {
    tab.addEventListener("click", () => {
      showScreen(tab.dataset.screen);
      if (tab.dataset.screen === "team") guarded(loadTeam);
      if (tab.dataset.screen === "validation") guarded(() => loadValidation());
      if (tab.dataset.screen === "sov") guarded(loadShareOfVoice);
    });
  }
  for (const th of document.querySelectorAll("#leaderboard th[data-sort] button")) {
    th.addEventListener("click", () => {
      const field = th.parentElement.dataset.sort;
      board.sort = board.sort === `-${field}` ? field : `-${field}`;
      guarded(() => loadLeaderboard(true));
    });
  }
  $("leaderboard-filters").addEventListener("submit", (e) => { e.preventDefault(); guarded(() => loadLeaderboard(true)); });
  $("lb-more").addEventListener("click", () => guarded(() => loadLeaderboard(false)));
  $("rep-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(() => loadRep($("rep-id").value.trim())); });
  $("team-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(loadTeam); });
  $("validation-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(() => loadValidation(false)); });
  $("sov-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(loadShareOfVoice); });
  if (sessionStorage.getItem(KEY_STORAGE)) start(); else showLogin();
}

document.addEventListener("DOMContentLoaded", init);
