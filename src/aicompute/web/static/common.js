// aicompute web app: helpers shared by the pages' scripts (explorer.js, records.js), as
// window.aicompute. All text from the data is inserted with textContent (never as HTML).
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

// Draw a Vega-Lite spec into target (the previous view is finalized first); prepare(view), when
// given, runs before the chart is marked ready (data-ready="true"), e.g. to set its signals.
async function render(target, spec, prepare) {
  target.dataset.ready = "false";
  if (target.vegaView) target.vegaView.finalize();
  target.vegaView = null;
  const result = await window.vegaEmbed(target, spec, { actions: false, renderer: "svg" });
  target.vegaView = result.view;
  if (prepare) await prepare(result.view);
  // lay out once more: a legend whose columns follow the width (the charts' legends) changes
  // height after the first layout, and would be cut off at the bottom
  await result.view.resize().runAsync();
  target.dataset.ready = "true";
  return result.view;
}

// Empty a chart (after an error, so that no stale chart stays next to it).
function clearChart(target) {
  if (target.vegaView) target.vegaView.finalize();
  target.vegaView = null;
  target.replaceChildren();
  target.dataset.ready = "false";
}

function query(form) {
  const params = new URLSearchParams();
  new FormData(form).forEach((value, key) => { if (value) params.set(key, value); });
  return params.toString();
}

window.aicompute = { $, el, fmt, errorText, api, apiAll, render, clearChart, query };
})();
