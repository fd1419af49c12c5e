// aicompute web app: the records table, a record's page and the record form. All text from the data is inserted with textContent (never
// as HTML). Shared helpers come from common.js (window.aicompute).
(() => {
"use strict";
const { $, el, fmt, errorText, apiAll } = window.aicompute;

// --- who makes a change: a name kept in this browser, sent with every write ------------------
const AUTHOR_KEY = "aicompute-author";

function authorName() {
  const field = $("#author-name");
  const typed = field ? field.value.trim() : "";
  return typed || localStorage.getItem(AUTHOR_KEY) || "";
}

function authorField() {
  const field = $("#author-name");
  if (!field) return;
  field.value = localStorage.getItem(AUTHOR_KEY) || "";
  field.addEventListener("change", () => {
    const name = field.value.trim();
    if (name) localStorage.setItem(AUTHOR_KEY, name); else localStorage.removeItem(AUTHOR_KEY);
  });
}

// Writes carry the page's CSRF token and the author (X-Author, percent-encoded UTF-8).
const CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

async function send(path, method, body) {
  const headers = { "Content-Type": "application/json", "X-CSRF-Token": CSRF };
  const author = authorName();
  if (author) headers["X-Author"] = encodeURIComponent(author);
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text }; }
  if (!response.ok) {
    throw Object.assign(new Error(errorText(data)), { status: response.status, body: data });
  }
  return data;
}

function badge(text, title) {
  const node = el("span", text, `badge ${text}`);
  if (title) node.title = title;
  return node;
}

// --- records table ----------------------------------------------------------------------
async function recordsPage() {
  // every record, reviewed or not: unreviewed ones carry a badge (the API leaves them out by default)
  const records = await apiAll("/api/records?limit=1000&unreviewed=true");
  const tbody = $("#records-table tbody");
  const search = $("#record-search");
  const domain = $("#record-domain");
  const unreviewed = $("#record-unreviewed");
  const state = { key: "year", direction: 1 };
  const asked = new URLSearchParams(window.location.search);
  if (asked.get("search")) search.value = asked.get("search");
  if (asked.get("domain")) domain.value = asked.get("domain");
  function cell(label, content, className) {
    const td = el("td", content, className);
    td.dataset.label = label;
    return td;
  }
  function draw() {
    const text = search.value.trim().toLowerCase();
    const shown = records.filter((r) => (!domain.value || r.domain === domain.value) &&
      (unreviewed.checked || r.reviewed) &&
      (!text || `${r.name} ${r.organization || ""}`.toLowerCase().includes(text)));
    shown.sort((a, b) => {
      const x = a[state.key], y = b[state.key];
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * state.direction;
    });
    tbody.replaceChildren(...shown.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.id = r.id;
      tr.appendChild(cell("Date", r.date));
      const name = cell("Name");
      const link = el("a", r.name);
      link.href = `/records/${encodeURIComponent(r.id)}`;
      name.appendChild(link);
      tr.appendChild(name);
      tr.appendChild(cell("Organization", r.organization || ""));
      tr.appendChild(cell("Domain", r.domain));
      tr.appendChild(cell("pfs-days", r.pfs_days === null || r.pfs_days === undefined ? "–" : (r.upper_bound ? "< " : "") + fmt(r.pfs_days), "num"));
      tr.appendChild(cell("Confidence", r.confidence));
      const status = cell("Status");
      if (!r.reviewed) status.append(badge("unreviewed", "not reviewed yet: left out of fits and charts"), " ");
      if (r.unsourced) status.append(badge("unsourced", "no source given"));
      if (!status.childNodes.length) status.classList.add("empty");
      tr.appendChild(status);
      return tr;
    }));
    $("#record-count").textContent = `${shown.length} of ${records.length} records`;
    const params = new URLSearchParams();
    if (domain.value) params.set("domain", domain.value);
    if (text) params.set("search", text);
    if (unreviewed.checked) params.set("unreviewed", "true");
    $("#export-csv").href = `/api/export?format=csv&${params}`;
    $("#export-json").href = `/api/export?format=json&${params}`;
  }
  document.querySelectorAll("#records-table th[data-key] button").forEach((button) => {
    button.addEventListener("click", () => {
      const key = button.parentElement.dataset.key;
      state.direction = state.key === key ? -state.direction : 1;
      state.key = key;
      draw();
    });
  });
  search.addEventListener("input", draw);
  domain.addEventListener("change", draw);
  unreviewed.addEventListener("change", draw);
  draw();
}

// --- record form ------------------------------------------------------------------------
const TOP_FIELDS = ["name", "organization", "date", "domain", "confidence", "value_source", "notes"];
const FLOP_FIELDS = ["flop", "low_flop", "high_flop"];

// 3 significant digits, rounded outward for the ends of a range (no 4.200000000000001e+22)
function sig3(value, direction) {
  if (!Number.isFinite(value) || value <= 0) return "";
  const scale = 10 ** (Math.floor(Math.log10(value)) - 2);
  const step = direction < 0 ? Math.floor : direction > 0 ? Math.ceil : Math.round;
  const rounded = step(Number((value / scale).toFixed(9))) * scale;
  return Number(rounded.toPrecision(3)).toExponential().replace(/\.?0+e/, "e");
}

function addEstimate(method, inputs, note) {
  const box = $("#estimates");
  const node = $("#estimate-template").content.firstElementChild.cloneNode(true);
  box.appendChild(node);
  const select = node.querySelector("[data-input=method]");
  if (method) select.value = method;
  showMethod(node);
  for (const [name, value] of Object.entries(inputs || {})) {
    const input = node.querySelector(`.est-fields[data-method="${select.value}"] [data-input="${name}"]`);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = Boolean(value);
    else input.value = Array.isArray(value) ? value.join("..") : String(value ?? "");
  }
  node.querySelector("[data-input=note]").value = note || "";
  renumber();
  return node;
}

function showMethod(block) {
  const method = block.querySelector("[data-input=method]").value;
  block.querySelectorAll(".est-fields").forEach((box) => { box.hidden = box.dataset.method !== method; });
}

function renumber() {
  document.querySelectorAll("#estimates .estimate").forEach((block, i) => {
    block.dataset.index = String(i);
    block.querySelector(".est-number").textContent = String(i + 1);
  });
}

// the value to send: the stored original when the shown text was not changed (no spurious diffs)
function valueOf(input) {
  if (input.type === "checkbox") {
    if (input.dataset.original !== undefined && input.checked === input.defaultChecked) return JSON.parse(input.dataset.original);
    return input.checked ? true : undefined;
  }
  const text = input.value.trim();
  const initial = input.tagName === "SELECT"
    ? (Array.from(input.options).find((o) => o.defaultSelected) || input.options[0]).value
    : input.defaultValue.trim();
  if (input.dataset.original !== undefined && text === initial) return JSON.parse(input.dataset.original);
  return text || undefined;
}

function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((node) => { node.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  $("#form-error").textContent = "";
}

function fieldError(form, loc, message) {
  // loc: ["body", "flop"] or ["body", "estimates", 0, "inputs", "days"]
  const path = loc[0] === "body" ? loc.slice(1) : loc;
  let spot = null, input = null;
  if (path[0] === "estimates" && path.length >= 2) {
    const block = document.querySelectorAll("#estimates .estimate")[Number(path[1])];
    if (block) {
      const method = block.querySelector("[data-input=method]").value;
      const name = path[3];
      const box = block.querySelector(`.est-fields[data-method="${method}"]`);
      spot = name ? box.querySelector(`[data-error="${name}"]`) : null;
      input = name ? box.querySelector(`[data-input="${name}"]`) : null;
      if (!spot) spot = block.querySelector(".est-error");
    }
  } else if (path.length) {
    spot = form.querySelector(`.field-error[data-error="${path[0]}"]`);
    input = form.elements[path[0]] || null;
  }
  if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
  if (spot) {
    spot.textContent = spot.textContent ? `${spot.textContent}; ${message}` : message;
    return true;
  }
  return false;
}

function collect(form) {
  const body = {};
  for (const field of TOP_FIELDS) body[field] = form.elements[field].value;
  for (const field of FLOP_FIELDS) {
    const value = valueOf(form.elements[field]);
    body[field] = value === undefined ? null : value;
  }
  if (form.elements.id && form.elements.id.value.trim()) body.id = form.elements.id.value.trim();
  body.sources = form.elements.sources.value.split("\n").map((s) => s.trim()).filter(Boolean);
  body.estimates = Array.from(document.querySelectorAll("#estimates .estimate")).map((block) => {
    const method = block.querySelector("[data-input=method]").value;
    const inputs = {};
    block.querySelectorAll(`.est-fields[data-method="${method}"] [data-input]`).forEach((input) => {
      const value = valueOf(input);
      if (value !== undefined && value !== "") inputs[input.dataset.input] = value;
    });
    const estimate = { method, inputs };
    const note = block.querySelector("[data-input=note]").value.trim();
    if (note) estimate.note = note;
    return estimate;
  });
  const author = authorName();
  if (author) body.author = author;
  return body;
}

function shownValue(value) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return "–";
  if (typeof value === "number") return Math.abs(value) >= 1e6 ? value.toPrecision(4) : String(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

async function showConflict(form, mine) {
  const section = $("#conflict");
  let current;
  try {
    current = await send(`/api/records/${encodeURIComponent(form.dataset.id)}`, "GET");
  } catch (e) {
    $("#form-error").textContent = `Conflict: ${e.message}`;
    return;
  }
  $("#conflict-version").textContent = String(current.version);
  const rows = [];
  for (const field of [...TOP_FIELDS, ...FLOP_FIELDS, "sources", "estimates"]) {
    let a = mine[field], b = current[field];
    if (FLOP_FIELDS.includes(field) && typeof a === "number" && typeof b === "number" && Math.abs(a - b) <= 1e-9 * Math.abs(b)) a = b;
    const differs = shownValue(a) !== shownValue(b);
    const tr = document.createElement("tr");
    if (differs) tr.className = "differs";
    tr.append(el("th", field.replace("_", " ")), el("td", shownValue(a)), el("td", shownValue(b)));
    rows.push(tr);
  }
  $("#conflict-table tbody").replaceChildren(...rows);
  $("#load-current").href = window.location.pathname;
  section.hidden = false;
  $("#reapply").onclick = () => {
    form.dataset.version = String(current.version);
    section.hidden = true;
    form.requestSubmit();
  };
  section.scrollIntoView({ block: "nearest" });
}

function recordForm() {
  const form = $("#record-form");
  const error = $("#form-error");
  authorField();
  $("#add-estimate").addEventListener("click", () => addEstimate("operations", {}, ""));
  $("#estimates").addEventListener("change", (event) => {
    if (event.target.matches("[data-input=method]")) showMethod(event.target.closest(".estimate"));
  });
  form.addEventListener("click", (event) => {
    if (event.target.matches(".remove-estimate")) {
      event.target.closest(".estimate").remove();
      renumber();
    }
  });
  const prefill = sessionStorage.getItem("aicompute-prefill");
  if (prefill && !form.dataset.id) {
    sessionStorage.removeItem("aicompute-prefill");
    const data = JSON.parse(prefill);
    for (const [key, value] of Object.entries(data)) {
      if (key === "estimates") {
        (value || []).forEach((e) => addEstimate(e.method, e.inputs, e.note));
        continue;
      }
      const input = form.elements[key];
      if (!input || value === null || value === undefined) continue;
      if (key === "low_flop") input.value = sig3(Number(value), -1);
      else if (key === "high_flop") input.value = sig3(Number(value), 1);
      else if (key === "flop") input.value = Number(Number(value).toPrecision(4)).toExponential().replace("e+", "e");
      else input.value = value;
    }
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = collect(form);
    let refused = false;
    if (!body.domain) refused = fieldError(form, ["domain"], "choose a domain") || true;
    if (!body.name.trim()) refused = fieldError(form, ["name"], "give the model's name") || true;
    if (!body.sources.length && !form.elements.unsourced.checked) {
      refused = fieldError(form, ["sources"], "give a source URL, or tick \"No source yet\" to save it marked unsourced") || true;
    }
    if (refused) {
      error.textContent = "Not saved: see the marked fields.";
      return;
    }
    try {
      let saved;
      if (form.dataset.id) {
        body.id = form.dataset.id;
        body.version = Number(form.dataset.version);
        saved = await send(`/api/records/${encodeURIComponent(form.dataset.id)}`, "PUT", body);
      } else {
        saved = await send("/api/records", "POST", body);
      }
      window.location.href = `/records/${encodeURIComponent(saved.id)}`;
    } catch (e) {
      const detail = e.body && e.body.detail;
      if (e.status === 422 && Array.isArray(detail)) {
        const unplaced = detail.filter((d) => !fieldError(form, d.loc || [], d.msg));
        error.textContent = "Not saved: " + (unplaced.length ? errorText({ detail: unplaced }) : "see the marked fields.");
      } else if (e.status === 409 && !form.dataset.id) {
        fieldError(form, ["name"], e.message);
        error.textContent = "Not saved: " + e.message;
      } else if (e.status === 409) {
        error.textContent = "Conflict: " + e.message;
        await showConflict(form, body);
      } else {
        error.textContent = e.message;
      }
    }
  });
}

// --- a record's page, a deleted record's page -------------------------------------------
function recordPage() {
  authorField();
  const remove = $("#delete-record");
  remove.addEventListener("click", async () => {
    if (!window.confirm("Delete this record? (You can restore it from its page.)")) return;
    try {
      await send(`/api/records/${encodeURIComponent(remove.dataset.id)}?version=${remove.dataset.version}`, "DELETE");
      window.location.reload();  // the page now offers to restore it
    } catch (e) { $("#action-error").textContent = e.message; }
  });
  const review = $("#review-record");
  if (review) {
    review.addEventListener("click", async () => {
      try {
        await send(`/api/records/${encodeURIComponent(review.dataset.id)}/review`, "POST",
                   { version: Number(review.dataset.version), author: authorName() || undefined });
        window.location.reload();
      } catch (e) { $("#action-error").textContent = (e.status === 409 ? "Conflict: " : "") + e.message; }
    });
  }
}

function deletedPage() {
  authorField();
  const button = $("#restore-record");
  button.addEventListener("click", async () => {
    try {
      const restored = await send(`/api/records/${encodeURIComponent(button.dataset.id)}/restore`, "POST",
                                  { version: Number(button.dataset.version), author: authorName() || undefined });
      window.location.href = `/records/${encodeURIComponent(restored.id)}`;
    } catch (e) { $("#restore-error").textContent = e.message; }
  });
}


document.addEventListener("DOMContentLoaded", () => {
  if ($("#records-table")) recordsPage();
  if ($("#record-form")) recordForm();
  if ($("#delete-record")) recordPage();
  if ($("#restore-record")) deletedPage();
});
})();
