// aicompute web app: the explorer and the calculator. All text from the data is inserted with textContent (never
// as HTML). Shared helpers come from common.js (window.aicompute).
(() => {
"use strict";
const { $, el, fmt, errorText, api, apiAll, render, query } = window.aicompute;

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


document.addEventListener("DOMContentLoaded", () => {
  if ($("#explorer-chart")) explorer();
  if ($("#calculator")) calculator();
});
})();
