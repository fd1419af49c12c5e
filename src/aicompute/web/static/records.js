// aicompute web app: the records table, a record's page and the record form. All text from the data is inserted with textContent (never
// as HTML). Shared helpers come from common.js (window.aicompute).
(() => {
"use strict";
const { $, el, fmt, errorText, api, apiAll, render, query } = window.aicompute;

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
  if ($("#records-table")) recordsPage();
  if ($("#record-form")) recordForm();
  if ($("#delete-record")) recordPage();
  if ($("#restore-record")) deletedPage();
});
})();
