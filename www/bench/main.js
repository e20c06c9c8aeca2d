// The benchmark page: loads the batch of 64 real CIFAR-10 images, runs every engine in turn
// (one worker each, never two at once), shows a table, and finally puts the results as JSON in
// #results and sets <body data-state="done"> (bench/run.mjs waits for that).
// URL parameters: engines=id,id (subset), budget=ms per timed phase, timeout=ms per engine.
import { ENGINES, runEngine } from './engines.js';
import { BATCH, IMAGE } from './measure.js';

const DATA = new URL('../../bench/cifar64.bin', import.meta.url);
const MODEL = 'Sequential(Conv2d(3,32,5,1,2), MaxPool2d(2), Conv2d(32,32,5,1,2), MaxPool2d(2), Conv2d(32,64,5,1,2), MaxPool2d(2), Flatten(), Linear(1024,64), Linear(64,10)); cross-entropy; SGD lr 0.01; batch 64';

const params = new URLSearchParams(location.search);
const wanted = params.get('engines') ? params.get('engines').split(',') : null;
const budgetMs = Number(params.get('budget')) || 15000;
const timeoutMs = Number(params.get('timeout')) || 420000;

const table = document.querySelector('#engines tbody');
const status = document.getElementById('status');

/** bench/cifar64.bin: float32 x[64][3][32][32] in [0,1], then int32 labels[64] (LE). */
async function loadBatch() {
  const response = await fetch(DATA);
  if (!response.ok) throw new Error(`cannot fetch ${DATA.pathname} (HTTP ${response.status}); run: node bench/prep_cifar64.mjs`);
  const buf = await response.arrayBuffer();
  if (buf.byteLength !== BATCH * IMAGE * 4 + BATCH * 4) throw new Error(`${DATA.pathname} has ${buf.byteLength} bytes, expected ${BATCH * IMAGE * 4 + BATCH * 4}`);
  return { x: new Float32Array(buf, 0, BATCH * IMAGE), labels: new Int32Array(buf, BATCH * IMAGE * 4, BATCH) };
}

const fmt = (v, digits = 1) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(digits));

function row(engine) {
  const tr = document.createElement('tr');
  for (const text of [engine.label, 'waiting', '', '', '']) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  table.append(tr);
  return (state, r = {}) => {
    const cells = tr.children;
    cells[1].textContent = state;
    cells[2].textContent = fmt(r.train_images_per_s);
    cells[3].textContent = fmt(r.infer_images_per_s);
    cells[4].textContent = fmt(r.latency_b1_ms, 2);
  };
}

async function main() {
  const results = { started: new Date().toISOString(), user_agent: navigator.userAgent,
    hardware_concurrency: navigator.hardwareConcurrency, cross_origin_isolated: self.crossOriginIsolated,
    model: MODEL, budget_ms: budgetMs, timeout_ms: timeoutMs, engines: {}, notes: [] };
  try {
    const { x, labels } = await loadBatch();
    results.data = { source: DATA.pathname, images: BATCH, first_labels: Array.from(labels.slice(0, 10)) };
    const engines = ENGINES.filter((e) => !wanted || wanted.includes(e.id));
    const updates = new Map(engines.map((e) => [e.id, row(e)]));
    for (const engine of engines) {
      const update = updates.get(engine.id);
      status.textContent = `running ${engine.label}…`;
      update('running');
      const t0 = performance.now();
      let record;
      try {
        const r = await runEngine(engine, { x, labels, timeoutMs, budgetMs }, (text) => {
          update(text);
          if (!text.includes('loss')) console.log(`bench: ${engine.id}: ${text}`);
        });
        record = { label: engine.label, status: 'ok', ...r };
      } catch (e) {
        const text = e && e.message ? e.message : String(e);
        record = { label: engine.label, ...(e && e.record ? e.record : {}),
          status: text === 'not available yet' ? 'not available yet' : 'error', error: text };
      }
      record.wall_ms = performance.now() - t0;
      for (const note of record.notes || []) if (!results.notes.includes(note)) results.notes.push(note);
      results.engines[engine.id] = record;
      update(record.status, record);
      console.log(`bench: ${engine.id}: ${record.status}${record.error ? ` (${record.error})` : ''} after ${(record.wall_ms / 1000).toFixed(1)} s`);
    }
  } catch (e) {
    results.error = e && e.message ? e.message : String(e);
  }
  results.finished = new Date().toISOString();
  status.textContent = results.error ? `failed: ${results.error}` : 'done';
  document.getElementById('results').textContent = JSON.stringify(results, null, 2);
  document.body.dataset.state = 'done';
}

main();
