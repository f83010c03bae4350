// The status page: polls /api/v1/status every second and redraws. Every value from the server
// goes into the page as text (textContent), never as HTML: build and file names come from callers.
"use strict";

const POLL_MS = 1000;
const TIMEOUT_MS = 5000;
/** The server's clock minus the browser's, so that "ago" is right on a machine with a wrong clock. */
let skewMs = 0;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(child == null ? "" : String(child)));
  }
  return node;
}

function bytes(n) {
  if (n == null) return "?";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + " " + units[i];
}

function duration(seconds) {
  if (seconds == null) return "";
  if (seconds < 60) return seconds + " s";
  if (seconds < 3600) return Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
  return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
}

function ago(iso) {
  if (!iso) return "";
  const s = Math.max(0, Math.round((Date.now() + skewMs - Date.parse(iso)) / 1000));
  return duration(s) + " ago";
}

/** Fills {@code cell} with a progress bar for {@code job}, or moves the bar already there. */
function progress(cell, job) {
  const total = job.bytes_total;
  const percent = total ? Math.min(100, (100 * job.bytes_done) / total) : 0;
  let bar = cell.querySelector(".bar");
  if (!bar) {
    bar = el("div", {class: "bar", role: "progressbar", "aria-valuemin": "0"}, el("div", {class: "fill"}), el("span", {class: "label"}));
    cell.replaceChildren(bar);
  }
  bar.setAttribute("aria-valuemax", String(total || 0));
  bar.setAttribute("aria-valuenow", String(job.bytes_done));
  bar.firstChild.style.width = percent.toFixed(1) + "%";
  bar.lastChild.textContent = bytes(job.bytes_done) + " / " + bytes(total) + (total ? " (" + percent.toFixed(0) + "%)" : "");
}

/**
 * Makes the table's rows those of {@code items}, keyed by id: a row already shown is updated in
 * place (its bar moves smoothly, a button being clicked stays), new rows are added, gone ones go.
 * A cell is given as text, or as a function that fills or updates the cell.
 */
function syncRows(tableId, items, cellsOf) {
  const body = document.querySelector("#" + tableId + " tbody");
  const shown = new Map([...body.rows].map(row => [row.dataset.key, row]));
  items.forEach((item, index) => {
    const key = String(item.id);
    const cells = cellsOf(item);
    let row = shown.get(key);
    if (!row) {
      // each cell carries its column's name: on a phone a row is shown as a list of labelled cells
      const labels = [...document.querySelectorAll("#" + tableId + " thead th")].map(th => th.textContent);
      row = el("tr", {"data-key": key, "data-job": key}, ...cells.map((_, i) => el("td", {"data-label": labels[i] || ""})));
    }
    shown.delete(key);
    cells.forEach((cell, i) => {
      const td = row.cells[i];
      if (typeof cell === "function") cell(td);
      else if (td.textContent !== String(cell == null ? "" : cell)) td.textContent = cell == null ? "" : String(cell);
    });
    if (body.children[index] !== row) body.insertBefore(row, body.children[index] || null);
  });
  shown.forEach(row => row.remove());
  const empty = document.getElementById(tableId + "-empty");
  if (empty) {
    empty.hidden = items.length > 0;
    document.getElementById(tableId).hidden = items.length === 0;
  }
}

// The admin token (when the server wants one) is asked for once and kept for this tab only.
const TOKEN_KEY = "stagehand-admin-token";

/** A JSON API POST: JSON typed (the server refuses anything else), with the admin token if one was given. */
function post(url) {
  const headers = {"Content-Type": "application/json"};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = "Bearer " + token;
  return fetch(url, {method: "POST", headers: headers, body: "{}"});
}

/** A small form in {@code note} for the admin token; {@code then} runs once one is given. */
function askToken(note, message, then) {
  const input = el("input", {type: "password", autocomplete: "off", "aria-label": "admin token", "data-token": ""});
  const use = el("button", {type: "submit"}, "Use token");
  const form = el("form", {class: "token"}, input, use);
  form.addEventListener("submit", event => {
    event.preventDefault();
    if (!input.value) return;
    sessionStorage.setItem(TOKEN_KEY, input.value);
    note.replaceChildren();
    then();
  });
  note.replaceChildren(el("div", {}, message), form);
  input.focus();
}

function retryButton(cell, job) {
  if (cell.querySelector("button[data-retry]")) return;
  const button = el("button", {type: "button", "data-retry": job.id}, "Retry");
  const note = el("div", {class: "muted"});
  const retry = async () => {
    button.disabled = true;
    button.textContent = "Retrying…";
    note.textContent = "";
    try {
      const r = await post("/api/v1/jobs/" + encodeURIComponent(job.id) + "/retry");
      if (r.status === 401) {
        const hadToken = sessionStorage.getItem(TOKEN_KEY) !== null;
        sessionStorage.removeItem(TOKEN_KEY);
        askToken(note, hadToken ? "That token was refused; try again:" : "Retry needs the admin token:", retry);
      } else if (!r.ok) {
        const body = await r.json().catch(() => ({}));
        note.textContent = body.message || ("the server answered " + r.status);
      }
    } catch (e) {
      note.textContent = "the server could not be reached";
    } finally {
      button.disabled = false;
      button.textContent = "Retry";
    }
  };
  button.addEventListener("click", retry);
  cell.replaceChildren(button, note);
}

function render(s) {
  document.getElementById("node").textContent = "node " + s.node;
  const cards = [["Running", s.queue.RUNNING], ["Queued", s.queue.QUEUED], ["Retry wait", s.queue.RETRY_WAIT],
    ["Waiting for upload", s.queue.WAITING_UPLOAD], ["Failed (24 h)", s.queue.FAILED_LAST_24H]];
  document.getElementById("queue").replaceChildren(...cards.map(([name, value], i) =>
      el("div", {class: "card" + (i === 4 && value > 0 ? " bad" : ""), "data-count": name},
          el("div", {class: "value"}, value), el("div", {class: "muted"}, name))));

  syncRows("running", s.running, job => [job.build_path, job.artifact, cell => progress(cell, job),
    job.bytes_per_second == null ? "" : bytes(job.bytes_per_second) + "/s", duration(job.eta_seconds),
    job.attempts + " of " + job.max_attempts, job.node]);

  const limits = document.getElementById("limits");
  limits.hidden = !s.limits_hit || s.limits_hit.length === 0;
  limits.textContent = limits.hidden ? "" : "Limits hit in the last minute: " + s.limits_hit.map(hit =>
      hit.flag + " (" + hit.refused_last_minute + " refused)").join(", ") + ". Callers get 429 and try again later.";

  syncRows("waiting", s.waiting, job => [job.build_path, job.artifact, job.state,
    job.state === "WAITING_UPLOAD" ? "until " + new Date(job.wait_deadline_at).toLocaleTimeString()
        : job.next_attempt_at ? new Date(job.next_attempt_at).toLocaleTimeString() : "now",
    job.attempts + " of " + job.max_attempts]);

  syncRows("failures", s.failures, job => [job.build_path, job.artifact, job.error, ago(job.finished_at),
    cell => retryButton(cell, job)]);
  const hidden = s.queue.FAILED_LAST_24H - s.failures.length;
  document.getElementById("failures-more").textContent = hidden > 0 ? "and " + hidden + " earlier (GET /api/v1/jobs?state=FAILED)" : "";

  syncRows("builds", s.builds, b => [b.build_path, b.state, bytes(b.staged_bytes), ago(b.last_access_at)]);
  // with hashed placement each node holds the builds on its own disk; with a shared volume they share one
  const nodes = (s.nodes || []).filter(n => n.state !== "stopped");
  syncRows("nodes", nodes, n => [n.id, n.state, n.advertise_url || "shared volume",
    n.builds_held == null ? "" : n.builds_held, n.bytes_held == null ? "" : bytes(n.bytes_held), ago(n.last_seen_at)]);

  const h = s.health;
  const quota = h.max_staged_bytes;
  const disk = document.getElementById("disk");
  const quotaBar = el("div");
  if (quota) progress(quotaBar, {bytes_done: h.staged_bytes, bytes_total: quota});
  disk.replaceChildren(
      el("div", {class: "muted"}, "Staged " + bytes(h.staged_bytes) + (quota ? " of " + bytes(quota) + " allowed" : " (no cap)")),
      quotaBar,
      el("div", {class: "muted"}, "Free on disk " + bytes(h.free_disk_bytes) + ", kept free " + bytes(h.min_free_bytes)));
  const figures = [["CPU", h.cpu_percent + " %"], ["Network", bytes(h.network_total_bytes_per_second) + "/s"],
    ["Disk I/O", bytes(h.disk_total_bytes_per_second) + "/s"], ["HTTP connections", h.apache_client_count],
    ["Downloads here", h.gsutil_count], ["Up", duration(h.uptime_s)]];
  document.getElementById("health").replaceChildren(...figures.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

async function refresh() {
  const badge = document.getElementById("connection");
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    const r = await fetch("/api/v1/status", {cache: "no-store", signal: abort.signal});
    if (!r.ok) throw new Error(r.statusText);
    const s = await r.json();
    skewMs = Date.parse(s.generated_at) - Date.now();
    render(s);
    badge.textContent = "live";
    badge.className = "badge live";
  } catch (e) {
    badge.textContent = "server unreachable";
    badge.className = "badge down";
  } finally {
    clearTimeout(timer);
  }
}

/** One poll at a time: the next starts a second after the last ended, however slow the server. */
async function poll() {
  await refresh();
  setTimeout(poll, POLL_MS);
}

poll();
