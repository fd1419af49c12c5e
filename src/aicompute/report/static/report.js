// aicompute report: render the charts and the records table. All text is inserted with
// textContent, never as HTML, so names and notes from the data cannot inject markup. The
// numbers come formatted from Python (aicompute.units.format_number; format.js is its
// JavaScript twin). The code is wrapped in a function: the Vega bundle defines many global
// names.
(() => {
"use strict";

function renderCharts() {
  document.querySelectorAll("script.spec").forEach((node) => {
    const target = document.getElementById(node.dataset.for);
    const spec = JSON.parse(node.textContent);
    window.vegaEmbed(target, spec, { actions: false, renderer: "svg" })
      .then((result) => { target.dataset.ready = "true"; target.vegaView = result.view; })
      .catch((error) => { console.error(error); target.textContent = "Chart failed: " + error; });
  });
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function recordsTable() {
  const records = JSON.parse(document.getElementById("records-data").textContent);
  const tbody = document.querySelector("#records-table tbody");
  const search = document.getElementById("record-search");
  const domain = document.getElementById("record-domain");
  const count = document.getElementById("record-count");
  const more = document.getElementById("record-more");
  const PAGE = 50;  // rows shown at first; the rest one click away, so the page stays short
  const state = { key: "year", direction: -1, limit: PAGE };
  [...new Set(records.map((r) => r.domain))].sort().forEach((d) => {
    const option = el("option", d);
    option.value = d;
    domain.appendChild(option);
  });

  function cell(tr, label, text, className) {
    const td = el("td", text, className);
    td.dataset.label = label;
    tr.appendChild(td);
    return td;
  }

  // Each calculation in full: method, formula, the numbers put in, the result.
  function calculations(r) {
    const box = document.createElement("div");
    box.className = "calcs";
    if (!r.calculations.length) {
      box.appendChild(el("p", r.value_source ? "As published: " + r.value_source : "As published",
                         "calc-line"));
    }
    r.calculations.forEach((c) => {
      const p = el("p", null, "calc-line");
      p.appendChild(el("span", c.method, "method"));
      if (c.error) {
        p.appendChild(el("span", c.error, "error"));
      } else {
        p.appendChild(el("span", c.formula, "formula"));
        p.appendChild(el("code", "= " + c.calculation + " = " + c.pfs_text, "calculation"));
      }
      box.appendChild(p);
    });
    return box;
  }

  function row(r) {
    const tr = document.createElement("tr");
    tr.dataset.id = r.id;
    if (!r.in_trend) tr.className = "excluded";
    cell(tr, "Date", r.date, "date");
    cell(tr, "Name", r.name, "name");
    cell(tr, "Organization", r.organization);
    cell(tr, "Domain", r.domain);
    cell(tr, "pfs-days", r.pfs_text, "num");
    cell(tr, "FLOP", r.flop_text, "num");
    cell(tr, "Confidence", r.confidence);
    const td = cell(tr, "Calculation", null, "calc-cell");
    td.appendChild(calculations(r));
    const details = document.createElement("details");
    details.appendChild(el("summary", "Range, notes and sources"));
    if (r.calculations.length && r.value_source) {
      details.appendChild(el("p", "Value: " + r.value_source, "note"));
    }
    if (r.range_text) details.appendChild(el("p", "Range: " + r.range_text, "note"));
    if (r.notes) details.appendChild(el("p", r.notes, "note"));
    r.sources.forEach((url) => {
      if (!/^https?:\/\//i.test(url)) return;
      const p = el("p", null, "src");
      const a = el("a", url);
      a.href = url;
      a.rel = "noopener noreferrer";
      p.appendChild(a);
      details.appendChild(p);
    });
    td.appendChild(details);
    return tr;
  }

  function draw() {
    const text = search.value.trim().toLowerCase();
    const wanted = domain.value;
    const shown = records.filter((r) =>
      (!wanted || r.domain === wanted) &&
      (!text || [r.name, r.organization, r.notes, r.domain].join(" ").toLowerCase().includes(text)));
    shown.sort((a, b) => {
      const x = a[state.key], y = b[state.key];
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * state.direction;
    });
    const visible = shown.slice(0, state.limit);
    tbody.replaceChildren(...visible.map(row));
    count.textContent = (visible.length < shown.length ? "showing " + visible.length + " of " : "") +
      shown.length + " of " + records.length + " records";
    more.hidden = visible.length >= shown.length;
    more.textContent = "Show all " + shown.length + " records";
  }

  document.querySelectorAll("#records-table th[data-key] button").forEach((button) => {
    button.addEventListener("click", () => {
      const th = button.parentElement;
      const key = th.dataset.key === "date" ? "year" : th.dataset.key;
      state.direction = state.key === key ? -state.direction : 1;
      state.key = key;
      document.querySelectorAll("#records-table th").forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", state.direction === 1 ? "ascending" : "descending");
      draw();
    });
  });
  search.addEventListener("input", draw);
  domain.addEventListener("change", draw);
  more.addEventListener("click", () => { state.limit = Infinity; draw(); });
  draw();
}

document.addEventListener("DOMContentLoaded", () => {
  recordsTable();
  renderCharts();
});
})();
