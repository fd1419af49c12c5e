// aicompute web app. All text from the data is inserted with textContent (never as HTML).
(() => {
"use strict";

const $ = (selector) => document.querySelector(selector);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

// Numbers go through aicompute's one formatter (/static/format.js, the JavaScript twin of
// aicompute.units.format_number), so the web app prints them as the CLI and the report do.
function fmt(value, digits = 3, kind = "number") {
  return window.aicomputeFormat.number(value, kind, digits);
}

function errorText(body) {
  if (!body) return "request failed";
  if (typeof body.detail === "string") return body.detail;
  if (Array.isArray(body.detail)) {
    return body.detail.map((d) => d.text || `${(d.loc || []).filter((p) => p !== "body").join(".")}: ${d.msg}`).join("; ");
  }
  return JSON.stringify(body);
}

// Writes carry the page's CSRF token: the server refuses browser writes without it.
const CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF },
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const fields = Array.isArray(body && body.detail) ? body.detail.map((d) => (d.loc || []).slice(-1)[0]) : [];
    throw Object.assign(new Error(errorText(body)), { status: response.status, fields });
  }
  return body;
}

// Every page of a list: the API answers a page at a time and links the next one.
async function apiAll(path) {
  const rows = [];
  let next = path;
  while (next) {
    const response = await fetch(next);
    const body = await response.json();
    if (!response.ok) throw new Error(errorText(body));
    rows.push(...body);
    const link = response.headers.get("Link") || "";
    const match = link.match(/<([^>]+)>;\s*rel="next"/);
    next = match ? match[1] : null;
  }
  return rows;
}

async function render(target, spec) {
  const result = await window.vegaEmbed(target, spec, { actions: false, renderer: "svg" });
  target.vegaView = result.view;
  target.dataset.ready = "true";
}

function query(form) {
  const params = new URLSearchParams();
  new FormData(form).forEach((value, key) => { if (value) params.set(key, value); });
  return params.toString();
}

// --- explorer ---------------------------------------------------------------------------
async function explorer() {
  const form = $("#filters");
  const chart = $("#explorer-chart");
  const summary = $("#fit-summary");
  const warning = $("#fit-warning");
  const error = $("#explorer-error");
  async function update() {
    const params = new URLSearchParams(query(form));
    const name = params.get("chart") || "eras";
    params.delete("chart");
    const q = params.toString();
    error.textContent = "";
    try {
      const [spec, fit] = await Promise.all([api(`/api/chart/${name}?${q}`),
                                             api(`/api/fit?${q}`)]);
      await render(chart, spec);
      const [lo, hi] = fit.doubling_months_ci;
      summary.textContent = `${fit.n} records: doubling every ${fmt(fit.doubling_months)} months ` +
        `(90% interval ${fmt(lo)}–${hi === null ? "∞" : fmt(hi)}), ${fmt(fit.growth_per_year)}x per year`;
      summary.dataset.doubling = fit.doubling_months;
      warning.textContent = fit.warnings.length ? "Warning: " + fit.warnings.join(" ") : "";
    } catch (e) {
      error.textContent = e.message;
      summary.textContent = "";
      warning.textContent = "";
    }
  }
  form.addEventListener("change", update);
  await update();
}

// --- records table ----------------------------------------------------------------------
async function recordsPage() {
  const records = await apiAll("/api/records?limit=1000");
  const tbody = $("#records-table tbody");
  const search = $("#record-search");
  const domain = $("#record-domain");
  const state = { key: "year", direction: 1 };
  function draw() {
    const text = search.value.trim().toLowerCase();
    const shown = records.filter((r) => (!domain.value || r.domain === domain.value) &&
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
      tr.appendChild(el("td", r.date));
      const name = el("td");
      const link = el("a", r.name);
      link.href = `/records/${encodeURIComponent(r.id)}`;
      name.appendChild(link);
      tr.appendChild(name);
      tr.appendChild(el("td", r.organization || ""));
      tr.appendChild(el("td", r.domain));
      tr.appendChild(el("td", r.pfs_days === null ? "–" : (r.upper_bound ? "< " : "") + fmt(r.pfs_days), "num"));
      tr.appendChild(el("td", r.confidence));
      return tr;
    }));
    $("#record-count").textContent = `${shown.length} of ${records.length} records`;
    const params = new URLSearchParams();
    if (domain.value) params.set("domain", domain.value);
    if (text) params.set("search", text);
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
  draw();
}

// --- calculator -------------------------------------------------------------------------
const METHOD_NAMES = { operations: "1 · counting operations", hardware: "2 · hardware time" };

function estimateView(estimate) {
  // The same figures, warnings, preferred estimate and notes as `aicompute estimate`.
  const box = document.createDocumentFragment();
  const table = el("table");
  table.id = "result-table";
  const head = el("tr");
  ["Method", "Calculation", "pfs-days", "90% interval"].forEach((h) => head.appendChild(el("th", h)));
  table.appendChild(head);
  estimate.estimates.forEach((e) => {
    const tr = el("tr");
    const star = e.method === estimate.method && estimate.estimates.length > 1 ? " ★" : "";
    tr.appendChild(el("td", METHOD_NAMES[e.method] + star));
    tr.appendChild(el("td", e.calculation));
    tr.appendChild(el("td", fmt(e.pfs_days), "num"));
    tr.appendChild(el("td", `${fmt(e.low_pfs_days)} – ${fmt(e.high_pfs_days)}`, "num"));
    table.appendChild(tr);
  });
  box.appendChild(table);
  estimate.warnings.forEach((w) => box.appendChild(el("p", `Warning: ${w}`, "warning")));
  if (estimate.agreement_ratio !== null) {
    const verdict = estimate.disagreement ? "disagree" : "agree within 3x";
    box.appendChild(el("p", `Cross-check: hardware time / operations = ${estimate.agreement_ratio.toFixed(2)}, ${verdict}`));
  }
  const cite = el("p", `Estimate: ${estimate.flop.toExponential(2)} FLOP = ${fmt(estimate.pfs_days)} pfs-days, ` +
    `90% interval ${fmt(estimate.low_pfs_days)} – ${fmt(estimate.high_pfs_days)} pfs-days`, "cite");
  cite.id = "result-cite";
  box.appendChild(cite);
  const preferred = el("p", `Preferred: ${estimate.preferred_reason}`);
  preferred.id = "result-preferred";
  box.appendChild(preferred);
  estimate.estimates.forEach((e) => {
    const section = el("section");
    section.className = "calc";
    section.dataset.method = e.method;
    section.appendChild(el("h3", METHOD_NAMES[e.method]));
    section.appendChild(el("p", `interval ×/÷${e.interval.factor.toFixed(2)}: ${e.interval.basis}`, "note"));
    const notes = el("ul");
    e.notes.forEach((n) => notes.appendChild(el("li", n)));
    section.appendChild(notes);
    const given = Object.entries(e.given).map(([k, v]) => `${k} = ${v}`).join(", ");
    section.appendChild(el("p", `inputs: ${given}`, "note"));
    box.appendChild(section);
  });
  return box;
}

async function calculator() {
  const form = $("#calculator");
  const result = $("#result");
  const error = $("#calc-error");
  const save = $("#save-record");
  const names = $("#hardware-names");
  api("/api/hardware").then((list) => list.forEach((a) => {
    const option = document.createElement("option");
    option.value = a.name;
    names.appendChild(option);
  }));
  let last = null;
  let timer = null;
  async function run() {
    const data = {};
    new FormData(form).forEach((value, key) => {
      if (value && !["label", "date"].includes(key)) data[key] = value;
    });
    error.textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
    if (!Object.keys(data).length) { result.replaceChildren(); save.disabled = true; return; }
    try {
      const estimate = await api("/api/estimate", { method: "POST", body: JSON.stringify(data) });
      last = { estimate, inputs: data };
      result.replaceChildren(estimateView(estimate));
      result.dataset.flop = estimate.flop;
      save.disabled = false;
      const date = form.elements.date.value;
      if (date) {
        const params = new URLSearchParams({ flop: String(estimate.flop), date,
                                             label: form.elements.label.value || "My model" });
        try { await render($("#estimate-chart"), await api(`/api/chart/estimate?${params}`)); }
        catch (e) { error.textContent = e.message; }
      }
    } catch (e) {
      result.replaceChildren();
      last = null;
      save.disabled = true;
      error.textContent = e.message;
      (e.fields || []).forEach((name) => {
        if (form.elements[name]) form.elements[name].setAttribute("aria-invalid", "true");
      });
    }
  }
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 300); });
  save.addEventListener("click", () => {
    if (!last) return;
    const e = last.estimate;
    const prefill = {
      name: form.elements.label.value || "My model", date: form.elements.date.value,
      flop: e.flop, low_flop: e.low_flop, high_flop: e.high_flop,
      value_source: `aicompute estimate (${e.method})`,
      estimates: e.estimates.map((x) => ({ method: x.method, inputs: x.given })),
    };
    sessionStorage.setItem("aicompute-prefill", JSON.stringify(prefill));
    window.location.href = "/records/new";
  });
}

// --- record form ------------------------------------------------------------------------
function recordForm() {
  const form = $("#record-form");
  const error = $("#form-error");
  const prefill = sessionStorage.getItem("aicompute-prefill");
  if (prefill && !form.dataset.id) {
    sessionStorage.removeItem("aicompute-prefill");
    const data = JSON.parse(prefill);
    for (const [key, value] of Object.entries(data)) {
      if (!form.elements[key]) continue;
      form.elements[key].value = key === "estimates" ? JSON.stringify(value, null, 1) : value ?? "";
    }
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const body = {};
    for (const field of ["name", "organization", "date", "domain", "confidence", "value_source", "notes"]) {
      body[field] = form.elements[field].value;
    }
    for (const field of ["flop", "low_flop", "high_flop"]) {
      const value = form.elements[field].value.trim();
      if (value) body[field] = Number(value);
    }
    body.sources = form.elements.sources.value.split("\n").map((s) => s.trim()).filter(Boolean);
    try {
      body.estimates = JSON.parse(form.elements.estimates.value || "[]");
    } catch (e) {
      error.textContent = "estimates: not valid JSON";
      return;
    }
    try {
      let saved;
      if (form.dataset.id) {
        body.id = form.dataset.id;
        body.version = Number(form.dataset.version);
        saved = await api(`/api/records/${encodeURIComponent(form.dataset.id)}`,
                          { method: "PUT", body: JSON.stringify(body) });
      } else {
        saved = await api("/api/records", { method: "POST", body: JSON.stringify(body) });
      }
      window.location.href = `/records/${encodeURIComponent(saved.id)}`;
    } catch (e) {
      error.textContent = (e.status === 409 ? "Conflict: " : "") + e.message;
    }
  });
}

function recordPage() {
  const button = $("#delete-record");
  button.addEventListener("click", async () => {
    if (!window.confirm("Delete this record? (You can restore it from its page.)")) return;
    try {
      await api(`/api/records/${encodeURIComponent(button.dataset.id)}?version=${button.dataset.version}`,
                { method: "DELETE" });
      window.location.reload();  // the page now offers to restore it
    } catch (e) { window.alert(e.message); }
  });
}

function deletedPage() {
  const button = $("#restore-record");
  button.addEventListener("click", async () => {
    try {
      const restored = await api(`/api/records/${encodeURIComponent(button.dataset.id)}/restore`,
                                 { method: "POST", body: JSON.stringify({ version: Number(button.dataset.version) }) });
      window.location.href = `/records/${encodeURIComponent(restored.id)}`;
    } catch (e) { $("#restore-error").textContent = e.message; }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  if ($("#explorer-chart")) explorer();
  if ($("#records-table")) recordsPage();
  if ($("#calculator")) calculator();
  if ($("#record-form")) recordForm();
  if ($("#delete-record")) recordPage();
  if ($("#restore-record")) deletedPage();
});
})();
