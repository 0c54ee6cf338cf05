// The workshop page: lessons and scenarios, the YAML editor, sliders and
// fault buttons, runs in a Web Worker (worker.js), the last two runs side
// by side, and a link (#...) that encodes the state. The simulator's
// entry point is cmd/dbsim-wasm/api.go: the page sends it requests and
// shows its answers; it never parses YAML or summaries itself.
"use strict";

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...kids) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
};

// ---- the worker ----------------------------------------------------------
// The simulator's files are fetched once, as the page opens: the worker's
// code (wasm_exec.js and worker.js, joined in a Blob) and the compiled
// module. Every worker, the first and each one Stop starts in place of the
// one it ends, is made from them: nothing is fetched after the page has
// loaded.
let worker, nextId = 1, pending = new Map(), loadMs = null, busy = false, restarts = 0, stoppedAt = "";
const pageStart = performance.now();

async function fetchOK(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return r;
}
const simulator = (async () => {
  const [glue, code, bytes] = await Promise.all([
    fetchOK("wasm_exec.js").then((r) => r.text()),
    fetchOK("worker.js").then((r) => r.text()),
    fetchOK("dbsim.wasm").then((r) => r.arrayBuffer()),
  ]);
  const module = await WebAssembly.compile(bytes);
  return { url: URL.createObjectURL(new Blob([glue, "\n", code], { type: "text/javascript" })), module };
})();
simulator.catch((e) => setStatus("the simulator did not load: " + e.message));

function startWorker() {
  const w = { postMessage: (m) => w.queue.push(m), queue: [] }; // until the files are in
  worker = w;
  simulator.then(({ url, module }) => {
    if (worker !== w) return; // stopped before it started
    const real = new Worker(url);
    real.onerror = (e) => setStatus(`the simulator failed: ${e.message}`);
    real.onmessage = onWorkerMessage;
    real.postMessage({ module });
    for (const m of w.queue) real.postMessage(m);
    worker = real;
  });
}

function onWorkerMessage(ev) {
  const m = ev.data;
  if (m.ready) {
    if (restarts === 0) {
      loadMs = performance.now() - pageStart;
      setStatus(`simulator loaded in ${Math.round(loadMs)} ms`);
    } else if (!busy) {
      setStatus(`stopped${stoppedAt}; the simulator restarted in ${Math.round(m.loadMs)} ms`);
    }
    return;
  }
  if (m.failed) { setStatus("the simulator did not load: " + m.failed); return; }
  const p = pending.get(m.id);
  if (!p) return;
  if (m.progress) { p.onProgress && p.onProgress(m.progress[0], m.progress[1]); return; }
  pending.delete(m.id);
  p.resolve(Object.assign(m.resp, { ms: m.ms }));
}

// call sends a request to the simulator; the answer is its Response, or
// {stopped: true} when Stop ended the worker first.
function call(req, onProgress) {
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, { resolve, onProgress });
    worker.postMessage({ id, req });
  });
}

// stop ends the worker, whatever it is doing, and starts a fresh one.
function stop() {
  if (worker.terminate) worker.terminate();
  restarts++;
  const ended = [...pending.values()];
  pending.clear();
  startWorker();
  for (const p of ended) p.resolve({ stopped: true });
}

function setStatus(s) { $("status").textContent = s; }

// ---- state ----------------------------------------------------------------
const state = {
  catalog: null,
  kind: null,      // "lesson" or "scenario"
  name: null,
  lesson: null,    // the LessonInfo when kind is "lesson"
  original: "",    // the YAML as the lesson or scenario starts
  faultsOn: [],    // per fault button
  runs: [],        // the last two runs: {run, yaml, label}
  predicted: false,
};

// ---- the editor -------------------------------------------------------------
const yamlBox = $("yaml"), gutter = $("gutter");
let badLines = new Set();

function drawGutter() {
  const n = yamlBox.value.split("\n").length;
  gutter.replaceChildren();
  for (let i = 1; i <= n; i++) {
    gutter.append(badLines.has(i) ? el("span", { className: "bad", textContent: i }) : String(i), "\n");
  }
  gutter.scrollTop = yamlBox.scrollTop;
}
yamlBox.addEventListener("scroll", () => { gutter.scrollTop = yamlBox.scrollTop; });

function setYAML(text) {
  yamlBox.value = text;
  drawGutter();
}

function showErrors(errors) {
  const list = $("errors");
  list.replaceChildren();
  badLines = new Set();
  for (const e of errors || []) {
    if (e.line) badLines.add(e.line);
    const li = el("li", { textContent: e.text });
    if (e.line) li.onclick = () => goToLine(e.line);
    list.append(li);
  }
  drawGutter();
}

function goToLine(line) {
  const lines = yamlBox.value.split("\n");
  let start = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
  yamlBox.focus();
  yamlBox.setSelectionRange(start, start + (lines[line - 1] || "").length);
  const lh = parseFloat(getComputedStyle(yamlBox).lineHeight) || 18;
  yamlBox.scrollTop = Math.max(0, (line - 5) * lh);
}

let validateTimer;
yamlBox.addEventListener("input", () => {
  drawGutter();
  clearTimeout(validateTimer);
  validateTimer = setTimeout(async () => {
    const r = await call({ op: "validate", yaml: yamlBox.value });
    if (!r.stopped) showErrors(r.errors);
  }, 400);
});

// ---- lessons and scenarios ---------------------------------------------------
function drawCatalog() {
  const ls = $("lessons"), ss = $("scenarios");
  for (const l of state.catalog.lessons) {
    ls.append(el("li", {}, el("a", { href: "#lesson=" + l.name, textContent: l.Title, id: "lesson-" + l.name })));
  }
  for (const s of state.catalog.scenarios) {
    ss.append(el("li", {}, el("a", { href: "#scenario=" + s.name, textContent: s.name, title: s.summary, id: "scenario-" + s.name })));
  }
}

function markCurrent() {
  document.querySelectorAll("#sidebar a").forEach((a) => a.classList.remove("current"));
  const a = $(state.kind + "-" + state.name);
  if (a) a.classList.add("current");
}

function openScenario(name, yaml) {
  const s = state.catalog.scenarios.find((x) => x.name === name);
  if (!s) { setStatus(`no bundled scenario ${name}`); return false; }
  Object.assign(state, { kind: "scenario", name, lesson: null, original: s.yaml, runs: [] });
  $("lesson").hidden = true;
  setYAML(yaml || s.yaml);
  showErrors([]);
  clearResults();
  markCurrent();
  return true;
}

function openLesson(name, yaml) {
  const l = state.catalog.lessons.find((x) => x.name === name);
  if (!l) { setStatus(`no lesson ${name}`); return false; }
  Object.assign(state, { kind: "lesson", name, lesson: l, original: l.yaml, runs: [], predicted: false });
  state.faultsOn = (l.Faults || []).map(() => false);
  $("lesson").hidden = false;
  $("lesson-title").textContent = l.Title;
  $("lesson-intro").textContent = l.Intro;
  $("predict-q").textContent = l.Predict.Question;
  $("predict-unit").textContent = l.Predict.Unit;
  $("guess").value = "";
  $("answer").hidden = true;
  $("guide-body").innerHTML = markdown(l.guide_md);
  drawSliders(l, l.values);
  drawFaults(l);
  drawGoals(l, null);
  setYAML(yaml || l.yaml);
  showErrors([]);
  clearResults();
  markCurrent();
  if (yaml) {
    // A shared state: its fault lines are on.
    (l.Faults || []).forEach((f, i) => {
      state.faultsOn[i] = yaml.split("\n").some((ln) => ln.trim() === "- " + f.Fault.trim());
    });
    drawFaults(l);
  }
  return true;
}

function sliderText(sl, v) { return `${+v.toFixed(6)}${sl.Unit}`; }

function drawSliders(l, values) {
  const box = $("sliders");
  box.replaceChildren();
  (l.Sliders || []).forEach((sl, i) => {
    const v = values && values[i] >= 0 ? values[i] : sl.Min;
    const input = el("input", { type: "range", min: sl.Min, max: sl.Max, step: sl.Step, value: v, id: "slider-" + i });
    input.dataset.path = sl.Path;
    const out = el("output", { textContent: sliderText(sl, v), id: "slider-value-" + i });
    input.oninput = () => { out.textContent = sliderText(sl, +input.value); };
    input.onchange = () => moveSlider(i, +input.value);
    box.append(el("label", { className: "slider" }, el("span", { textContent: sl.Label }), input, out));
  });
}

function updateSliders(values) {
  if (!state.lesson || !values) return;
  values.forEach((v, i) => {
    const input = $("slider-" + i);
    if (input && v >= 0) {
      input.value = v;
      $("slider-value-" + i).textContent = sliderText(state.lesson.Sliders[i], v);
    }
  });
}

async function moveSlider(i, v) {
  const sl = state.lesson.Sliders[i];
  const r = await call({ op: "set", yaml: yamlBox.value, path: sl.Path, value: sliderText(sl, v) });
  if (r.stopped) return;
  if (r.errors) { showErrors(r.errors); return; }
  setYAML(r.yaml);
  run();
}

function drawFaults(l) {
  const box = $("faults");
  box.replaceChildren();
  (l.Faults || []).forEach((f, i) => {
    const b = el("button", { textContent: (state.faultsOn[i] ? "Remove: " : "Add fault: ") + f.Label, id: "fault-" + i, title: f.Fault });
    if (state.faultsOn[i]) b.classList.add("on");
    b.onclick = async () => {
      const r = await call({ op: "fault", yaml: yamlBox.value, fault: f.Fault });
      if (r.stopped) return;
      if (r.errors) { showErrors(r.errors); return; }
      state.faultsOn[i] = r.on;
      setYAML(r.yaml);
      drawFaults(l);
      run();
    };
    box.append(b);
  });
}

function drawGoals(l, results) {
  const ul = $("goals");
  ul.replaceChildren();
  (l.Goals || []).forEach((g, i) => {
    const r = results && results[i];
    const li = el("li", { className: r ? (r.met ? "met" : "unmet") : "pending" }, g.Text);
    if (r) li.append(" ", el("span", { className: "got", textContent: `(${r.got})` }));
    ul.append(li);
  });
}

// ---- runs ---------------------------------------------------------------------
function clearResults() {
  $("results").hidden = true;
  $("summary").textContent = "";
  $("prev-summary").textContent = "";
  $("figures").replaceChildren();
  $("narrative").replaceChildren();
  $("timing").textContent = "";
}

async function run() {
  if (busy) return;
  busy = true;
  $("run").disabled = true;
  $("stop").disabled = false;
  const bar = $("progress");
  bar.hidden = false; bar.value = 0;
  setStatus("running…");
  const yaml = yamlBox.value;
  const seed = $("seed").value === "" ? undefined : Number($("seed").value);
  const req = { op: "run", yaml, lesson: state.kind === "lesson" ? state.name : undefined };
  if (seed !== undefined) req.seed = seed;
  const t0 = performance.now();
  let reached = "";
  const r = await call(req, (done, total) => {
    bar.max = total; bar.value = done;
    reached = `${clock(done)} of ${clock(total)} simulated`;
    bar.title = reached;
    setStatus("running: " + reached);
  });
  const wall = performance.now() - t0;
  busy = false;
  bar.hidden = true;
  $("run").disabled = false;
  $("stop").disabled = true;
  if (r.stopped) {
    stoppedAt = reached ? " at " + reached : "";
    setStatus(`stopped${stoppedAt}; restarting the simulator…`);
    document.body.dataset.stops = String((Number(document.body.dataset.stops) || 0) + 1);
    return;
  }
  if (r.errors) {
    showErrors(r.errors);
    setStatus("the scenario has problems: see below the editor");
    return;
  }
  showErrors([]);
  const out = r.run;
  state.runs.unshift({ run: out, yaml, label: `${out.scenario}, seed ${out.seed}` });
  state.runs.length = Math.min(state.runs.length, 2);
  $("timing").textContent = `run ${Math.round(wall)} ms (simulation ${Math.round(out.simulate_ms)} ms, figures ${Math.round(out.render_ms)} ms)`;
  document.body.dataset.runs = String((Number(document.body.dataset.runs) || 0) + 1);
  document.body.dataset.lastRunMs = String(Math.round(wall));
  setStatus(`done: ${out.scenario}`);
  drawResults();
  if (state.lesson) {
    drawGoals(state.lesson, out.goals);
    updateSliders(out.sliders);
    revealAnswer(out.answer);
  }
  updateHash();
}

function revealAnswer(answer) {
  const box = $("answer");
  const guess = $("guess").value.trim();
  box.replaceChildren(
    "The run: ", el("span", { className: "value", textContent: answer }),
    guess ? ` (you guessed ${guess} ${state.lesson.Predict.Unit})` : " (you did not guess)",
    el("p", { textContent: state.lesson.Predict.Answer }));
  box.hidden = false;
}

function drawResults() {
  const [cur, prev] = state.runs;
  $("results").hidden = false;
  $("summary").textContent = cur.run.text;
  $("cur-label").textContent = cur.label;
  $("prev-summary").textContent = prev ? prev.run.text : "(run again to compare)";
  $("prev-label").textContent = prev ? prev.label : "";
  $("changed").textContent = prev ? "Changed since the previous run: " + changes(prev, cur) : "";
  $("changed").hidden = !prev;
  const figs = $("figures");
  figs.replaceChildren();
  const names = cur.run.figures.map((f) => f.name);
  if (prev) for (const f of prev.run.figures) if (!names.includes(f.name)) names.push(f.name);
  for (const name of names) {
    const row = el("div", { className: "pair" });
    for (const r of [cur, prev]) {
      const f = r && r.run.figures.find((x) => x.name === name);
      const cell = el("div", { className: f ? "figure" : "missing", textContent: f ? "" : (r ? `(no ${name} figure)` : "") });
      if (f) { cell.innerHTML = f.svg; cell.dataset.figure = name; }
      row.append(cell);
    }
    if (row.firstChild.dataset.figure) row.firstChild.id = "figure-" + name;
    figs.append(row);
  }
  const nar = $("narrative");
  nar.replaceChildren();
  for (const e of cur.run.narrative || []) nar.append(el("li", {}, el("time", { textContent: e.at }), e.text));
}

// changes lists the lines of the scenario that differ between two runs.
function changes(prev, cur) {
  const out = [];
  if (prev.run.seed !== cur.run.seed) out.push(`seed ${prev.run.seed} → ${cur.run.seed}`);
  const a = prev.yaml.split("\n"), b = cur.yaml.split("\n");
  if (a.length === b.length) {
    a.forEach((line, i) => { if (line !== b[i]) out.push(`${line.trim()}  →  ${b[i].trim()}`); });
  } else {
    const inA = new Set(a), inB = new Set(b);
    a.filter((l) => !inB.has(l)).forEach((l) => out.push(`removed: ${l.trim()}`));
    b.filter((l) => !inA.has(l)).forEach((l) => out.push(`added: ${l.trim()}`));
  }
  return out.length ? out.join("\n") : "nothing (same scenario and seed: the same numbers)";
}

$("run").onclick = run;
$("stop").onclick = stop;

// clock writes simulated seconds as m:ss, or h:mm:ss.
function clock(s) {
  s = Math.floor(s);
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

// ---- links ----------------------------------------------------------------------
// #run=NAME runs a bundled scenario at once; #scenario=NAME opens one;
// #lesson=NAME opens a lesson; seed=N and yaml=BASE64URL (the YAML when it
// differs from the bundled text) restore an exact state.
function b64(s) {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const c of bytes) bin += String.fromCharCode(c);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function unb64(s) {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

function stateLink() {
  const p = new URLSearchParams();
  p.set(state.kind === "lesson" ? "lesson" : "run", state.name);
  if ($("seed").value !== "") p.set("seed", $("seed").value);
  if (yamlBox.value !== state.original) p.set("yaml", b64(yamlBox.value));
  return "#" + p.toString();
}

// updateHash writes the state into the address (replaceState: no
// hashchange, no reload).
function updateHash() {
  const link = stateLink();
  $("share").href = link;
  if (location.hash !== link) history.replaceState(null, "", link);
}
$("share").onclick = (ev) => {
  ev.preventDefault();
  updateHash();
  const url = location.href;
  if (navigator.clipboard) navigator.clipboard.writeText(url).catch(() => {});
  setStatus("link to this state copied: " + url);
};

function openHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  let yaml = null;
  try { if (p.get("yaml")) yaml = unb64(p.get("yaml")); } catch (e) { setStatus("the link's yaml= does not decode"); }
  if (p.get("seed") !== null) $("seed").value = p.get("seed");
  if (p.get("lesson")) return openLesson(p.get("lesson"), yaml) && false;
  if (p.get("run")) return openScenario(p.get("run"), yaml);
  if (p.get("scenario")) return openScenario(p.get("scenario"), yaml) && false;
  return openLesson(state.catalog.lessons[0].name, null) && false;
}
window.addEventListener("hashchange", () => {
  $("seed").value = "";
  if (openHash()) run();
});

// ---- a little markdown, for the teacher's guide --------------------------------
function markdown(md) {
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const inline = (s) => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>").replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
  const out = [];
  for (const block of md.trim().split(/\n\s*\n/)) {
    const lines = block.split("\n");
    const h = /^(#{1,3}) (.*)/.exec(lines[0]);
    if (h && lines.length === 1) out.push(`<h${h[1].length}>${inline(h[2])}</h${h[1].length}>`);
    else if (lines.every((l) => l.startsWith("- "))) out.push("<ul>" + lines.map((l) => `<li>${inline(l.slice(2))}</li>`).join("") + "</ul>");
    else out.push(`<p>${inline(lines.join(" "))}</p>`);
  }
  return out.join("\n");
}

// ---- start -------------------------------------------------------------------------
startWorker();
call({ op: "catalog" }).then((r) => {
  if (r.errors) { setStatus(r.errors.map((e) => e.text).join("; ")); return; }
  state.catalog = r;
  drawCatalog();
  $("run").disabled = false;
  if (openHash()) run();
  document.body.dataset.ready = "1";
});
