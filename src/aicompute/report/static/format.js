// aicompute's one number formatter, in JavaScript: the same rules as
// aicompute.units.format_number in Python, string for string (tests/test_format.py compares
// them). Shared by the report page and the web app. Defines window.aicomputeFormat.
(() => {
"use strict";

const NO_VALUE = "\u2013";
const SCALES = { 6: ["M", " million"], 9: ["B", " billion"], 12: ["T", " trillion"] };
const SUFFIX = { flop: " FLOP", pfs_days: " pfs-days", percent: "%", factor: "x" };

// A positive finite magnitude rounded to `digits` significant digits, half away from zero on
// the exact value (toExponential's rule): [digit string, power of ten of the first digit].
function roundSig(magnitude, digits) {
  const [mantissa, exponent] = magnitude.toExponential(digits - 1).split("e");
  return [mantissa.replace(".", ""), parseInt(exponent, 10)];
}

function group(integer) {
  const head = integer.length % 3 || 3;
  const parts = [integer.slice(0, head)];
  for (let i = head; i < integer.length; i += 3) parts.push(integer.slice(i, i + 3));
  return parts.join(",");
}

function fixed(mantissa, exponent) {
  if (exponent >= mantissa.length - 1) {
    return group(mantissa + "0".repeat(exponent - mantissa.length + 1));
  }
  let integer, fraction;
  if (exponent < 0) {
    integer = "0";
    fraction = "0".repeat(-exponent - 1) + mantissa;
  } else {
    integer = mantissa.slice(0, exponent + 1);
    fraction = mantissa.slice(exponent + 1);
  }
  fraction = fraction.replace(/0+$/, "");
  return group(integer) + (fraction ? "." + fraction : "");
}

function scientific(mantissa, exponent) {
  const rest = mantissa.slice(1).replace(/0+$/, "");
  return mantissa[0] + (rest ? "." + rest : "") + "e" + exponent;
}

function plain(magnitude, digits, fixedBelow = 7) {
  const [mantissa, exponent] = roundSig(magnitude, digits);
  if (exponent >= -3 && exponent < fixedBelow) return fixed(mantissa, exponent);
  return scientific(mantissa, exponent);
}

function scaled(magnitude, digits, words) {
  const [mantissa, exponent] = roundSig(magnitude, digits);
  if (exponent < 6) return plain(magnitude, digits);
  if (exponent >= 15) return scientific(mantissa, exponent);
  const power = Math.floor(exponent / 3) * 3;
  return fixed(mantissa, exponent - power) + SCALES[power][words ? 1 : 0];
}

// A number for people: see format_number in aicompute/units.py for the rules of each kind
// (number, flop, pfs_days, count, count_words, usd, percent, factor).
function formatNumber(value, kind = "number", digits = 3) {
  if (!Number.isInteger(digits) || digits < 1 || digits > 21) {
    throw new RangeError("digits must be 1 to 21, got " + digits);
  }
  if (value === null || value === undefined || Number.isNaN(value)) return NO_VALUE;
  value = Number(value);
  if (kind === "percent") value *= 100;
  let sign = value < 0 ? "-" : "";
  const magnitude = Math.abs(value);
  let text;
  if (magnitude === Infinity) text = "\u221e";
  else if (magnitude === 0) { sign = ""; text = "0"; }
  else if (kind === "count" || kind === "usd") text = scaled(magnitude, digits, false);
  else if (kind === "count_words") text = scaled(magnitude, digits, true);
  else if (kind === "flop") text = plain(magnitude, digits, 4);
  else text = plain(magnitude, digits);
  if (kind === "usd") text = "$" + text;
  return sign + text + (SUFFIX[kind] || "");
}

window.aicomputeFormat = {
  number: formatNumber,
  flop: (value, digits = 3) => formatNumber(value, "flop", digits),
  pfsDays: (value, digits = 3) => formatNumber(value, "pfs_days", digits),
  count: (value, digits = 3) => formatNumber(value, "count", digits),
  usd: (value, digits = 3) => formatNumber(value, "usd", digits),
  percent: (value, digits = 3) => formatNumber(value, "percent", digits),
};
})();
