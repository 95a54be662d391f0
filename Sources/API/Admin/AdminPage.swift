import Hummingbird

/// `GET /admin`: the operator's page — plain HTML, CSS and JavaScript in one document like the
/// upload page, no build step and nothing fetched from elsewhere. It asks for `ADMIN_API_KEY`
/// (kept for the browser tab only, in sessionStorage) and sends it with every call; its counts,
/// pauses and cost are live over `/admin/api/events` (read with fetch, which can send the key).
enum AdminPage {
    static func register(on router: Router<APIRequestContext>) {
        router.get("/admin") { _, _ in HTMLPage.response(html) }
    }

    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Decomposer admin</title>
<style>
  :root { --ink: #1d2430; --muted: #667085; --line: #d0d5dd; --accent: #3a5ccc; --bad: #b42318; --good: #067647; --bg: #f6f7f9; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
  main { max-width: 1120px; margin: 0 auto; padding: 24px 16px 48px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 12px; }
  header { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; margin-bottom: 16px; }
  #live { font-size: 13px; color: var(--muted); } #live.on { color: var(--good); }
  section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px; margin-bottom: 16px; }
  .row { display: flex; gap: 12px; flex-wrap: wrap; align-items: end; }
  label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); gap: 4px; }
  label.inline { flex-direction: row; align-items: center; color: var(--ink); }
  input[type=password], input[type=text] { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; }
  button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: var(--accent); } button:disabled { opacity: .5; cursor: default; }
  td button { padding: 2px 8px; font-size: 13px; }
  #auth, #error { display: none; } #error { color: var(--bad); background: #fef3f2; border: 1px solid #fecdca; border-radius: 8px; padding: 10px 12px; margin-bottom: 16px; }
  .counts { display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 10px; }
  .count { border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; }
  .count b { display: block; font-size: 22px; } .count span { color: var(--muted); font-size: 12px; }
  .grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; } @media (max-width: 760px) { .grid2 { grid-template-columns: 1fr; } }
  .grid2 section { margin-bottom: 0; }
  .note { color: var(--muted); margin: 8px 0 0; } .bad { color: var(--bad); }
  .bar { height: 10px; background: #eaecf0; border-radius: 5px; overflow: hidden; margin-top: 8px; } .bar > div { height: 100%; width: 0; background: var(--accent); }
  .tabs { display: flex; gap: 6px; flex-wrap: wrap; margin-bottom: 10px; }
  .tabs button.secondary[aria-selected=true] { background: var(--accent); color: #fff; }
  .table { overflow-x: auto; } table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-weight: 600; color: var(--muted); font-size: 12px; } td.id { font-family: ui-monospace, monospace; font-size: 12px; }
  td.error { color: var(--bad); max-width: 360px; overflow-wrap: anywhere; }
  pre { background: #f2f4f7; border-radius: 8px; padding: 10px; overflow: auto; max-height: 360px; font-size: 12px; }
  #detail { display: none; }
</style>
</head>
<body>
<main>
  <header><div><h1>Decomposer admin</h1><div id="claimable"></div></div><div id="live">connecting…</div></header>
  <section id="auth">
    <h2>Admin key</h2>
    <div class="row"><label>ADMIN_API_KEY<input type="password" id="key" autocomplete="off"></label>
      <button type="button" id="save-key">Use key</button></div>
  </section>
  <div id="error" role="alert"></div>
  <section><h2>Queue</h2><div class="counts" id="counts"></div></section>
  <div class="grid2">
    <section>
      <h2>Pause</h2>
      <div class="row"><label class="inline"><input type="checkbox" id="pause-switch"> Paused</label>
        <label>Message for queued jobs<input type="text" id="pause-message" value="Paused for maintenance" maxlength="500"></label></div>
      <p class="note" id="pause-state"></p><p class="note bad" id="hold-state"></p>
    </section>
    <section><h2>Today's cost</h2><div id="cost"></div><div class="bar"><div id="budget-bar"></div></div><p class="note" id="budget"></p></section>
  </div>
  <section style="margin-top:16px">
    <h2>Jobs</h2>
    <div class="tabs" id="tabs"></div>
    <div class="table"><table><thead><tr><th>Job</th><th>Status</th><th>Progress</th><th>Attempts</th><th>Updated</th><th>Error</th><th></th></tr></thead>
      <tbody id="jobs"></tbody></table></div>
    <p class="note" id="jobs-note"></p>
  </section>
  <section>
    <h2>Dead letters</h2>
    <div class="row"><label>Error code<input type="text" id="dead-error" placeholder="any"></label>
      <label>Failed within<input type="text" id="dead-since" placeholder="e.g. 2h, 7d"></label>
      <button type="button" id="retry-dead">Retry all matching</button></div>
    <div class="row" style="margin-top:10px"><label>Failed more than<input type="text" id="purge-age" placeholder="e.g. 7d (empty: all)"></label>
      <button type="button" id="purge-dead" class="secondary">Purge dead letters</button></div>
    <p class="note">Failed jobs are the dead letters: the Jobs list's failed tab shows them with their errors.</p>
    <p class="note" id="dead-note"></p>
  </section>
  <section id="detail"><h2>Job <span id="detail-id"></span></h2><pre id="detail-json"></pre></section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const STATUSES = ["queued", "processing", "completed", "failed", "cancelled"];
let shownStatus = "failed", liveAbort = null, listTimer = null;

function key() { return sessionStorage.getItem("decomposer-admin-key") || ""; }
function showError(text) { $("error").textContent = text; $("error").style.display = text ? "block" : "none"; }
function needKey() { $("auth").style.display = "block"; $("live").textContent = "needs the admin key"; $("live").className = ""; }

/** One admin API call: the parsed JSON, or an Error carrying the server's message. */
async function call(method, path, body) {
  const init = { method, headers: { Authorization: "Bearer " + key() } };
  if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) { needKey(); throw new Error("The admin key was refused: enter ADMIN_API_KEY above."); }
  if (!response.ok) throw new Error((data.error && data.error.message) || ("HTTP " + response.status));
  return data;
}
/** Runs an operator's action, then shows the queue as it is now (a pause with no job waiting changes no job). */
async function act(what) {
  try { showError(""); await what(); renderStatus(await call("GET", "/admin/api/queue")); } catch (error) { showError(error.message); }
}

function cell(row, text, className) { const td = row.insertCell(); td.textContent = text; if (className) td.className = className; return td; }
function button(td, label, onClick) { const b = document.createElement("button"); b.type = "button"; b.className = "secondary " + label.toLowerCase(); b.textContent = label; b.addEventListener("click", () => act(onClick)); td.appendChild(b); }
function usd(value) { return "$" + (value >= 1 ? value.toFixed(2) : value.toFixed(4)); }
function age(iso) { const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000); return s < 90 ? Math.round(s) + " s ago" : s < 5400 ? Math.round(s / 60) + " min ago" : s < 172800 ? Math.round(s / 3600) + " h ago" : Math.round(s / 86400) + " d ago"; }

function renderStatus(status) {
  const counts = $("counts"); counts.textContent = "";
  const labels = { dead: "failed (dead letters)", delayed: "waiting to retry" };
  const order = ["queued", "delayed", "processing", "completed", "dead", "cancelled"];
  const names = order.filter((n) => n in status.counts).concat(Object.keys(status.counts).filter((n) => !order.includes(n)));
  for (const [name, value] of names.map((n) => [n, status.counts[n]])) {
    const box = document.createElement("div"); box.className = "count"; box.id = "count-" + name;
    const b = document.createElement("b"); b.textContent = value; const span = document.createElement("span"); span.textContent = labels[name] || name;
    box.append(b, span); counts.appendChild(box);
  }
  const paused = status.operator_pause !== null;
  $("pause-switch").checked = paused;
  if (paused && document.activeElement !== $("pause-message")) $("pause-message").value = status.operator_pause.message;
  $("pause-state").textContent = paused ? "Workers claim nothing; queued jobs show: " + status.operator_pause.message : "Workers are claiming jobs.";
  $("hold-state").textContent = status.budget_hold ? "Budget hold: " + status.budget_hold.message + " (" + Math.ceil(status.budget_hold.remaining_seconds / 60) + " min left)" : "";
  $("claimable").textContent = status.claimable ? "Claiming" : "Not claiming";
  const today = status.today || {};
  $("cost").textContent = usd(today.usd || 0) + " on " + today.date + " · " + today.requests + " calls (" + today.failed_requests + " failed) · " + today.cache_hits + " from the cache";
  $("budget").textContent = today.budget_usd === null ? "No daily budget (DAILY_BUDGET_USD unset)" : "Budget " + usd(today.budget_usd) + " · " + Math.round((today.budget_used || 0) * 100) + "% used";
  $("budget-bar").style.width = Math.min(100, Math.round((today.budget_used || 0) * 100)) + "%";
}

function renderTabs() {
  const tabs = $("tabs"); tabs.textContent = "";
  for (const status of STATUSES) {
    const b = document.createElement("button"); b.type = "button"; b.className = "secondary"; b.textContent = status; b.dataset.status = status;
    b.setAttribute("aria-selected", String(status === shownStatus));
    b.addEventListener("click", () => { shownStatus = status; renderTabs(); loadJobs(); }); tabs.appendChild(b);
  }
}

async function loadJobs() {
  const body = $("jobs");
  let list;
  try { list = await call("GET", "/admin/api/jobs?status=" + shownStatus + "&limit=25"); } catch (error) { $("jobs-note").textContent = error.message; return; }
  body.textContent = ""; body.dataset.status = shownStatus;
  for (const job of list.jobs) {
    const row = body.insertRow(); row.dataset.job = job.job_id; row.dataset.status = job.status;
    const id = cell(row, job.job_id.slice(0, 8), "id"); id.title = job.job_id; id.style.cursor = "pointer"; id.addEventListener("click", () => act(() => showJob(job.job_id)));
    cell(row, job.status); cell(row, job.progress + "%"); cell(row, job.attempts); cell(row, age(job.updated_at));
    cell(row, job.error_code ? job.error_code + ": " + (job.error_message || "") : "", "error");
    const actions = row.insertCell();
    if (job.status === "failed") button(actions, "Retry", async () => { await call("POST", "/admin/api/jobs/" + job.job_id + "/retry", { reason: "from the admin page" }); scheduleJobs(0); });
    if (["queued", "processing"].includes(job.status)) button(actions, "Cancel", async () => { await call("POST", "/admin/api/jobs/" + job.job_id + "/cancel"); scheduleJobs(0); });
  }
  $("jobs-note").textContent = list.jobs.length ? "" : "No " + shownStatus + " jobs.";
}
function scheduleJobs(delay) { clearTimeout(listTimer); listTimer = setTimeout(loadJobs, delay === undefined ? 1000 : delay); }

async function showJob(id) {
  const data = await call("GET", "/admin/api/jobs/" + id);
  $("detail").style.display = "block"; $("detail-id").textContent = id; $("detail-json").textContent = JSON.stringify(data, null, 2);
}

/** The live view: server-sent events over fetch (it can send the key; EventSource cannot). */
async function live() {
  if (liveAbort) liveAbort.abort();
  const abort = new AbortController(); liveAbort = abort;
  try {
    const response = await fetch("/admin/api/events", { headers: { Authorization: "Bearer " + key() }, signal: abort.signal });
    if (response.status === 401) { needKey(); return; }
    if (!response.ok) throw new Error("HTTP " + response.status);
    $("live").textContent = "live"; $("live").className = "on"; $("auth").style.display = "none";
    const reader = response.body.getReader(), decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
        let event = "message", data = "";
        for (const line of block.split("\n")) { if (line.startsWith("event: ")) event = line.slice(7); else if (line.startsWith("data: ")) data += line.slice(6); }
        if (event === "status") renderStatus(JSON.parse(data)); else if (event === "job") scheduleJobs();
      }
    }
  } catch (error) { if (abort.signal.aborted) return; }
  if (liveAbort !== abort) return;
  $("live").textContent = "reconnecting…"; $("live").className = "";
  setTimeout(live, 3000);
}

$("save-key").addEventListener("click", () => { sessionStorage.setItem("decomposer-admin-key", $("key").value); showError(""); start(); });
$("pause-switch").addEventListener("change", () => act(async () => {
  if ($("pause-switch").checked) await call("POST", "/admin/api/queue/pause", { message: $("pause-message").value });
  else await call("POST", "/admin/api/queue/resume");
}));
$("retry-dead").addEventListener("click", () => act(async () => {
  const body = { reason: "from the admin page" };
  if ($("dead-error").value.trim()) body.error_code = $("dead-error").value.trim();
  if ($("dead-since").value.trim()) body.since = $("dead-since").value.trim();
  const result = await call("POST", "/admin/api/dead/retry", body);
  $("dead-note").textContent = result.retried + " retried, " + result.refused + " refused";
  scheduleJobs(0);
}));
$("purge-dead").addEventListener("click", () => act(async () => {
  const age = $("purge-age").value.trim();
  if (!confirm(age ? "Delete the dead letters that failed more than " + age + " ago?" : "Delete every dead letter?")) return;
  const result = await call("POST", "/admin/api/dead/purge", age ? { older_than: age } : {});
  $("dead-note").textContent = result.purged + " purged";
  scheduleJobs(0);
}));
function start() { if (!key()) { needKey(); return; } renderTabs(); live(); loadJobs(); }
start();
</script>
</body>
</html>
"""#
}
