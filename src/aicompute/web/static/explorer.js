// aicompute web app: the explorer and the calculator. All text from the data is inserted with textContent (never
// as HTML). Shared helpers come from common.js (window.aicompute).
(() => {
"use strict";
const { $, el, fmt, api, render, clearChart, query } = window.aicompute;

// --- explorer ---------------------------------------------------------------------------
// The whole view lives in the address: the filters (which refit), the chart's own settings
// (scale, unit, error bars, years: Vega signals, set without a refit) and the model found.
// A reload or a shared link shows the same view.
const FILTERS = ["chart", "since", "until", "domain", "confidence", "frontier", "above", "unreviewed"];
const OPEN_CHOICES = new Set(["above"]);  // a shared link may name any threshold (eu-systemic, 3e24)
const SIGNALS = { yScale: "scale", unit: "unit", showErrors: "errors", zoom: "years" };
const HIDDEN_SIGNALS = new Set(["domainFilter", "highlight"]);  // the page's domain filter refits

function hasSignal(view, name) {
  try { view.signal(name); return true; } catch (e) { return false; }
}

function readAddress() {
  const params = new URLSearchParams(window.location.search);
  const view = {};
  for (const [signal, key] of Object.entries(SIGNALS)) {
    if (params.has(key)) view[signal] = key === "errors" ? params.get(key) === "true" : params.get(key);
  }
  return { params, view, model: params.get("model") || "" };
}

function chartRows(spec) {
  // every record drawn (the chart's data and its layers' own), by id
  const rows = new Map();
  const add = (values) => (values || []).forEach((r) => { if (r && r.id && r.name) rows.set(r.id, r); });
  add(spec.data && spec.data.values);
  (spec.layer || []).forEach((layer) => add(layer.data && layer.data.values));
  return rows;
}

function viewControls(box, spec, state, onChange) {
  // The chart's bound params as one labelled, keyboard-reachable group each (Vega's own
  // inputs are hidden: they would repeat these, and the chart's domain select competes with
  // the page's, which refits).
  box.replaceChildren();
  (spec.params || []).forEach((param) => {
    const bind = param.bind;
    if (!bind || HIDDEN_SIGNALS.has(param.name)) return;
    const title = (bind.name || param.name).replace(/[:\s]+$/, "");
    const current = param.name in state.view ? state.view[param.name] : param.value;
    if (bind.input === "radio") {
      const group = el("fieldset", undefined, "radios");
      group.appendChild(el("legend", title));
      bind.options.forEach((option, i) => {
        const label = el("label", undefined, "check");
        const input = document.createElement("input");
        Object.assign(input, { type: "radio", name: param.name, value: option, checked: option === current });
        input.addEventListener("change", () => onChange(param.name, option));
        label.append(input, " " + ((bind.labels || [])[i] || option));
        group.appendChild(label);
      });
      box.appendChild(group);
    } else if (bind.input === "checkbox") {
      const label = el("label", undefined, "check");
      const input = document.createElement("input");
      Object.assign(input, { type: "checkbox", name: param.name, checked: Boolean(current) });
      input.addEventListener("change", () => onChange(param.name, input.checked));
      label.append(input, " " + title);
      box.appendChild(label);
    } else if (bind.input === "select") {
      const label = el("label", title);
      const select = document.createElement("select");
      select.name = param.name;
      bind.options.forEach((option) => select.appendChild(Object.assign(el("option", option), { value: option })));
      select.value = current;
      select.addEventListener("change", () => onChange(param.name, select.value));
      label.appendChild(select);
      box.appendChild(label);
    }
  });
}

async function explorer() {
  const form = $("#filters");
  const chart = $("#explorer-chart");
  const summary = $("#fit-summary");
  const lines = $("#fit-lines");
  const warning = $("#fit-warning");
  const error = $("#explorer-error");
  const controls = $("#view-controls");
  const search = $("#model-search");
  const found = $("#model-found");
  const names = $("#model-names");
  const state = readAddress();
  for (const name of FILTERS) {
    const field = form.elements[name];
    const value = state.params.get(name);
    if (!field || value === null) continue;
    if (OPEN_CHOICES.has(name) && value && ![...field.options].some((o) => o.value === value)) {
      field.appendChild(Object.assign(el("option", value), { value }));
    }
    if (field.type === "checkbox") field.checked = value === "true";
    else field.value = value;
  }
  let rows = new Map();
  let spec = null;
  let latest = 0;
  let inFlight = null;
  let drawing = Promise.resolve();

  function filters() {
    const params = new URLSearchParams(query(form));
    const name = params.get("chart") || "eras";
    params.delete("chart");
    return { name, params };
  }

  function writeAddress() {
    const { name, params } = filters();
    const address = new URLSearchParams();
    if (name !== "eras") address.set("chart", name);
    params.forEach((value, key) => address.set(key, value));
    for (const [signal, key] of Object.entries(SIGNALS)) {
      if (signal in state.view) address.set(key, String(state.view[signal]));
    }
    if (state.model) address.set("model", state.model);
    const text = address.toString();
    history.replaceState(null, "", text ? `?${text}` : window.location.pathname);
    $("#export-csv").href = `/api/export?format=csv&${params}`;
    $("#export-json").href = `/api/export?format=json&${params}`;
  }

  function showModel() {
    const row = rows.get(state.model);
    found.replaceChildren();
    if (!state.model) return;
    if (!row) { found.textContent = "not in this view"; return; }
    if (!search.value) search.value = row.name;
    const link = el("a", `open ${row.name}`);
    link.href = `/records/${encodeURIComponent(row.id)}`;
    link.id = "model-link";
    found.appendChild(link);
  }

  async function setSignal(name, value) {
    state.view[name] = value;
    writeAddress();
    const view = chart.vegaView;
    if (view && hasSignal(view, name)) {
      await view.signal(name, value).runAsync();
    }
  }

  function showRecords() {
    // the chart's points as links, by date: the keyboard's and screen readers' way to them
    const list = $("#chart-records-list");
    const ordered = [...rows.values()].sort((a, b) => (a.year - b.year) || a.name.localeCompare(b.name));
    $("#chart-records-count").textContent = String(ordered.length);
    list.replaceChildren(...ordered.map((r) => {
      const item = el("li");
      const link = el("a", r.name);
      link.href = `/records/${encodeURIComponent(r.id)}`;
      const facts = [r.date_text, r.flop_text, r.domain].filter(Boolean).join(" · ");
      item.append(link, facts ? ` ${facts}` : "");
      return item;
    }));
  }

  function showSummary(info) {
    summary.textContent = info.lines[0];
    summary.dataset.records = info.records ?? "";
    const items = info.lines.slice(1);
    if (info.records !== null && info.records !== undefined) items.push(`${info.records} records with compute in this view.`);
    lines.replaceChildren(...items.map((line) => el("li", line)));
    warning.textContent = info.warnings.length ? "Warning: " + info.warnings.join(" ") : "";
  }

  function fail(message, fields = []) {
    fields.forEach((name) => { if (form.elements[name]) form.elements[name].setAttribute("aria-invalid", "true"); });
    clearChart(chart);
    controls.replaceChildren();
    summary.textContent = "";
    lines.replaceChildren();
    warning.textContent = "";
    error.textContent = message;
    rows = new Map();
    showModel();
    showRecords();
  }

  async function update() {
    const ticket = ++latest;
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    const { name, params } = filters();
    writeAddress();
    error.textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
    chart.setAttribute("aria-busy", "true");
    chart.classList.add("loading");
    let answer;
    try {
      params.set("highlight", state.model);
      answer = await api(`/api/chart/${name}?${params}`, { signal: inFlight.signal });
    } catch (e) {
      if (e.name === "AbortError" || ticket !== latest) return;  // a newer request is on its way
      chart.removeAttribute("aria-busy");
      chart.classList.remove("loading");
      fail(e.message, e.fields);
      return;
    }
    if (ticket !== latest) return;  // answers that arrive out of order are dropped
    // one drawing at a time, and only of the newest answer
    drawing = drawing.then(async () => {
      if (ticket !== latest) return;
      spec = answer;
      rows = chartRows(spec);
      names.replaceChildren(...[...rows.values()].map((r) => Object.assign(el("option"), { value: r.name })));
      try {
        await render(chart, spec, async (view) => {
          for (const [signal, value] of Object.entries(state.view)) {
            const param = (spec.params || []).find((p) => p.name === signal);
            const options = param && param.bind && param.bind.options;
            if (options && !options.includes(value)) continue;  // e.g. a mistyped address
            if (hasSignal(view, signal)) view.signal(signal, value);
          }
          Object.keys(SIGNALS).forEach((signal) => {
            if (hasSignal(view, signal)) view.addSignalListener(signal, (_, value) => {
              state.view[signal] = value;
              writeAddress();
            });
          });
          view.addEventListener("click", (event, item) => {
            const id = item && item.datum && item.datum.id;
            if (id) window.location.href = `/records/${encodeURIComponent(id)}`;
          });
          await view.runAsync();
          // the controls, summary and model found describe this chart before it is marked ready
          viewControls(controls, spec, state, setSignal);
          showSummary((spec.usermeta || {}).summary || { lines: [""], warnings: [] });
          showModel();
          showRecords();
        });
      } catch (e) {
        if (ticket === latest) fail(e.message);
      } finally {
        chart.removeAttribute("aria-busy");
        chart.classList.remove("loading");
      }
    });
    await drawing;
  }

  async function find() {
    const text = search.value.trim().toLowerCase();
    let match = null;
    if (text) {
      const all = [...rows.values()];
      match = all.find((r) => r.name.toLowerCase() === text || r.id === text) ||
        all.find((r) => r.name.toLowerCase().startsWith(text)) ||
        all.find((r) => r.name.toLowerCase().includes(text));
    }
    state.model = match ? match.id : "";
    writeAddress();
    if (chart.vegaView && hasSignal(chart.vegaView, "highlight")) await chart.vegaView.signal("highlight", state.model).runAsync();
    showModel();
    if (text && !match) found.textContent = "no model of that name in this view";
  }

  async function download(kind) {
    if (!chart.vegaView) return;
    const link = document.createElement("a");
    link.href = await chart.vegaView.toImageURL(kind, kind === "png" ? 2 : 1);
    link.download = `aicompute-${filters().name}.${kind}`;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  form.addEventListener("change", update);
  form.addEventListener("submit", (event) => { event.preventDefault(); update(); });
  search.addEventListener("change", find);
  search.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); find(); } });
  $("#export-svg").addEventListener("click", () => download("svg"));
  $("#export-png").addEventListener("click", () => download("png"));
  $("#copy-link").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      $("#copy-done").textContent = "link copied";
    } catch (e) {
      $("#copy-done").textContent = "copy the address bar to share this view";
    }
  });
  await update();
}

// --- calculator -------------------------------------------------------------------------
const METHOD_NAMES = { operations: "1 · counting operations", hardware: "2 · hardware time" };
const SOURCE_OF = { peak_flops: "peak_source", precision: "peak_source" };
let LABELS = {};  // input name -> its label (/api/estimate/inputs)

// The library marks field names with backticks; the web names them by their labels.
function labelled(text) {
  return String(text).replace(/`([a-z_]+)`/g, (_, name) => (LABELS[name] ? `'${LABELS[name]}'` : name));
}

function textOrLink(text) {
  if (/^https?:\/\//i.test(text)) {
    const link = el("a", text);
    link.href = text;
    link.rel = "noopener noreferrer";
    return link;
  }
  return document.createTextNode(text);
}

function shown(value) {
  if (Array.isArray(value)) return value.map((v) => shown(v)).join("..");
  return typeof value === "number" ? fmt(value) : String(value);
}

function assumptions(e) {
  // every input the method used that was not given: its value and where it comes from
  const rows = Object.entries(e.inputs).filter(([key]) =>
    !(key in e.given) && !key.endsWith("_source") && !key.endsWith("_key"));
  if (!rows.length) return null;
  const table = el("table", undefined, "assumptions");
  const head = el("tr");
  ["Assumed", "Value", "Source"].forEach((h) => head.appendChild(el("th", h)));
  table.appendChild(head);
  rows.forEach(([key, value]) => {
    const tr = el("tr");
    tr.dataset.input = key;
    tr.appendChild(el("td", LABELS[key] || key));
    tr.appendChild(el("td", shown(value)));
    const source = e.inputs[`${key}_source`] || e.inputs[SOURCE_OF[key]] ||
      `default (${e.sources[e.sources.length - 1] || "aicompute"})`;
    const cell = el("td");
    cell.appendChild(textOrLink(source));
    tr.appendChild(cell);
    table.appendChild(tr);
  });
  return table;
}

function estimateView(estimate, factor) {
  // The same figures, warnings, preferred estimate, assumptions and notes as `aicompute estimate`.
  const box = document.createDocumentFragment();
  const scroll = el("div", undefined, "table-scroll");
  const table = el("table");
  table.id = "result-table";
  const head = el("tr");
  ["Method", "Calculation", "FLOP", "pfs-days", "90% interval, pfs-days"].forEach((h) => head.appendChild(el("th", h)));
  table.appendChild(head);
  estimate.estimates.forEach((e) => {
    const tr = el("tr");
    const star = e.method === estimate.method && estimate.estimates.length > 1 ? " ★" : "";
    tr.appendChild(el("td", METHOD_NAMES[e.method] + star));
    tr.appendChild(el("td", e.calculation));
    tr.appendChild(el("td", fmt(e.flop, 3, "flop").replace(" FLOP", ""), "num"));
    tr.appendChild(el("td", fmt(e.pfs_days), "num"));
    tr.appendChild(el("td", `${fmt(e.low_pfs_days)} – ${fmt(e.high_pfs_days)}`, "num"));
    table.appendChild(tr);
  });
  scroll.appendChild(table);
  box.appendChild(scroll);
  estimate.warnings.forEach((w) => {
    const p = el("p", `Warning: ${labelled(w)}`, "warning");
    p.setAttribute("role", "alert");
    if (estimate.disagreement && /disagree/.test(w)) {
      p.classList.add("disagreement");
      p.id = "result-disagreement";
    }
    box.appendChild(p);
  });
  if (estimate.agreement_ratio !== null) {
    const verdict = estimate.disagreement ? `disagree (more than ${factor}x apart)` : `agree within ${factor}x`;
    const check = el("p", `Cross-check: hardware time / operations = ${estimate.agreement_ratio.toFixed(2)}, ${verdict}`);
    check.id = "result-crosscheck";
    box.appendChild(check);
  }
  const preferred = el("p", `Preferred: ${estimate.preferred_reason}`);
  preferred.id = "result-preferred";
  box.appendChild(preferred);
  const cite = el("p", `Estimate: ${fmt(estimate.flop, 3, "flop")} = ${fmt(estimate.pfs_days)} pfs-days, ` +
    `90% interval ${fmt(estimate.low_pfs_days)} – ${fmt(estimate.high_pfs_days)} pfs-days`, "cite");
  cite.id = "result-cite";
  box.appendChild(cite);
  box.appendChild(el("p", `Interval: ${estimate.interval_basis}`, "note"));
  estimate.estimates.forEach((e) => {
    const section = el("section");
    section.className = "calc";
    section.dataset.method = e.method;
    section.appendChild(el("h3", METHOD_NAMES[e.method] + (e.method === estimate.method ? " (preferred)" : "")));
    section.appendChild(el("p", e.formula, "note"));
    section.appendChild(el("p", `= ${e.calculation} = ${fmt(e.pfs_days)} pfs-days`));
    section.appendChild(el("p", `interval ×/÷${e.interval.factor.toFixed(2)}: ${e.interval.basis}`, "note"));
    const notes = el("ul");
    e.notes.forEach((n) => notes.appendChild(el("li", labelled(n))));
    section.appendChild(notes);
    const assumed = assumptions(e);
    if (assumed) {
      const scrollAssumed = el("div", undefined, "table-scroll");
      scrollAssumed.appendChild(assumed);
      section.appendChild(scrollAssumed);
    }
    const given = Object.entries(e.given).map(([k, v]) => `${k} = ${v}`).join(", ");
    section.appendChild(el("p", `inputs: ${given}`, "note"));
    if (e.sources.length) {
      const sources = el("p", "Sources: ", "note");
      e.sources.forEach((url, i) => {
        if (i) sources.appendChild(document.createTextNode(", "));
        sources.appendChild(textOrLink(url));
      });
      section.appendChild(sources);
    }
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
  const factor = form.dataset.disagreement || "3";
  api("/api/estimate/inputs").then((list) => { LABELS = Object.fromEntries(list.map((f) => [f.name, f.label])); });
  api("/api/hardware").then((list) => list.forEach((a) => {
    const option = document.createElement("option");
    option.value = a.name;
    names.appendChild(option);
  }));
  let last = null;
  let timer = null;
  let latest = 0;
  const chart = $("#estimate-chart");
  async function run() {
    const ticket = ++latest;
    const data = {};
    new FormData(form).forEach((value, key) => {
      if (value && !["label", "date"].includes(key)) data[key] = value;
    });
    error.textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
    if (!Object.keys(data).length) { result.replaceChildren(); clearChart(chart); save.disabled = true; return; }
    try {
      const estimate = await api("/api/estimate", { method: "POST", body: JSON.stringify(data) });
      if (ticket !== latest) return;  // a newer input is on its way
      last = { estimate, inputs: data };
      result.replaceChildren(estimateView(estimate, factor));
      result.dataset.flop = estimate.flop;
      save.disabled = false;
      const date = form.elements.date.value;
      if (!date) { clearChart(chart); return; }
      const params = new URLSearchParams({ flop: String(estimate.flop), date,
                                           label: form.elements.label.value || "My model" });
      try {
        const spec = await api(`/api/chart/estimate?${params}`);
        if (ticket === latest) await render(chart, spec);
      } catch (e) {
        if (ticket !== latest) return;
        clearChart(chart);
        error.textContent = e.message;
      }
    } catch (e) {
      if (ticket !== latest) return;
      result.replaceChildren();
      clearChart(chart);
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
