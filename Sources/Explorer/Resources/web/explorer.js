// The explorer's page: the map, the sliders, interpolation, drawing and layer activations.
// Every number comes from the server (/api/...); nothing here is fetched from elsewhere.
"use strict";

const $ = id => document.getElementById(id);

/** Everything the page knows; `window.explorer` lets the browser test read it. */
const state = {
  info: null, map: null,
  z: [], zSource: "",
  decodes: 0, inFlight: false, pending: false,
  latency: { server: [], roundTrip: [] },
  priorSeed: 1,
  drawn: null,            // the last encoding of the drawing: {encoding, ...}
  encodes: 0,
  mapPoints: [],          // screen positions of the shown points: [x, y, index]
  layersShown: 0,
  hovered: null,          // the test image under the mouse on the map
};
window.explorer = state;

function showError(error) { $("error").textContent = error ? String(error.message || error) : ""; }

// MARK: Start

async function start() {
  try {
    state.info = await (await api("/api/info")).json();
    state.map = await (await api("/api/map")).json();
  } catch (error) { showError(error); return; }
  const info = state.info;
  $("model").textContent = `${info.summary} · ${info.parameters.toLocaleString()} parameters` +
    (info.epoch !== null && info.epoch !== undefined ? ` · after epoch ${info.epoch}` : "") +
    ` · ${info.checkpoint} · ${info.testImages.toLocaleString()} test images encoded in ${format(info.openingSeconds, 1)} s`;
  $("sample-name").textContent = info.sampleName;
  $("legend").innerHTML = CLASS_COLOURS.map((c, k) => `<span style="background:${c}">${k}</span>`).join("");
  for (let k = 0; k < 10; k++) $("digit").add(new Option(String(k), String(k)));
  if (info.classCount > 0) {
    for (const select of [$("label"), $("draw-label")]) for (let k = 0; k < info.classCount; k++) select.add(new Option(String(k), String(k)));
    $("label-row").hidden = false; $("draw-label-row").hidden = false;
  }
  if (info.tsne) {
    $("map-note").textContent += ` t-SNE: chapter 8's map (${info.tsne}) of the first ${state.map.tsneCount.toLocaleString()} test digits; it has no inverse, so only its points can be clicked.`;
  } else {
    $("tsne-choice").disabled = true;
    $("map-note").textContent += " " + (info.tsneNote || "");
  }
  $("map-note").textContent += ` The PCA plane holds ${format(100 * info.pcaExplained, 1)}% of the variance of μ.`;
  for (const id of ["from", "to", "layer-index"]) $(id).max = info.testImages - 1;
  buildSliders(info.latentDimensions);
  drawMap();
  await setFromTestImage(0);
  interpolate();
  clearCanvas();
}

// MARK: Map

function projection() { return document.querySelector("input[name=projection]:checked").value; }

function drawMap() {
  const canvas = $("map"), g = canvas.getContext("2d");
  const useTSNE = projection() === "tsne" && state.map.tsne;
  const points = useTSNE ? state.map.tsne : state.map.pca;
  const count = useTSNE ? state.map.tsneCount : state.map.labels.length;
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (let i = 0; i < count; i++) {
    xMin = Math.min(xMin, points[2 * i]); xMax = Math.max(xMax, points[2 * i]);
    yMin = Math.min(yMin, points[2 * i + 1]); yMax = Math.max(yMax, points[2 * i + 1]);
  }
  const margin = 12, size = canvas.width - 2 * margin;
  const span = Math.max(xMax - xMin, yMax - yMin) || 1;
  const cx = (xMin + xMax) / 2, cy = (yMin + yMax) / 2;
  state.toScreen = (x, y) => [margin + size / 2 + (x - cx) / span * size, margin + size / 2 - (y - cy) / span * size];
  state.fromScreen = (sx, sy) => [cx + (sx - margin - size / 2) / size * span, cy - (sy - margin - size / 2) / size * span];
  g.clearRect(0, 0, canvas.width, canvas.height);
  state.mapPoints = [];
  for (let i = 0; i < count; i++) {
    const [sx, sy] = state.toScreen(points[2 * i], points[2 * i + 1]);
    g.fillStyle = CLASS_COLOURS[state.map.labels[i] % 10];
    g.globalAlpha = 0.7;
    g.fillRect(sx - 1.5, sy - 1.5, 3, 3);
    state.mapPoints.push([sx, sy, i]);
  }
  g.globalAlpha = 1;
  drawMarker();
}

/** Where the current z lies on the PCA plane (a cross); on t-SNE, around its test image. */
function drawMarker() {
  if (!state.info || !state.z.length || projection() !== "pca") return;
  const g = $("map").getContext("2d");
  const [a, b] = state.info.pcaAxes, c = state.info.pcaCentre;
  let x = 0, y = 0;
  for (let j = 0; j < state.z.length; j++) { x += (state.z[j] - c[j]) * a[j]; y += (state.z[j] - c[j]) * b[j]; }
  const [sx, sy] = state.toScreen(x, y);
  g.strokeStyle = "#000"; g.lineWidth = 2;
  g.beginPath(); g.moveTo(sx - 7, sy); g.lineTo(sx + 7, sy); g.moveTo(sx, sy - 7); g.lineTo(sx, sy + 7); g.stroke();
  g.lineWidth = 1;
}

function nearestPoint(event) {
  const canvas = $("map"), box = canvas.getBoundingClientRect();
  const sx = (event.clientX - box.left) * canvas.width / box.width, sy = (event.clientY - box.top) * canvas.height / box.height;
  let best = null, bestDistance = 25;                                     // within 5 pixels
  for (const [x, y, i] of state.mapPoints) {
    const d = (x - sx) * (x - sx) + (y - sy) * (y - sy);
    if (d < bestDistance) { bestDistance = d; best = i; }
  }
  return { index: best, sx, sy };
}

/** Test images already fetched for the tooltip, by index. */
const thumbnails = new Map();

$("map").addEventListener("mousemove", async event => {
  const { index } = nearestPoint(event);
  const tip = $("tooltip");
  if (index === null) { tip.style.display = "none"; state.hovered = null; return; }
  tip.style.left = (event.clientX + 12) + "px"; tip.style.top = (event.clientY + 12) + "px";
  if (state.hovered === index) return;
  state.hovered = index;
  tip.innerHTML = `<div>test image ${index}: a ${state.map.labels[index]}</div>`;
  tip.style.display = "block";
  try {
    if (!thumbnails.has(index)) thumbnails.set(index, (await (await api("/api/test/" + index)).json()).image);
    if (state.hovered !== index) return;                      // the mouse has moved on
    const image = new Image(56, 56);
    image.className = "digit"; image.src = thumbnails.get(index);
    tip.append(image);
  } catch (error) { showError(error); }
});
$("map").addEventListener("mouseleave", () => { $("tooltip").style.display = "none"; });
$("map").addEventListener("click", event => {
  const { index, sx, sy } = nearestPoint(event);
  if (index !== null) { setFromTestImage(index); return; }
  if (projection() !== "pca") return;
  const [x, y] = state.fromScreen(sx, sy);
  const [a, b] = state.info.pcaAxes, c = state.info.pcaCentre;
  setCode(c.map((m, j) => m + x * a[j] + y * b[j]), `z: the PCA plane at (${format(x)}, ${format(y)})`);
});
for (const radio of document.querySelectorAll("input[name=projection]")) radio.addEventListener("change", drawMap);

// MARK: Sliders

function buildSliders(dimensions) {
  const box = $("sliders");
  box.innerHTML = "";
  for (let d = 0; d < dimensions; d++) {
    const name = document.createElement("span"); name.textContent = "z" + d;
    const slider = document.createElement("input");
    Object.assign(slider, { type: "range", min: -3, max: 3, step: 0.01, value: 0, id: "z" + d });
    const value = document.createElement("span"); value.className = "value"; value.id = "z" + d + "-value";
    slider.addEventListener("input", () => {
      state.z[d] = parseFloat(slider.value);
      value.textContent = format(state.z[d]);
      state.zSource = "z: moved by hand";
      $("slider-source").textContent = state.zSource;
      requestDecode();
      drawMap();
    });
    box.append(name, slider, value);
  }
}

/** Sets z (the sliders show it clamped to ±3, the value as it is) and decodes it. */
function setCode(z, source) {
  state.z = Array.from(z, Number);
  state.zSource = source;
  state.z.forEach((v, d) => { $("z" + d).value = Math.max(-3, Math.min(3, v)); $("z" + d + "-value").textContent = format(v); });
  $("slider-source").textContent = source;
  requestDecode();
  drawMap();
}

async function setFromTestImage(index) {
  try {
    const item = await (await api("/api/test/" + index)).json();
    if (state.info.classCount > 0) $("label").value = String(item.label);
    $("digit").value = String(item.label);
    $("layer-index").value = index;
    setCode(item.mu, `z: the μ of test image ${index} (a ${item.label})`);
  } catch (error) { showError(error); }
}

function decodeBody() {
  const body = { z: state.z, sample: document.querySelector("input[name=output]:checked").value === "sample", seed: state.decodes + 1, scale: 8 };
  if (state.info.classCount > 0) body.label = parseInt($("label").value, 10);
  return body;
}

/** One decode in flight at a time; a move during it is sent when it returns (the latest only). */
async function requestDecode() {
  if (state.inFlight) { state.pending = true; return; }
  state.inFlight = true;
  const started = performance.now();
  try {
    const response = await api("/api/decode", decodeBody());
    const server = serverMilliseconds(response);
    const blob = await response.blob();
    const image = $("decoded"), old = image.src;
    image.src = URL.createObjectURL(blob);
    await image.decode();
    if (old.startsWith("blob:")) URL.revokeObjectURL(old);
    const roundTrip = performance.now() - started;
    state.decodes += 1;
    state.latency.server.push(server); state.latency.roundTrip.push(roundTrip);
    if (state.latency.server.length > 2000) { state.latency.server.shift(); state.latency.roundTrip.shift(); }
    const recentServer = state.latency.server.slice(-50), recentTrip = state.latency.roundTrip.slice(-50);
    $("latency").textContent = `decode: server ${format(median(recentServer))} ms, round trip ${format(median(recentTrip))} ms ` +
      `(medians of the last ${recentTrip.length}; ${state.decodes} decoded)`;
    showError(null);
  } catch (error) { showError(error); }
  state.inFlight = false;
  if (state.pending) { state.pending = false; requestDecode(); }
}

$("reset").addEventListener("click", () => {
  const digit = parseInt($("digit").value, 10);
  const index = state.map.labels.indexOf(digit);
  if (index >= 0) setFromTestImage(index);
});
$("label").addEventListener("change", requestDecode);
for (const radio of document.querySelectorAll("input[name=output]")) radio.addEventListener("change", requestDecode);
$("temperature").addEventListener("input", () => { $("temperature-value").textContent = format(parseFloat($("temperature").value)); });
$("draw-prior").addEventListener("click", async () => {
  try {
    const T = parseFloat($("temperature").value), seed = state.priorSeed++;
    const { z } = await (await api("/api/prior", { temperature: T, seed })).json();
    $("prior-seed").textContent = `seed ${seed}`;
    setCode(z, `z: drawn from N(0, ${format(T)}²·I), seed ${seed}`);
  } catch (error) { showError(error); }
});

// MARK: Interpolation

async function interpolate() {
  try {
    const body = { from: parseInt($("from").value, 10), to: parseInt($("to").value, 10), steps: parseInt($("steps").value, 10) };
    const started = performance.now();
    const response = await api("/api/interpolate", body);
    const paths = await response.json();
    for (const [id, url] of [["linear", paths.linear], ["spherical", paths.spherical]]) {
      const image = $(id);
      image.onload = () => { image.width = Math.min(2 * image.naturalWidth, image.parentElement.clientWidth - 20); };
      image.src = url;
    }
    $("interpolation-info").textContent = `from a ${paths.labels[0]} to a ${paths.labels[1]}, ${body.steps} steps: ` +
      `server ${format(serverMilliseconds(response))} ms, round trip ${format(performance.now() - started)} ms`;
    showError(null);
  } catch (error) { showError(error); }
}
$("interpolate").addEventListener("click", interpolate);
$("random-pair").addEventListener("click", () => {
  const n = state.info.testImages;
  $("from").value = Math.floor(Math.random() * n); $("to").value = Math.floor(Math.random() * n);
  interpolate();
});

// MARK: Drawing

const canvas = $("canvas"), pen = canvas.getContext("2d");
let drawing = false;

function clearCanvas() {
  pen.fillStyle = "#000"; pen.fillRect(0, 0, canvas.width, canvas.height);
}

function canvasPoint(event) {
  const box = canvas.getBoundingClientRect();
  return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
}

canvas.addEventListener("pointerdown", event => {
  drawing = true; canvas.setPointerCapture(event.pointerId);
  const [x, y] = canvasPoint(event);
  pen.strokeStyle = "#fff"; pen.lineWidth = 22; pen.lineCap = "round"; pen.lineJoin = "round";
  pen.beginPath(); pen.moveTo(x, y); pen.lineTo(x + 0.01, y); pen.stroke();
});
canvas.addEventListener("pointermove", event => {
  if (!drawing) return;
  const [x, y] = canvasPoint(event);
  pen.lineTo(x, y); pen.stroke();
});
canvas.addEventListener("pointerup", () => { if (drawing) { drawing = false; encodeCanvas(); } });
$("clear").addEventListener("click", () => { clearCanvas(); });
$("draw-label").addEventListener("change", () => encodeCanvas());

function encodeCanvas() {
  return new Promise(resolve => canvas.toBlob(blob => resolve(encodeUpload(blob)), "image/png"));
}

$("upload").addEventListener("change", () => {
  const file = $("upload").files[0];
  if (file) encodeUpload(file);
});

async function encodeUpload(blob) {
  try {
    const label = state.info.classCount > 0 ? "?label=" + $("draw-label").value : "";
    const answer = await (await api("/api/encode-image" + label, blob, { type: "image/png" })).json();
    state.drawn = answer;
    state.encodes += 1;
    showEncoding(answer);
    showError(null);
  } catch (error) { showError(error); }
}

function showEncoding(answer) {
  const e = answer.encoding, info = state.info;
  $("seen").src = answer.inputImage;
  $("reconstruction").src = answer.reconstructionImage;
  $("elbo").innerHTML = `<tr><th>ELBO (one z)</th><td>${format(e.elbo)} nats</td></tr>` +
    `<tr><td>reconstruction −log p(x|z)</td><td>${format(e.reconstructionTerm)}</td></tr>` +
    `<tr><td>KL(q(z|x) ‖ p(z))</td><td>${format(e.kl)}</td></tr>` +
    `<tr><td>${info.score}</td><td>${format(e.score)}</td></tr>` +
    `<tr><td>test digits below it</td><td>${format(100 * e.percentile, 1)}%</td></tr>`;
  const verdict = $("verdict");
  verdict.textContent = e.outOfDistribution ? "looks out of distribution" : "looks like a test digit";
  verdict.className = "verdict " + (e.outOfDistribution ? "bad" : "good");
  $("verdict-explain").textContent = `The score is ${info.scoreExplanation}. It is called out of distribution above ` +
    `${format(info.threshold, 1)} nats, the ${Math.round(100 * info.quantile)}th percentile of the test digits' scores ` +
    `(median ${format(info.testMedian, 1)}): one test digit in ${Math.round(1 / (1 - info.quantile))} is flagged by construction.`;
  $("use-mu").disabled = false;
  drawBars($("posterior"), e.mu, { errors: e.sigma, symmetric: true, label: "μ ± σ per dimension" });
}

$("use-mu").addEventListener("click", () => {
  if (state.drawn) setCode(state.drawn.encoding.mu, "z: the μ of the drawn digit");
});

// MARK: Layers

async function showLayers() {
  try {
    const fromDrawing = document.querySelector("input[name=layer-source]:checked").value === "drawn";
    if (fromDrawing && !state.drawn) throw new Error("draw a digit first");
    const body = fromDrawing ? { pixels: state.drawn.encoding.input } : { index: parseInt($("layer-index").value, 10) };
    if (state.info.classCount > 0 && fromDrawing) body.label = parseInt($("draw-label").value, 10);
    const response = await api("/api/activations", body);
    const answer = await response.json();
    for (const [side, layers] of [["encoder", answer.encoder], ["decoder", answer.decoder]]) {
      const box = $(side + "-layers");
      box.innerHTML = "";
      for (const layer of layers) {
        const div = document.createElement("div"); div.className = "layer";
        div.innerHTML = `<div class="name">${layer.name} <span class="meta">${layer.layer}</span></div>` +
          `<div class="meta">[${layer.shape.join(", ")}] · min ${format(layer.minimum)} · max ${format(layer.maximum)} · ` +
          `mean ${format(layer.mean)} · zeros ${format(100 * layer.zeros, 0)}%</div>`;
        const image = document.createElement("img");
        image.src = layer.image;
        image.onload = () => { const f = Math.max(1, Math.min(8, Math.floor(360 / image.naturalWidth))); image.width = image.naturalWidth * f; };
        div.append(image); box.append(div);
      }
    }
    state.layersShown += 1;
    $("layers-info").textContent = `${answer.source}: ${answer.encoder.length} encoder and ${answer.decoder.length} decoder layers, ` +
      `server ${format(serverMilliseconds(response))} ms`;
    showError(null);
  } catch (error) { showError(error); }
}
$("show-layers").addEventListener("click", showLayers);

start();
