// aicompute report: render the charts and the records table. All text is inserted with
// textContent, never as HTML, so names and notes from the data cannot inject markup. The
// code is wrapped in a function: the Vega bundle defines many global names.
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

function formatNumber(value, digits) {
  if (value === null || value === undefined) return "–";
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) return value.toExponential(digits - 1);
  return value.toLocaleString("en-US", { maximumSignificantDigits: digits });
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
  const state = { key: "date", direction: 1 };
  [...new Set(records.map((r) => r.domain))].sort().forEach((d) => {
    const option = el("option", d);
    option.value = d;
    domain.appendChild(option);
  });

  function row(r) {
    const tr = document.createElement("tr");
    tr.dataset.id = r.id;
    if (!r.in_trend) tr.className = "excluded";
    const bound = r.upper_bound ? "< " : "";
    tr.appendChild(el("td", r.date));
    tr.appendChild(el("td", r.name));
    tr.appendChild(el("td", r.organization));
    tr.appendChild(el("td", r.domain));
    tr.appendChild(el("td", r.pfs_days === null ? "–" : bound + formatNumber(r.pfs_days, 3), "num"));
    tr.appendChild(el("td", r.flop === null ? "–" : bound + formatNumber(r.flop, 3), "num"));
    tr.appendChild(el("td", r.confidence));
    const cell = document.createElement("td");
    const details = document.createElement("details");
    details.appendChild(el("summary", r.methods.length ? r.methods.join(" + ") : "as published"));
    if (r.value_source) details.appendChild(el("p", "Value: " + r.value_source, "note"));
    if (r.low_flop !== null) {
      details.appendChild(el("p", "Range: " + formatNumber(r.low_flop, 2) + " – " +
                                  formatNumber(r.high_flop, 2) + " FLOP", "note"));
    }
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
    cell.appendChild(details);
    tr.appendChild(cell);
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
    tbody.replaceChildren(...shown.map(row));
    count.textContent = shown.length + " of " + records.length + " records";
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
  state.key = "year";
  draw();
}

document.addEventListener("DOMContentLoaded", () => {
  recordsTable();
  renderCharts();
});
})();
