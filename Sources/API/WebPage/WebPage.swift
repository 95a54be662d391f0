import Hummingbird

/// `GET /`: the upload page — plain HTML, CSS and JavaScript in one document,
/// no build step and nothing fetched from elsewhere, so it works offline.
enum WebPage {
    static func register(on router: Router<APIRequestContext>) {
        router.get("/") { _, _ in HTMLPage.response(html) }
    }

    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Poster layers</title>
<style>
  :root { --ink: #1d2430; --muted: #667085; --line: #d0d5dd; --accent: #3a5ccc; --bad: #b42318; --bg: #f6f7f9; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
  main { max-width: 1040px; margin: 0 auto; padding: 24px 16px 48px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 12px; }
  p.lead { color: var(--muted); margin: 0 0 20px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px; margin-bottom: 16px; }
  #drop { border: 2px dashed var(--line); border-radius: 10px; padding: 28px; text-align: center; cursor: pointer; }
  #drop.over { border-color: var(--accent); background: #eef2ff; }
  #drop img { max-height: 160px; max-width: 100%; display: block; margin: 12px auto 0; }
  .row { display: flex; gap: 16px; flex-wrap: wrap; align-items: end; margin-top: 14px; }
  label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); gap: 4px; }
  select, input[type=password] { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; }
  button, a.button { font: inherit; padding: 8px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
  button:disabled { opacity: .5; cursor: default; }
  button.secondary, a.button.secondary { background: #fff; color: var(--accent); }
  #error { display: none; color: var(--bad); background: #fef3f2; border: 1px solid #fecdca; border-radius: 8px; padding: 10px 12px; margin-bottom: 16px; }
  .bar { height: 12px; background: #eaecf0; border-radius: 6px; overflow: hidden; }
  .bar > div { height: 100%; width: 0; background: var(--accent); transition: width .3s; }
  #status { margin-top: 8px; color: var(--muted); }
  #results { display: none; }
  .split { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; }
  @media (max-width: 720px) { .split { grid-template-columns: 1fr; } }
  .stack { position: relative; background: repeating-conic-gradient(#eee 0 25%, #fff 0 50%) 0 0 / 16px 16px; border: 1px solid var(--line); border-radius: 8px; }
  .stack img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; }
  .stack img:first-child { position: static; display: block; visibility: hidden; }
  .gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 10px; }
  .layer { border: 1px solid var(--line); border-radius: 8px; padding: 8px; font-size: 13px; min-width: 0; }
  .layer .thumb { background: repeating-conic-gradient(#eee 0 25%, #fff 0 50%) 0 0 / 12px 12px; border-radius: 4px; }
  .layer img { width: 100%; height: 110px; object-fit: contain; display: block; }
  .layer .meta, .layer .actions { display: flex; flex-wrap: wrap; align-items: center; margin-top: 6px; gap: 6px; }
  .layer .meta label { flex-direction: row; align-items: center; white-space: nowrap; }
  .layer .actions > * { max-width: 100%; font-size: 13px; padding: 4px 8px; white-space: nowrap; }
  .layer .actions input { width: 3.5em; padding: 3px 4px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
  #lineage { color: var(--muted); margin: 0 0 12px; }
  #lineage:empty { display: none; }
  #chart svg { width: 100%; height: 150px; display: block; }
  #chart text { font-size: 11px; fill: var(--muted); }
  #auth { display: none; }
</style>
</head>
<body>
<main>
  <h1>Poster layers</h1>
  <p class="lead">Upload a poster; it comes back as transparent layers — text, subject, background — you can toggle and download.</p>
  <div id="error" role="alert"></div>
  <section id="auth">
    <h2>API key</h2>
    <div class="row"><label>This server needs a key<input type="password" id="key" autocomplete="off"></label>
      <button type="button" id="save-key" class="secondary">Use key</button></div>
  </section>
  <section>
    <div id="drop" tabindex="0">
      <strong>Drop a poster here</strong> or click to choose (PNG or JPEG)
      <input type="file" id="file" accept="image/png,image/jpeg" hidden>
      <div id="chosen"></div>
    </div>
    <div class="row">
      <label>Layers<select id="layers"></select></label>
      <label>Resolution<select id="resolution"><option value="1024">1024 px</option><option value="640">640 px</option></select></label>
      <button type="button" id="go" disabled>Decompose</button>
    </div>
  </section>
  <section id="progress" hidden>
    <div class="bar"><div id="bar"></div></div>
    <div id="status">Waiting…</div>
  </section>
  <section id="results">
    <p id="lineage"></p>
    <div class="split">
      <div><h2>Stacked preview</h2><div class="stack" id="stack"></div></div>
      <div><h2>Layers</h2><div class="gallery" id="gallery"></div></div>
    </div>
    <div class="row" id="exports"><span>All layers in one file:</span>
      <button type="button" class="secondary" data-format="psd">Download PSD</button>
      <button type="button" class="secondary" data-format="pptx">Download PPTX</button>
      <button type="button" class="secondary" data-format="zip">Download ZIP</button></div>
  </section>
  <section>
    <h2>GPU cost, last 7 days</h2>
    <div id="chart">Loading…</div>
  </section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let chosenFile = null, socket = null;

for (let n = 2; n <= 10; n++) $("layers").add(new Option(String(n), String(n), n === 5, n === 5));

function key() { return localStorage.getItem("decomposer-api-key") || ""; }
function headers(extra) { const h = Object.assign({}, extra || {}); if (key()) h["Authorization"] = "Bearer " + key(); return h; }
function showError(message) { const e = $("error"); e.textContent = message; e.style.display = message ? "block" : "none"; }

/** The API's own words for a refusal, never raw JSON. */
async function refusal(response) {
  let message = "The server answered " + response.status + ".";
  try { const body = await response.json(); if (body.error && body.error.message) message = body.error.message; } catch (_) {}
  if (response.status === 401) { $("auth").style.display = "block"; return "This server needs an API key: enter it above."; }
  if (response.status === 413) return "That file is too large: " + message;
  if (response.status === 415) return "That is not a PNG or JPEG poster: " + message;
  if (response.status === 429) return "The server is busy; try again in a minute. (" + message + ")";
  if (response.status === 503) return "The service is temporarily unavailable; try again shortly.";
  return message.charAt(0).toUpperCase() + message.slice(1);
}

function choose(file) {
  showError("");
  if (!file) return;
  if (!/^image\/(png|jpeg)$/.test(file.type) && !/\.(png|jpe?g)$/i.test(file.name)) {
    showError("Choose a PNG or JPEG poster (" + file.name + " is neither)."); return;
  }
  chosenFile = file;
  const preview = document.createElement("img");
  preview.src = URL.createObjectURL(file);
  preview.alt = file.name;
  const size = file.size < 1048576 ? Math.ceil(file.size / 1024) + " KB" : (file.size / 1048576).toFixed(1) + " MB";
  $("chosen").replaceChildren(document.createTextNode(file.name + " · " + size), preview);
  $("go").disabled = false;
}

const drop = $("drop");
drop.addEventListener("click", () => $("file").click());
drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") $("file").click(); });
$("file").addEventListener("change", (e) => choose(e.target.files[0]));
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); choose(e.dataTransfer.files[0]); });
$("save-key").addEventListener("click", () => { localStorage.setItem("decomposer-api-key", $("key").value); $("auth").style.display = "none"; showError(""); loadCosts(); });

function setProgress(progress, message) { $("bar").style.width = progress + "%"; $("status").textContent = progress + "% · " + message; }

$("go").addEventListener("click", async () => {
  if (!chosenFile) return;
  showError(""); $("go").disabled = true; $("results").style.display = "none";
  $("progress").hidden = false; setProgress(0, "Uploading…");
  try {
    const form = new FormData(); form.append("file", chosenFile);
    const uploaded = await fetch("/api/upload", { method: "POST", body: form, headers: headers() });
    if (!uploaded.ok) throw new Error(await refusal(uploaded));
    const file = await uploaded.json();
    const queued = await fetch("/api/decompose", { method: "POST", headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ file_id: file.file_id, num_layers: Number($("layers").value), resolution: Number($("resolution").value) }) });
    if (!queued.ok) throw new Error(await refusal(queued));
    watch((await queued.json()).job_id);
  } catch (error) { showError(error.message); $("go").disabled = false; $("progress").hidden = true; }
});

/** "Split this layer": queues the layer as a new job's image and follows it like an upload. */
async function splitLayer(job, layer, count) {
  showError(""); $("go").disabled = true;
  $("progress").hidden = false; setProgress(0, "Queueing a split of layer " + layer.index + "…");
  try {
    const queued = await fetch("/api/decompose", { method: "POST", headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ source: { job_id: job.job_id, layer: layer.index }, num_layers: count, resolution: job.resolution }) });
    if (!queued.ok) throw new Error(await refusal(queued));
    watch((await queued.json()).job_id);
  } catch (error) { showError(error.message); $("go").disabled = false; }
}

/** Shows a finished job again (the parent link of a split). */
async function showJob(jobID) {
  const response = await fetch("/api/jobs/" + jobID, { headers: headers() });
  if (!response.ok) { showError(await refusal(response)); return; }
  const job = await response.json();
  if (job.status === "completed") showLayers(job); else showError("Job " + jobID + " is " + job.status + ".");
}

/** Follows the job over the WebSocket. A 1013 close (the server found this page too far
    behind) reconnects, and the new snapshot catches up; any other early end falls back to polling. */
function watch(jobID, reconnects = 0) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const token = key() ? "?token=" + encodeURIComponent(key()) : "";
  let finished = false;
  socket = new WebSocket(scheme + "//" + location.host + "/ws/status/" + jobID + token);
  socket.onmessage = (event) => {
    const job = JSON.parse(event.data);
    if (job.error && !job.status) { finished = true; showError("The job could not be found."); return; }
    update(job); if (["completed", "failed", "cancelled"].includes(job.status)) finished = true;
  };
  socket.onclose = (event) => {
    if (finished) return;
    if (event.code === 1013 && reconnects < 5) setTimeout(() => watch(jobID, reconnects + 1), 250 * 2 ** reconnects);
    else poll(jobID);
  };
}

async function poll(jobID) {
  const response = await fetch("/api/jobs/" + jobID, { headers: headers() });
  if (!response.ok) { showError(await refusal(response)); $("go").disabled = false; return; }
  const job = await response.json(); update(job);
  if (!["completed", "failed", "cancelled"].includes(job.status)) setTimeout(() => poll(jobID), 1000);
}

// "3 ahead of you, about 40 s" while queued with a position (absent on older servers).
function queueText(job) {
  if (job.status !== "queued" || typeof job.position !== "number") return job.message;
  const ahead = job.position - 1;
  const line = ahead === 0 ? "Next in line" : ahead + " ahead of you";
  return typeof job.eta_seconds === "number" ? line + ", about " + job.eta_seconds + " s" : line;
}

function update(job) {
  setProgress(job.progress, queueText(job));
  if (job.status === "completed") exportJobID = job.job_id;
  if (job.status === "completed") { showLayers(job); $("go").disabled = false; loadCosts(); }
  if (job.status === "failed") { showError("The decomposition failed: " + (job.error ? job.error.message : "unknown reason")); $("go").disabled = false; }
  if (job.status === "cancelled") { showError("The job was cancelled."); $("go").disabled = false; }
}

function showLineage(job) {
  const lineage = $("lineage"); lineage.replaceChildren();
  if (!job.parent) return;
  const link = document.createElement("a"); link.href = "#"; link.id = "parent-link";
  link.textContent = "job " + job.parent.job_id.slice(0, 8);
  link.addEventListener("click", (e) => { e.preventDefault(); showJob(job.parent.job_id); });
  lineage.append(document.createTextNode("Split of layer " + job.parent.layer + " of "), link);
}

/** The export buttons: /api/ needs the key when the server has one, and a plain link cannot send a
 * header, so the file is fetched with it and saved from a blob URL (also without a key). */
let exportJobID = null;
async function downloadExport(button) {
  if (!exportJobID) return;
  const format = button.dataset.format;
  showError(""); button.disabled = true;
  try {
    const response = await fetch("/api/jobs/" + exportJobID + "/export?format=" + format, { headers: headers() });
    if (!response.ok) { showError(await refusal(response)); return; }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a"); link.href = url; link.download = exportJobID + "." + format;
    document.body.appendChild(link); link.click(); link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (error) {
    showError("The download failed: " + error.message);
  } finally { button.disabled = false; }
}
document.querySelectorAll("#exports button").forEach((b) => b.addEventListener("click", () => downloadExport(b)));

function showLayers(job) {
  const stack = $("stack"), gallery = $("gallery");
  stack.replaceChildren(); gallery.replaceChildren(); showLineage(job);
  $("results").dataset.job = job.job_id;
  job.layers.forEach((layer, i) => {
    const onStack = new Image(); onStack.src = layer.url; onStack.alt = "layer " + layer.index; onStack.dataset.layer = i;
    if (i === 0) { const sizer = new Image(); sizer.src = layer.url; sizer.alt = ""; stack.appendChild(sizer); }
    stack.appendChild(onStack);
    const card = document.createElement("div"); card.className = "layer";
    const thumb = document.createElement("div"); thumb.className = "thumb";
    const img = new Image(); img.src = layer.url; img.alt = layer.filename; img.className = "layer-image"; thumb.appendChild(img);
    const meta = document.createElement("div"); meta.className = "meta";
    const toggle = document.createElement("label");
    const box = document.createElement("input"); box.type = "checkbox"; box.checked = true;
    box.addEventListener("change", () => { onStack.style.display = box.checked ? "" : "none"; });
    toggle.append(box, document.createTextNode(" Layer " + layer.index));
    const download = document.createElement("a"); download.className = "button secondary"; download.textContent = "Download";
    download.href = layer.url; download.download = layer.filename;
    meta.append(toggle);
    const count = document.createElement("input"); count.type = "number"; count.min = "2"; count.max = "10"; count.value = "3";
    count.className = "split-count"; count.title = "Layers to split it into"; count.setAttribute("aria-label", "Layers to split layer " + layer.index + " into");
    const split = document.createElement("button"); split.type = "button"; split.className = "secondary split-layer"; split.textContent = "Split this layer";
    split.addEventListener("click", () => splitLayer(job, layer, Math.min(10, Math.max(2, Number(count.value) || 3))));
    const actions = document.createElement("div"); actions.className = "actions";
    actions.append(download, count, split);
    const size = document.createElement("div"); size.textContent = layer.width + "×" + layer.height + " · " + layer.size_kb.toFixed(0) + " KB";
    card.append(thumb, meta, size, actions); gallery.appendChild(card);
  });
  $("results").style.display = "block";
}

/** Dollars with enough digits that a fraction of a cent never reads $0.00 (e.g. $0.0004). */
function usd(value) {
  if (!(value > 0)) return "$0.00";
  return "$" + value.toFixed(Math.min(8, Math.max(2, -Math.floor(Math.log10(value)))));
}

async function loadCosts() {
  try {
    const response = await fetch("/api/costs?days=7", { headers: headers() });
    if (!response.ok) { $("chart").textContent = await refusal(response); return; }
    const report = await response.json();
    const max = Math.max(...report.days.map((d) => d.usd), 0.000001);
    const w = 700, h = 150, pad = 24, bw = (w - pad) / report.days.length;
    let svg = '<svg viewBox="0 0 ' + w + " " + h + '" role="img" aria-label="GPU cost per day">';
    report.days.forEach((d, i) => {
      // Any non-zero day gets a bar that can be seen, however small next to the largest.
      const bh = d.usd > 0 ? Math.max(3, Math.round((h - 2 * pad) * d.usd / max)) : 0, x = pad + i * bw;
      svg += '<rect x="' + (x + 6) + '" y="' + (h - pad - bh) + '" width="' + (bw - 12) + '" height="' + bh + '" fill="#3a5ccc" data-usd="' + d.usd + '"><title>' + d.date + ": " + usd(d.usd) + ", " + d.requests + " requests</title></rect>";
      svg += '<text x="' + (x + bw / 2) + '" y="' + (h - 6) + '" text-anchor="middle">' + d.date.slice(5) + "</text>";
      svg += '<text x="' + (x + bw / 2) + '" y="' + (h - pad - bh - 4) + '" text-anchor="middle" class="day-cost">' + usd(d.usd) + "</text>";
    });
    const hits = report.total_cache_hits || 0, avoided = report.total_cache_avoided_usd || 0;
    $("chart").innerHTML = svg + "</svg><div>Total: " + usd(report.total_usd) + "</div>" +
      '<div id="cache-savings">Result cache: ' + hits + (hits === 1 ? " job" : " jobs") +
      " served without a GPU call, " + usd(avoided) + " avoided</div>";
  } catch (_) { $("chart").textContent = "Cost figures are unavailable right now."; }
}
loadCosts();
</script>
</body>
</html>
"""#
}
