// robustseg studio: plain JavaScript, no framework, no build step. The page is the first client of
// the JSON API documented in the README: GET /api/studio, GET /api/scenes/{i}, POST /api/uploads,
// POST /api/jobs, GET /api/jobs/{id}/events (server-sent events), DELETE /api/jobs/{id}.
"use strict";

const $ = (id) => document.getElementById(id);

const state = {
  studio: null,      // GET /api/studio
  size: 64,
  input: null,       // {ref: {scene: i} | {upload: id}, image: Image, labels: Image|null, labelIds: [..]|null, description}
  mode: "inpaint",
  mask: null,        // Uint8Array size*size, 1 = hole
  layout: null,      // Uint8Array size*size, class ids
  click: null,       // {x, y} for edit
  job: null,         // {id, events: EventSource}
  rectStart: null,
};

// ---------- start-up ----------

async function start() {
  const res = await fetch("/api/studio");
  state.studio = await res.json();
  state.size = state.studio.size;
  for (const c of ["input-canvas", "paint-canvas"]) {
    $(c).width = state.size;
    $(c).height = state.size;
  }
  state.mask = new Uint8Array(state.size * state.size);
  state.layout = new Uint8Array(state.size * state.size);
  buildModelChoice();
  buildClassControls();
  buildAttackControls();
  bindControls();
  const scenes = state.studio.scenes;
  $("scene-index").max = Math.max(0, scenes.count - 1);
  $("server-note").textContent = (scenes.count ? scenes.count + " scenes of " + scenes.data + " · " : "no scenes (upload an image) · ")
      + "models see " + state.size + "×" + state.size + " · at most " + state.studio.limits.max_steps + " steps, "
      + state.studio.limits.job_seconds + " s per job";
  if (scenes.count > 0) {
    await loadScene(0);
  } else {
    $("input-note").textContent = "no validation scenes: upload a PNG or JPEG";
    $("scene-index").disabled = true;
  }
  setMode("inpaint");
}

function buildModelChoice() {
  const box = $("models");
  for (const m of state.studio.models) {
    const label = document.createElement("label");
    const cb = document.createElement("input");
    cb.type = "checkbox";
    cb.checked = true;
    cb.value = m.name;
    cb.className = "model-choice";
    label.append(cb, " " + m.name + " ");
    const about = document.createElement("span");
    about.className = "recipe";
    about.textContent = "(" + m.architecture + (m.recipe ? ", " + m.recipe : "") + ", " + m.checkpoint
      + (m.gradients === false ? ", ONNX: predict only" : "") + ")";
    label.append(about);
    box.append(label);
  }
}

function buildClassControls() {
  const legend = $("legend");
  for (const c of state.studio.classes) {
    const s = document.createElement("span");
    s.className = "swatch";
    s.dataset.cls = c.id;
    const i = document.createElement("i");
    i.style.background = c.colour;
    s.append(i, c.name);
    s.addEventListener("click", () => { $("generate-class").value = c.id; markChosenSwatch(); });
    legend.append(s);
  }
  for (const sel of document.querySelectorAll(".class-select")) {
    for (const c of state.studio.classes) {
      sel.append(new Option(c.name, c.id));
    }
  }
  for (const c of state.studio.classes) {
    $("saliency-class").append(new Option(c.name, c.id));
  }
  // sensible first choices: paint an object into a hole, turn an object into another
  const firstObject = state.studio.classes.length > 1 ? 1 : 0;
  $("inpaint-class").value = state.studio.classes.length > 9 ? 9 : firstObject;
  $("generate-class").value = firstObject;
  $("edit-to").value = state.studio.classes.length > 9 ? 9 : firstObject;
  markChosenSwatch();
}

function markChosenSwatch() {
  for (const s of document.querySelectorAll("#legend .swatch")) {
    s.classList.toggle("chosen", state.mode === "generate" && s.dataset.cls === String($("generate-class").value));
  }
}

function buildAttackControls() {
  for (const a of state.studio.attacks) $("attack-name").append(new Option(a, a));
  for (const l of state.studio.losses) $("attack-loss").append(new Option(l, l));
  $("attack-steps").value = state.studio.modes.attack;
  $("inpaint-steps").value = state.studio.modes.inpaint;
  $("generate-steps").value = state.studio.modes.generate;
  $("edit-steps").value = state.studio.modes.edit;
}

function bindControls() {
  $("scene-index").addEventListener("change", () => loadScene(parseInt($("scene-index").value, 10) || 0));
  $("scene-prev").addEventListener("click", () => loadScene(Math.max(0, currentScene() - 1)));
  $("scene-next").addEventListener("click", () => loadScene(Math.min(state.studio.scenes.count - 1, currentScene() + 1)));
  $("scene-random").addEventListener("click", () => loadScene(Math.floor(Math.random() * state.studio.scenes.count)));
  $("upload").addEventListener("change", uploadFile);
  $("show-labels").addEventListener("change", drawInput);
  for (const b of document.querySelectorAll("#modes button")) {
    b.addEventListener("click", () => setMode(b.dataset.mode));
  }
  $("inpaint-clear").addEventListener("click", () => { state.mask.fill(0); drawPaint(); });
  $("generate-fill").addEventListener("click", () => { state.layout.fill(parseInt($("generate-class").value, 10)); drawPaint(); });
  $("generate-from-scene").addEventListener("click", () => {
    if (state.input && state.input.labelIds) {
      state.layout.set(state.input.labelIds.map((v) => (v === 255 ? 0 : v)));
      drawPaint();
    } else {
      showError("the input has no true labels to take (it is an upload)");
    }
  });
  $("generate-class").addEventListener("change", markChosenSwatch);
  $("attack-eps").addEventListener("input", updateEpsText);
  $("attack-norm").addEventListener("change", updateEpsText);
  $("run").addEventListener("click", run);
  $("stop").addEventListener("click", stop);
  $("overlay-results").addEventListener("change", () => {
    for (const v of document.querySelectorAll(".view")) v.classList.toggle("overlaid", $("overlay-results").checked);
  });
  const paint = $("paint-canvas");
  paint.addEventListener("pointerdown", (e) => { paint.setPointerCapture(e.pointerId); pointer(e, "down"); });
  paint.addEventListener("pointermove", (e) => { if (e.buttons & 1) pointer(e, "move"); });
  paint.addEventListener("pointerup", (e) => pointer(e, "up"));
  updateEpsText();
}

function updateEpsText() {
  const v = parseFloat($("attack-eps").value);
  $("attack-eps-text").textContent = $("attack-norm").value === "linf" ? v + "/255" : (v / 8).toFixed(3) + " (L2)";
}

function currentScene() {
  return state.input && state.input.ref.scene !== undefined ? state.input.ref.scene : 0;
}

// ---------- input ----------

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = reject;
    img.src = src;
  });
}

async function loadScene(index) {
  const res = await fetch("/api/scenes/" + index);
  const body = await res.json();
  if (!res.ok) { showError(body.error); return; }
  $("scene-index").value = index;
  state.input = {
    ref: {scene: index}, image: await loadImage(body.image), labels: await loadImage(body.labels),
    labelIds: body.label_ids, description: body.description, src: body.image,
  };
  $("input-note").textContent = body.description;
  $("upload").value = "";
  $("inpaint-target").querySelector("option[value=truth]").disabled = false;
  resetSelection();
  drawInput();
}

async function uploadFile() {
  const file = $("upload").files[0];
  if (!file) return;
  showError("");
  const res = await fetch("/api/uploads", {method: "POST", headers: {"Content-Type": file.type || "application/octet-stream"}, body: file});
  const body = await res.json();
  if (!res.ok) { showError(body.error); return; }
  state.input = {ref: {upload: body.id}, image: await loadImage(body.image), labels: null, labelIds: null,
                 description: body.description, src: body.image};
  $("input-note").textContent = body.description;
  $("inpaint-target").value = "prediction";
  $("inpaint-target").querySelector("option[value=truth]").disabled = true;
  resetSelection();
  drawInput();
}

function resetSelection() {
  state.click = null;
  $("edit-selection").textContent = "no object selected";
  drawPaint();
}

function drawInput() {
  const ctx = $("input-canvas").getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, state.size, state.size);
  if (!state.input) return;
  ctx.drawImage(state.input.image, 0, 0, state.size, state.size);
  if ($("show-labels").checked && state.input.labels) {
    ctx.globalAlpha = 0.55;
    ctx.drawImage(state.input.labels, 0, 0, state.size, state.size);
    ctx.globalAlpha = 1;
  }
  $("show-labels").disabled = !state.input.labels;
}

// ---------- painting ----------

function setMode(mode) {
  state.mode = mode;
  for (const b of document.querySelectorAll("#modes button")) b.classList.toggle("active", b.dataset.mode === mode);
  for (const f of document.querySelectorAll("#controls fieldset")) f.hidden = f.dataset.mode !== mode;
  if (mode === "generate" && !state.studio.generation) {
    showError("generation needs colour statistics: start the studio with --data or --statistics");
  } else {
    showError("");
  }
  markChosenSwatch();
  drawPaint();
}

function pixelOf(e) {
  const r = $("paint-canvas").getBoundingClientRect();
  const x = Math.floor((e.clientX - r.left) / r.width * state.size);
  const y = Math.floor((e.clientY - r.top) / r.height * state.size);
  return {x: Math.max(0, Math.min(state.size - 1, x)), y: Math.max(0, Math.min(state.size - 1, y))};
}

function pointer(e, phase) {
  const p = pixelOf(e);
  if (state.mode === "inpaint") {
    if ($("inpaint-tool").value === "rectangle") {
      if (phase === "down") state.rectStart = p;
      if (state.rectStart && phase === "up") {
        const x0 = Math.min(p.x, state.rectStart.x), x1 = Math.max(p.x, state.rectStart.x);
        const y0 = Math.min(p.y, state.rectStart.y), y1 = Math.max(p.y, state.rectStart.y);
        for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) state.mask[y * state.size + x] = 1;
        state.rectStart = null;
      }
    } else if (phase !== "up") {
      stroke(state.mask, p, phase, parseInt($("inpaint-brush").value, 10), 1);
    }
  } else if (state.mode === "generate" && phase !== "up") {
    stroke(state.layout, p, phase, parseInt($("generate-brush").value, 10), parseInt($("generate-class").value, 10));
  } else if (state.mode === "edit" && phase === "down") {
    state.click = p;
    describeSelection();
  }
  drawPaint();
}

/** A brush stroke: dabs along the line from the last pointer position, so a fast drag leaves no gaps. */
function stroke(target, p, phase, radius, value) {
  const from = phase === "move" && state.lastPoint ? state.lastPoint : p;
  const n = Math.max(1, Math.ceil(Math.hypot(p.x - from.x, p.y - from.y)));
  for (let i = 0; i <= n; i++) {
    dab(target, {x: Math.round(from.x + (p.x - from.x) * i / n), y: Math.round(from.y + (p.y - from.y) * i / n)}, radius, value);
  }
  state.lastPoint = p;
}

function dab(target, p, radius, value) {
  const r2 = radius * radius;
  for (let y = Math.max(0, p.y - radius); y <= Math.min(state.size - 1, p.y + radius); y++) {
    for (let x = Math.max(0, p.x - radius); x <= Math.min(state.size - 1, p.x + radius); x++) {
      if ((x - p.x) * (x - p.x) + (y - p.y) * (y - p.y) <= r2) target[y * state.size + x] = value;
    }
  }
}

/** The 4-connected object under the click, read off the true labels (scenes only). */
function selectedObject() {
  if (!state.click || !state.input || !state.input.labelIds) return null;
  const ids = state.input.labelIds, n = state.size;
  const start = state.click.y * n + state.click.x, cls = ids[start];
  const inside = new Uint8Array(n * n);
  const queue = [start];
  inside[start] = 1;
  while (queue.length) {
    const p = queue.pop(), r = Math.floor(p / n), c = p % n;
    for (const q of [r > 0 ? p - n : -1, r < n - 1 ? p + n : -1, c > 0 ? p - 1 : -1, c < n - 1 ? p + 1 : -1]) {
      if (q >= 0 && !inside[q] && ids[q] === cls) { inside[q] = 1; queue.push(q); }
    }
  }
  return {cls, inside};
}

function describeSelection() {
  const o = selectedObject();
  if (o) {
    const count = o.inside.reduce((a, b) => a + b, 0);
    $("edit-selection").textContent = "selected: " + state.studio.classes[o.cls].name + " (" + count + " px) at x " + state.click.x + ", y " + state.click.y;
  } else if (state.click) {
    $("edit-selection").textContent = "selected the object at x " + state.click.x + ", y " + state.click.y + " (read off the first model's prediction)";
  }
}

function hexToRgb(h) {
  const v = parseInt(h.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function drawPaint() {
  const ctx = $("paint-canvas").getContext("2d");
  const n = state.size;
  const img = ctx.createImageData(n, n);
  const d = img.data;
  if (state.mode === "inpaint") {
    for (let p = 0; p < n * n; p++) {
      if (state.mask[p]) { d[4 * p] = 255; d[4 * p + 1] = 255; d[4 * p + 2] = 255; d[4 * p + 3] = 210; }
    }
  } else if (state.mode === "generate") {
    const colours = state.studio.classes.map((c) => hexToRgb(c.colour));
    for (let p = 0; p < n * n; p++) {
      const c = colours[state.layout[p]] || [0, 0, 0];
      d[4 * p] = c[0]; d[4 * p + 1] = c[1]; d[4 * p + 2] = c[2]; d[4 * p + 3] = 255;
    }
  } else if (state.mode === "edit" && state.click) {
    const o = selectedObject();
    for (let p = 0; p < n * n; p++) {
      const mark = o ? o.inside[p] : (p === state.click.y * n + state.click.x);
      if (mark) { d[4 * p] = 255; d[4 * p + 1] = 230; d[4 * p + 2] = 0; d[4 * p + 3] = 150; }
    }
  }
  ctx.putImageData(img, 0, 0);
}

// ---------- jobs ----------

function chosenModels() {
  return [...document.querySelectorAll(".model-choice")].filter((c) => c.checked).map((c) => c.value);
}

function request() {
  const mode = state.mode;
  const body = {mode, models: chosenModels()};
  if (mode !== "generate") body.image = state.input ? state.input.ref : null;
  const int = (id) => parseInt($(id).value, 10);
  if (mode === "inpaint") {
    body.mask = Array.from(state.mask);
    body.target = $("inpaint-target").value;
    if (body.target === "prediction") body.class = $("inpaint-class").value;
    body.steps = int("inpaint-steps");
  } else if (mode === "generate") {
    body.layout = Array.from(state.layout);
    body.steps = int("generate-steps");
  } else if (mode === "edit") {
    body.click = state.click;
    body.to = $("edit-to").value;
    body.steps = int("edit-steps");
  } else if (mode === "attack") {
    const v = parseFloat($("attack-eps").value);
    body.attack = $("attack-name").value;
    body.loss = $("attack-loss").value;
    body.norm = $("attack-norm").value;
    body.eps = body.norm === "linf" ? v / 255 : v / 8;
    body.steps = int("attack-steps");
  } else if (mode === "saliency") {
    body.score = $("saliency-score").value;
    if ($("saliency-class").value !== "") body.class = $("saliency-class").value;
  }
  return body;
}

async function run() {
  showError("");
  const body = request();
  if (body.models.length === 0) { showError("choose at least one model"); return; }
  const res = await fetch("/api/jobs", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const reply = await res.json();
  if (!res.ok) { showError(reply.error + " (HTTP " + res.status + ")"); return; }
  if (state.job && state.job.events) state.job.events.close();
  buildColumns(body.models, reply.mode);
  state.job = {id: reply.id, mode: reply.mode};
  $("run").disabled = true;
  $("stop").disabled = false;
  $("download").hidden = true;
  setStatus(reply);
  const events = new EventSource("/api/jobs/" + reply.id + "/events");
  state.job.events = events;
  events.addEventListener("status", (e) => setStatus(JSON.parse(e.data)));
  events.addEventListener("progress", (e) => showProgress(JSON.parse(e.data)));
  events.addEventListener("result", (e) => showResult(JSON.parse(e.data)));
  events.addEventListener("end", (e) => { events.close(); finished(JSON.parse(e.data)); });
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED && state.job && state.job.events === events && !state.job.ended) {
      showError("lost the connection to the studio");
      $("run").disabled = false;
      $("stop").disabled = true;
    }
  };
}

async function stop() {
  if (!state.job) return;
  $("stop").disabled = true;
  const res = await fetch("/api/jobs/" + state.job.id, {method: "DELETE"});
  if (!res.ok) showError((await res.json()).error);
}

function setStatus(s) {
  const el = $("job-status");
  let text = s.status;
  if (s.status === "queued") text += " (place " + s.position + ")";
  if (s.message) text += ": " + s.message;
  if (s.seconds !== undefined && s.status !== "queued" && s.status !== "running") text += " · " + s.seconds.toFixed(1) + " s";
  el.textContent = text;
  el.className = "status " + s.status;
  el.dataset.status = s.status;
}

async function finished(s) {
  state.job.ended = true;
  setStatus(s);
  $("run").disabled = false;
  $("stop").disabled = true;
  const res = await fetch("/api/jobs/" + s.id);
  if (res.ok) {
    const blob = new Blob([JSON.stringify(await res.json(), null, 2)], {type: "application/json"});
    const a = $("download");
    if (a.href) URL.revokeObjectURL(a.href);
    a.href = URL.createObjectURL(blob);
    a.download = "robustseg-studio-" + s.mode + "-" + s.id + ".json";
    a.hidden = false;
  }
}

// ---------- result columns ----------

function buildColumns(models, mode) {
  const box = $("columns");
  box.innerHTML = "";
  $("results-hint").hidden = true;
  for (const name of models) {
    const m = state.studio.models.find((x) => x.name === name);
    const col = document.createElement("div");
    col.className = "model-column";
    col.dataset.model = name;
    col.dataset.updates = "0";
    col.innerHTML = `
      <h2></h2><div class="about"></div>
      <progress class="progress" max="1" value="0"></progress>
      <div class="step-text">waiting</div>
      <canvas class="loss-curve" width="300" height="56"></canvas>
      <div class="view"><img class="main-image" alt=""><img class="overlay" alt=""><span class="caption">input</span></div>
      <div class="tiles"></div>
      <table class="figures"></table>
      <div class="column-message"></div>`;
    col.querySelector("h2").textContent = name;
    col.querySelector(".about").textContent = m.architecture + (m.recipe ? " · " + m.recipe : "") + " · " + m.checkpoint;
    if (state.input && mode !== "generate") col.querySelector(".main-image").src = state.input.src;
    col.querySelector(".view").classList.toggle("overlaid", $("overlay-results").checked);
    box.append(col);
  }
}

function column(model) {
  return document.querySelector(`.model-column[data-model="${CSS.escape(model)}"]`);
}

function showProgress(p) {
  const col = column(p.model);
  if (!col) return;
  const bar = col.querySelector(".progress");
  bar.max = Math.max(1, p.steps);
  bar.value = p.steps === 0 ? 1 : p.step;
  const last = p.loss.length ? p.loss[p.loss.length - 1] : null;
  col.querySelector(".step-text").textContent = p.steps === 0 ? "one gradient, no loop"
      : "step " + p.step + " / " + p.steps + (last !== null ? " · loss " + last.toFixed(4) : "");
  col.dataset.step = p.step;
  col.dataset.steps = p.steps;
  if (p.image) {
    col.querySelector(".main-image").src = p.image;
    col.querySelector(".caption").textContent = "step " + p.step;
    col.dataset.updates = String(parseInt(col.dataset.updates, 10) + 1);
  }
  col.querySelector(".loss-curve").hidden = p.steps === 0; // saliency and predict run no loop
  drawLoss(col.querySelector(".loss-curve"), p.loss);
}

function drawLoss(canvas, loss) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const v = loss.filter((x) => x !== null && isFinite(x));
  if (v.length < 2) return;
  const lo = Math.min(...v), hi = Math.max(...v), span = hi - lo || 1;
  const top = 14, bottom = canvas.height - 3;   // the label sits above the curve
  ctx.fillStyle = "#5d6677";
  ctx.font = "10px sans-serif";
  ctx.fillText("loss " + v[0].toPrecision(3) + " → " + v[v.length - 1].toPrecision(3) + " over " + (v.length - 1) + " steps", 4, 10);
  ctx.strokeStyle = "#2f5fd0";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  v.forEach((x, i) => {
    const px = i / (v.length - 1) * (canvas.width - 4) + 2;
    const py = bottom - (x - lo) / span * (bottom - top);
    if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
  });
  ctx.stroke();
}

const CAPTIONS = {
  input: "input", result: "result", filled: "filled hole", target: "target", prediction: "prediction", seed: "seed", layout: "layout",
  object: "object", adversarial: "adversarial", perturbation: "perturbation, amplified",
  clean_prediction: "clean prediction", adversarial_prediction: "adversarial prediction", saliency: "saliency",
};

function showResult(r) {
  const col = column(r.model);
  if (!col) return;
  const bar = col.querySelector(".progress");
  bar.value = bar.max;
  const main = col.querySelector(".main-image");
  main.src = r.pictures[r.view.image];
  col.querySelector(".caption").textContent = CAPTIONS[r.view.image] || r.view.image;
  const overlay = col.querySelector(".overlay");
  if (r.view.overlay) overlay.src = r.pictures[r.view.overlay]; else overlay.removeAttribute("src");
  const tiles = col.querySelector(".tiles");
  tiles.innerHTML = "";
  for (const [key, src] of Object.entries(r.pictures)) {
    const a = document.createElement("a");
    a.className = "tile";
    a.href = src;
    a.download = r.model + "-" + key + ".png";
    a.dataset.picture = key;
    const img = document.createElement("img");
    img.src = src;
    img.alt = key;
    a.append(img, CAPTIONS[key] || key);
    tiles.append(a);
  }
  const table = col.querySelector(".figures");
  table.innerHTML = "";
  for (const [key, value] of Object.entries(r.figures)) {
    const row = table.insertRow();
    row.insertCell().textContent = key.replaceAll("_", " ");
    row.insertCell().textContent = typeof value === "number" ? (Number.isInteger(value) ? value : value.toFixed(4)) : String(value);
  }
  col.dataset.done = "true";
}

function showError(text) {
  $("error").textContent = text || "";
}

start().catch((e) => showError("cannot reach the studio: " + e));
