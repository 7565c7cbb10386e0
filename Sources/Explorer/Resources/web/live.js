// The live view of a training run: the server pushes what is new four times a second over a
// WebSocket (/api/live/stream); the page keeps every number and redraws.
"use strict";

const $ = id => document.getElementById(id);

/** Everything received; `window.live` lets the browser test read it. */
const live = {
  run: null, status: "connecting",
  step: [], reconstruction: [], kl: [], loss: [], learningRate: [], klWeight: [],
  epochs: [], messages: 0, transport: "",
};
window.live = live;

function merge(update) {
  if (update.run) live.run = update.run;
  if (update.fromStep === live.step.length) {
    for (const key of ["step", "reconstruction", "kl", "loss", "learningRate", "klWeight"]) live[key].push(...update[key]);
  }
  if (update.fromEpoch === live.epochs.length) live.epochs.push(...update.epochs);
  live.status = update.status;
  live.messages += 1;
  render();
}

// MARK: Receiving

function connect() {
  const socket = new WebSocket(`ws://${location.host}/api/live/stream`);
  socket.onopen = () => { live.transport = "WebSocket"; $("connection").textContent = "streaming over a WebSocket"; };
  socket.onmessage = event => merge(JSON.parse(event.data));
  socket.onerror = () => {};
  socket.onclose = () => {
    $("connection").textContent = "the stream closed; asking every second instead";
    poll();
  };
}

/** The fallback when the socket closes: GET what is new since the counts held. */
async function poll() {
  live.transport = "polling";
  while (true) {
    try {
      const response = await fetch(`/api/live/state?steps=${live.step.length}&epochs=${live.epochs.length}`);
      if (response.ok) { merge(await response.json()); $("error").textContent = ""; }
    } catch (error) { $("error").textContent = "the server does not answer (training ended and the process stopped?)"; }
    await new Promise(done => setTimeout(done, 1000));
  }
}

// MARK: Drawing

function smoothed(values, a) {
  const out = new Array(values.length);
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    s = a * s + (1 - a) * values[i];
    out[i] = s / (1 - Math.pow(a, i + 1));        // debiased, as Adam's moments
  }
  return out;
}

function render() {
  const run = live.run;
  if (run) {
    $("title").textContent = run.title;
    $("run").textContent = `${run.summary} · ${run.objective} · ${run.epochs} epochs of ${run.stepsPerEpoch} updates (batch ${run.batchSize})`;
  }
  $("status").textContent = live.status;
  const lastEpoch = live.epochs.length ? live.epochs[live.epochs.length - 1] : null;
  const done = lastEpoch ? lastEpoch.epoch : 0;
  const speed = lastEpoch && lastEpoch.imagesPerSecond ? ` · ${Math.round(lastEpoch.imagesPerSecond).toLocaleString()} images/s in the last epoch` : "";
  $("progress").textContent = `${live.step.length.toLocaleString()} updates` + (run ? ` of ${(run.epochs * run.stepsPerEpoch).toLocaleString()}` : "") +
    `, ${done} epoch${done === 1 ? "" : "s"} done` + speed;
  drawLoss();
  drawChart($("rate-chart"), [{ name: "learning rate", colour: "#9467bd", x: live.step, y: live.learningRate }], { xLabel: "update", yLabel: "η" });
  drawChart($("weight-chart"), [{ name: "KL weight (β or γ)", colour: "#8c564b", x: live.step, y: live.klWeight }], { xLabel: "update", yLabel: "weight" });
  updateEpochSlider();
}

function drawLoss() {
  const a = parseFloat($("smoothing").value);
  const log = $("log-scale").checked;
  const series = [];
  const run = live.run;
  const epochX = live.epochs.map(e => e.step - 1);
  if ($("show-loss").checked) series.push({ name: "loss", colour: "#1d1d1f", x: live.step, y: smoothed(live.loss, a) });
  if ($("show-reconstruction").checked) {
    series.push({ name: "reconstruction", colour: "#1f77b4", x: live.step, y: smoothed(live.reconstruction, a) });
    series.push({ name: "test recon", colour: "#1f77b4", points: true, x: epochX, y: live.epochs.map(e => e.test ? e.test.reconstruction : NaN) });
  }
  if ($("show-kl").checked) {
    series.push({ name: "KL", colour: "#d62728", x: live.step, y: smoothed(live.kl, a) });
    series.push({ name: "test KL", colour: "#d62728", points: true, x: epochX, y: live.epochs.map(e => e.test ? e.test.kl : NaN) });
  }
  drawChart($("loss-chart"), series, { log, xLabel: "update", yLabel: "nats per image" });
}

let shownEpoch = -1;
function updateEpochSlider() {
  const slider = $("epoch");
  if (!live.epochs.length) return;
  slider.max = live.epochs.length - 1;
  if ($("follow").checked) slider.value = live.epochs.length - 1;
  showEpoch(parseInt(slider.value, 10));
}

function showEpoch(index) {
  const e = live.epochs[index];
  if (!e) return;
  $("epoch-value").textContent = e.epoch === 0 ? "before training" : `epoch ${e.epoch}`;
  if (shownEpoch !== index) {
    $("samples").src = `/api/live/epoch/${e.epoch}/samples.png`;
    $("reconstructions").src = `/api/live/epoch/${e.epoch}/reconstructions.png`;
    shownEpoch = index;
  }
  const row = (name, t) => t ? `<tr><td>${name}</td><td>${format(t.reconstruction)}</td><td>${format(t.kl)}</td><td>${format(-(t.reconstruction + t.kl))}</td></tr>` : "";
  $("epoch-numbers").innerHTML = `<tr><th></th><th>reconstruction</th><th>KL</th><th>ELBO</th></tr>` + row("train (mean of the epoch)", e.train) + row("test", e.test) +
    (e.learningRate ? `<tr><td>learning rate at its end</td><td colspan="3">${e.learningRate.toExponential(2)}</td></tr>` : "") +
    (e.seconds ? `<tr><td>time</td><td colspan="3">${format(e.seconds, 1)} s, ${Math.round(e.imagesPerSecond).toLocaleString()} images/s</td></tr>` : "") +
    `<tr><td>the live view's pictures and KL</td><td colspan="3">${format(e.recordSeconds, 3)} s</td></tr>`;
  drawBars($("kl-chart"), e.klPerDimension, { colour: "#d62728", label: `KL per dimension, nats (${e.activeUnits} active units)` });
}

for (const id of ["samples", "reconstructions"]) {          // twice their size, pixels kept sharp
  $(id).addEventListener("load", () => { $(id).width = 2 * $(id).naturalWidth; });
}
$("epoch").addEventListener("input", () => { $("follow").checked = false; showEpoch(parseInt($("epoch").value, 10)); });
$("smoothing").addEventListener("input", () => { $("smoothing-value").textContent = parseFloat($("smoothing").value).toFixed(3); drawLoss(); });
for (const id of ["log-scale", "show-loss", "show-reconstruction", "show-kl"]) $(id).addEventListener("change", drawLoss);
$("follow").addEventListener("change", updateEpochSlider);
window.addEventListener("resize", render);

connect();
