// What both pages share: talking to the server, colours, and a small line chart on a canvas.
"use strict";

/** The ten class colours of the course's figures (matplotlib's tab10). */
const CLASS_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                       "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** GETs or POSTs JSON; throws an Error with the server's message on a 4xx or 5xx. */
async function api(path, body, options = {}) {
  const init = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": options.type || "application/json" },
    body: options.type ? body : JSON.stringify(body),
  };
  const response = await fetch(path, init);
  if (!response.ok) {
    let message = response.status + " " + response.statusText;
    try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

/** The server's own time for a response, from its Server-Timing header, in ms (NaN if none). */
function serverMilliseconds(response) {
  const header = response.headers.get("Server-Timing") || "";
  const match = header.match(/dur=([0-9.]+)/);
  return match ? parseFloat(match[1]) : NaN;
}

/** The median of an array of numbers (NaN when empty). */
function median(values) {
  if (!values.length) return NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The value at quantile q of an array of numbers. */
function quantile(values, q) {
  if (!values.length) return NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function format(x, digits = 2) { return Number.isFinite(x) ? x.toFixed(digits) : "–"; }

/** A cleared canvas at the screen's resolution, drawn in CSS pixels: its context and size. */
function blankCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  canvas.width = width * ratio; canvas.height = height * ratio;
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  return { g, width, height };
}

/**
 * A line chart: `series` is a list of {name, colour, x: [...], y: [...], points?: bool}.
 * Axes with a few round ticks; `log` makes the y axis logarithmic (values ≤ 0 are left out).
 */
function drawChart(canvas, series, { log = false, xLabel = "", yLabel = "" } = {}) {
  const { g, width, height } = blankCanvas(canvas);
  const left = 58, right = 12, top = 22, bottom = 34;
  const ty = y => log ? Math.log10(y) : y;
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const s of series) for (let i = 0; i < s.x.length; i++) {
    const y = s.y[i];
    if (!Number.isFinite(y) || (log && y <= 0)) continue;
    xMin = Math.min(xMin, s.x[i]); xMax = Math.max(xMax, s.x[i]);
    yMin = Math.min(yMin, ty(y)); yMax = Math.max(yMax, ty(y));
  }
  g.font = "11px sans-serif"; g.fillStyle = "#5f6368"; g.strokeStyle = "#d9dce1";
  if (!Number.isFinite(xMin)) { g.fillText("waiting for data…", left, top + 20); return; }
  if (xMax === xMin) xMax = xMin + 1;
  if (yMax === yMin) { yMax += 0.5; yMin -= 0.5; }
  const pad = (yMax - yMin) * 0.05; yMin -= pad; yMax += pad;
  const px = x => left + (x - xMin) / (xMax - xMin) * (width - left - right);
  const py = y => top + (yMax - ty(y)) / (yMax - yMin) * (height - top - bottom);
  // Ticks.
  g.beginPath();
  for (const t of ticks(xMin, xMax, 6)) { const x = px(t); g.moveTo(x, top); g.lineTo(x, height - bottom); g.fillText(String(t), x - 8, height - bottom + 14); }
  const yTicks = log ? logTicks(yMin, yMax) : ticks(yMin, yMax, 5);
  for (const t of yTicks) {
    const y = top + (yMax - t) / (yMax - yMin) * (height - top - bottom);
    g.moveTo(left, y); g.lineTo(width - right, y);
    const label = log ? formatTick(Math.pow(10, t)) : formatTick(t);
    g.fillText(label, 4, y + 4);
  }
  g.stroke();
  g.fillText(xLabel, width / 2 - 20, height - 4);
  g.fillText(yLabel + (log ? " (log scale)" : ""), left, 12);
  // Lines.
  let legendX = width - right - 8;
  for (const s of series.slice().reverse()) {
    g.strokeStyle = s.colour; g.fillStyle = s.colour; g.lineWidth = s.points ? 1 : 1.4;
    g.beginPath();
    let started = false;
    for (let i = 0; i < s.x.length; i++) {
      const y = s.y[i];
      if (!Number.isFinite(y) || (log && y <= 0)) { started = false; continue; }
      if (s.points) { g.fillRect(px(s.x[i]) - 3, py(y) - 3, 6, 6); continue; }
      if (started) g.lineTo(px(s.x[i]), py(y)); else { g.moveTo(px(s.x[i]), py(y)); started = true; }
    }
    g.stroke();
    const w = g.measureText(s.name).width;
    legendX -= w + 22;
    g.fillRect(legendX, 6, 12, 4); g.fillText(s.name, legendX + 15, 12);
  }
  g.lineWidth = 1;
}

function ticks(low, high, count) {
  const step = niceStep((high - low) / count);
  const out = [];
  for (let t = Math.ceil(low / step) * step; t <= high + 1e-9; t += step) out.push(Math.round(t / step) * step);
  return out;
}

function logTicks(low, high) {
  const out = [];
  for (let e = Math.ceil(low); e <= Math.floor(high); e++) out.push(e);
  if (out.length < 2) return ticks(low, high, 4);
  return out;
}

function niceStep(raw) {
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / power;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * power;
}

function formatTick(t) {
  const a = Math.abs(t);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return t.toExponential(0);
  return String(Math.round(t * 1e4) / 1e4);
}

/** A bar chart of values per dimension, with optional whiskers (±err). */
function drawBars(canvas, values, { errors = null, colour = "#1f77b4", label = "", symmetric = false } = {}) {
  const { g, width, height } = blankCanvas(canvas);
  const left = 40, bottom = 18, top = 16, right = 6;
  let high = 0;
  values.forEach((v, i) => { high = Math.max(high, Math.abs(v) + (errors ? errors[i] : 0)); });
  if (high === 0) high = 1;
  const low = symmetric ? -high : 0;
  const py = y => top + (high - y) / (high - low) * (height - top - bottom);
  const bw = (width - left - right) / values.length;
  g.font = "10px sans-serif"; g.fillStyle = "#5f6368"; g.strokeStyle = "#d9dce1";
  g.beginPath(); g.moveTo(left, py(0)); g.lineTo(width - right, py(0)); g.stroke();
  g.fillText(formatTick(high), 2, py(high) + 8); if (symmetric) g.fillText(formatTick(low), 2, py(low));
  g.fillText(label, left, 11);
  values.forEach((v, i) => {
    const x = left + i * bw;
    g.fillStyle = colour;
    g.fillRect(x + 1, Math.min(py(0), py(v)), Math.max(1, bw - 2), Math.abs(py(v) - py(0)));
    if (errors) {
      g.strokeStyle = "#1d1d1f"; g.beginPath();
      g.moveTo(x + bw / 2, py(v - errors[i])); g.lineTo(x + bw / 2, py(v + errors[i])); g.stroke();
    }
    if (values.length <= 32 || i % 5 === 0) { g.fillStyle = "#5f6368"; g.fillText(String(i), x + bw / 2 - 3, height - 5); }
  });
}
