// `make bench`'s driver: serves the repository with COOP/COEP on a free port, opens
// www/bench.html in headless Chromium (Debian's, through playwright-core) BENCH_RUNS times
// (default 3), and prints the medians as JSON, also written to bench/results/latest.json.
// Per nnbook engine it also reports the training worker's memory with the 10,000-image
// CIFAR-10 subset loaded at batch 64 (train_worker_memory_bytes: wasm memory, the peak;
// train_worker_js_heap_bytes or null) and checks the issue's 256 MB target.
//
// Environment: BENCH_RUNS (3), BENCH_ENGINES (comma list of engine ids; all by default),
// BENCH_BUDGET_MS (15000, per timed phase of an engine), BENCH_ENGINE_TIMEOUT_MS (420000),
// BENCH_TIMEOUT_S (global, 3600), CHROMIUM (/usr/bin/chromium).
// An engine that fails is reported with its error; the run still completes. The process exits
// non-zero only when the page itself could not run or the global timeout struck.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, launch, serve } from '../tests/e2e/harness.mjs';
import { prepare } from './prep_cifar64.mjs';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS) || 3);
const ENGINES = process.env.BENCH_ENGINES || '';
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS) || 15000;
const ENGINE_TIMEOUT_MS = Number(process.env.BENCH_ENGINE_TIMEOUT_MS) || 420000;
const GLOBAL_TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S) || 3600;
const OUT_DIR = join(ROOT, 'bench', 'results');

const FIGURES = ['train_images_per_s', 'infer_images_per_s', 'latency_b1_ms', 'peak_memory_bytes', 'setup_ms',
  'train_worker_memory_bytes', 'train_worker_js_heap_bytes'];
const BYTES = ['peak_memory_bytes', 'train_worker_memory_bytes', 'train_worker_js_heap_bytes'];
// Issue 5: the training worker (10,000-image subset loaded, batch 64) stays under 256 MB, read
// as MiB (2^20 bytes), as every MB figure here.
const MEMORY_TARGET_BYTES = 256 * 1024 * 1024;
const mb = (bytes) => (bytes == null ? null : round(bytes / (1024 * 1024)));
const TRAINERS = ['tfjs-wasm', 'tfjs-wasm-1t', 'tfjs-cpu', 'convnetjs'];
const INFERERS = ['tfjs-wasm', 'tfjs-wasm-1t', 'tfjs-cpu', 'ort-wasm', 'ort-wasm-1t', 'convnetjs'];
const NNBOOK = ['nnbook-1t', 'nnbook-mt'];

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

const round = (v, d = 3) => (v == null ? null : Number(v.toPrecision(d + 2)));
const load = () => loadavg().map((v) => round(v, 2));

/** One page run; resolves to the page's results object. */
async function runOnce(browser, url, index) {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'log' && m.text().startsWith('bench: ')) console.error(`  [run ${index + 1}] ${m.text().slice(7)}`); });
  try {
    const query = new URLSearchParams({ budget: String(BUDGET_MS), timeout: String(ENGINE_TIMEOUT_MS) });
    if (ENGINES) query.set('engines', ENGINES);
    await page.goto(`${url}www/bench.html?${query}`);
    const pageTimeout = (GLOBAL_TIMEOUT_S * 1000) / RUNS;
    await page.waitForSelector('body[data-state="done"]', { timeout: pageTimeout });
    const results = JSON.parse(await page.textContent('#results'));
    results.console_errors = page.consoleErrors.slice(0, 20);
    const summary = Object.entries(results.engines).map(([id, r]) =>
      `${id}: ${r.status}${r.train_images_per_s ? ` train ${r.train_images_per_s.toFixed(1)}/s` : ''}${r.infer_images_per_s ? ` infer ${r.infer_images_per_s.toFixed(1)}/s` : ''}${r.latency_b1_ms ? ` b1 ${r.latency_b1_ms.toFixed(2)} ms` : ''}${r.train_worker_memory_bytes ? ` trainer mem ${(r.train_worker_memory_bytes / 1048576).toFixed(1)} MB` : ''}`);
    console.error(`bench: run ${index + 1}/${RUNS} done\n  ${summary.join('\n  ')}`);
    return results;
  } finally {
    await page.close();
  }
}

/** Medians across runs, per engine and figure; errors kept from the last failing run. */
function aggregate(runs) {
  const ids = [...new Set(runs.flatMap((r) => Object.keys(r.engines || {})))];
  const engines = {};
  for (const id of ids) {
    const records = runs.map((r) => (r.engines || {})[id]).filter(Boolean);
    const ok = records.filter((r) => r.status === 'ok');
    const last = records[records.length - 1];
    const e = { label: last.label, status: ok.length ? 'ok' : last.status, runs_ok: ok.length, runs: records.length };
    if (!ok.length || ok.length < records.length) {
      const failed = records.filter((r) => r.status !== 'ok');
      if (failed.length) e.error = failed[failed.length - 1].error;
    }
    for (const f of FIGURES) e[f] = round(median(ok.map((r) => r[f])));
    for (const f of BYTES) if (e[f] != null) e[f] = Math.round(median(ok.map((r) => r[f])));
    e.per_run = Object.fromEntries(['train_images_per_s', 'infer_images_per_s', 'latency_b1_ms', 'train_worker_memory_bytes']
      .map((f) => [f, ok.map((r) => (BYTES.includes(f) ? r[f] ?? null : round(r[f])))]).filter(([f, v]) => !f.startsWith('train_worker') || v.some((x) => x != null)));
    const source = ok[ok.length - 1] || last;
    if (source.config) e.config = source.config;
    if (source.losses) e.losses = source.losses.map((v) => round(v, 4));
    if (source.detail) e.detail = source.detail;
    if (source.missing && source.missing.length) {
      e.missing = Object.fromEntries(source.missing.map((k) => [k, source[`${k}_error`]]));
    }
    if (source.layers) e.layers = source.layers;
    if (source.train_worker) e.train_worker = source.train_worker;
    const gemms = ok.map((r) => r.gemm).filter(Array.isArray);
    if (gemms.length) {
      e.gemm = gemms[0].map(({ n }) => ({
        n,
        gflops_best: round(median(gemms.map((g) => (g.find((x) => x.n === n) || {}).gflops_best))),
        gflops_median: round(median(gemms.map((g) => (g.find((x) => x.n === n) || {}).gflops_median))),
      }));
    }
    engines[id] = e;
  }
  return engines;
}

/** The 256 MB target for one nnbook engine: wasm memory (grows only: the peak) plus the JS heap
 * when the browser measured it; null without a measurement. */
function memoryCheck(e) {
  if (e.train_worker_memory_bytes == null) return null;
  const total = e.train_worker_memory_bytes + (e.train_worker_js_heap_bytes || 0);
  return {
    wasm_mb: mb(e.train_worker_memory_bytes),
    js_heap_mb: mb(e.train_worker_js_heap_bytes),
    total_mb: mb(total),
    total_bytes: total,
    target_mb: 256,
    target_bytes: MEMORY_TARGET_BYTES,
    met: total < MEMORY_TARGET_BYTES,
  };
}

/** nnbook ÷ best peer, per nnbook configuration. Latency: below 1 means nnbook is faster. */
function ratios(engines) {
  const best = (ids, f, pick) => {
    const c = ids.map((id) => [id, engines[id] && engines[id][f]]).filter(([, v]) => v != null);
    if (!c.length) return null;
    return c.reduce((a, b) => (pick(b[1], a[1]) ? b : a));
  };
  const peers = {
    train: best(TRAINERS, 'train_images_per_s', (a, b) => a > b),
    train_tfjs: best(TRAINERS.filter((id) => id.startsWith('tfjs')), 'train_images_per_s', (a, b) => a > b),
    infer: best(INFERERS.filter((id) => id !== 'convnetjs'), 'infer_images_per_s', (a, b) => a > b),
    latency: best(INFERERS.filter((id) => id !== 'convnetjs'), 'latency_b1_ms', (a, b) => a < b),
  };
  const out = {
    best_peer: Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, v ? { engine: v[0], value: v[1] } : null])),
  };
  const ratio = (a, b) => (a != null && b != null && b !== 0 ? round(a / b) : null);
  for (const id of NNBOOK) {
    const e = engines[id];
    if (!e) continue;
    out[id] = {
      train_vs_best_peer: ratio(e.train_images_per_s, peers.train && peers.train[1]),
      train_vs_best_tfjs: ratio(e.train_images_per_s, peers.train_tfjs && peers.train_tfjs[1]),
      infer_b64_vs_best_peer: ratio(e.infer_images_per_s, peers.infer && peers.infer[1]),
      latency_b1_vs_best_peer: ratio(e.latency_b1_ms, peers.latency && peers.latency[1]),
    };
    if (Object.values(out[id]).every((v) => v == null)) {
      out[id].status = e.missing && e.missing.model ? `benchModel: ${e.missing.model}` : e.status === 'ok' ? 'no figures' : e.status;
    }
    const memoryTarget = memoryCheck(e);
    if (memoryTarget) out[id].train_worker_memory_target = memoryTarget;
  }
  out.explain = 'ratios are nnbook ÷ best peer (medians); for training and inference above 1 means nnbook is faster, for latency below 1 means nnbook is faster; inference peers exclude ConvNetJS (training baseline only); train_worker_memory_target: the training worker\'s wasm memory (plus its JS heap when measured) with the 10,000-image subset loaded at batch 64 against the 256 MB target (MB = 2^20 bytes)';
  return out;
}

async function main() {
  const started = new Date().toISOString();
  const loadBefore = load();
  prepare();
  const server = await serve({ root: ROOT, isolation: true });
  let browser = null;
  const runs = [];
  const failures = [];
  const cleanup = async () => {
    if (browser) await browser.close().catch(() => {});
    server.stop();
  };
  const timer = setTimeout(async () => {
    console.error(`bench: global timeout (${GLOBAL_TIMEOUT_S} s) struck; reporting what finished`);
    report({ started, loadBefore, runs, failures: [...failures, `global timeout after ${GLOBAL_TIMEOUT_S} s`] });
    await cleanup();
    process.exit(2);
  }, GLOBAL_TIMEOUT_S * 1000);
  try {
    browser = await launch();
    for (let i = 0; i < RUNS; i++) {
      try {
        runs.push(await runOnce(browser, server.url, i));
      } catch (e) {
        failures.push(`run ${i + 1}: ${e.message.split('\n')[0]}`);
        console.error(`bench: run ${i + 1} failed: ${e.message.split('\n')[0]}`);
      }
    }
  } finally {
    clearTimeout(timer);
    await cleanup();
  }
  const result = report({ started, loadBefore, runs, failures });
  process.exit(runs.length && !runs.some((r) => r.error) ? 0 : 1);
  return result;
}

/** A human-readable table of the medians, for stderr. */
function summaryTable(engines) {
  const cell = (v, d) => (v == null ? '—' : v.toFixed(d)).padStart(12);
  const lines = ['bench: medians', `  ${'engine'.padEnd(16)}${['train/s', 'infer64/s', 'b1 lat ms'].map((h) => h.padStart(12)).join('')}  status`];
  for (const [id, e] of Object.entries(engines)) {
    let why = e.error && e.error !== e.status ? `: ${e.error}` : '';
    if (e.missing) why += ` (${Object.entries(e.missing).map(([k, v]) => `${k}: ${v}`).join('; ')})`;
    lines.push(`  ${id.padEnd(16)}${cell(e.train_images_per_s, 1)}${cell(e.infer_images_per_s, 1)}${cell(e.latency_b1_ms, 2)}  ${e.status}${why}`);
    if (e.gemm) lines.push(`  ${''.padEnd(16)}GEMM GFLOP/s (best): ${e.gemm.map((g) => `${g.n}³ ${g.gflops_best}`).join(', ')}`);
    if (e.peak_memory_bytes != null) lines.push(`  ${''.padEnd(16)}wasm memory with one batch: ${mb(e.peak_memory_bytes)} MB`);
    const m = memoryCheck(e);
    if (m) {
      const t = e.train_worker || {};
      lines.push(`  ${''.padEnd(16)}training worker (${t.train_images ?? '?'} + ${t.test_images ?? '?'} images loaded, ${t.steps ?? '?'} steps at batch ${t.batch ?? '?'}, test evaluated): `
        + `wasm ${m.wasm_mb.toFixed(1)} MB, JS heap ${m.js_heap_mb == null ? `not measured${t.js_heap_error ? ` (${t.js_heap_error})` : ''}` : `${m.js_heap_mb.toFixed(2)} MB`}`
        + ` — target < 256 MiB: ${m.met ? 'met' : 'NOT met'} (${m.total_mb.toFixed(1)} MiB, ${m.total_bytes.toLocaleString('en')} bytes)`);
      if (t.wasm_memory_after) {
        lines.push(`  ${''.padEnd(16)}wasm memory after each phase (MB): ${Object.entries(t.wasm_memory_after)
          .map(([k, v]) => `${k} ${(v / 1048576).toFixed(1)}`).join(', ')}`);
      }
    }
  }
  return lines.join('\n');
}

function report({ started, loadBefore, runs, failures }) {
  const first = runs[0] || {};
  const engines = aggregate(runs);
  const notes = [...new Set(runs.flatMap((r) => r.notes || []))];
  notes.push('figures are medians over the successful runs; per_run lists each run');
  const busiest = Math.max(loadBefore[0], load()[0]);
  if (busiest > cpus().length * 0.5) {
    notes.push(`the machine was busy (1-minute load average up to ${busiest} on ${cpus().length} cores): figures are lower and noisier than on an idle machine, threaded ones most of all`);
  }
  const result = {
    bench: 'nnbook issue 5: CIFAR-10 model, batch 64, real CIFAR-10 images',
    started,
    finished: new Date().toISOString(),
    runs: runs.length,
    runs_requested: RUNS,
    machine: {
      cores: cpus().length,
      cpu: cpus()[0] ? cpus()[0].model : null,
      loadavg_before: loadBefore,
      loadavg_after: load(),
      browser_hardware_concurrency: first.hardware_concurrency ?? null,
      cross_origin_isolated: first.cross_origin_isolated ?? null,
      user_agent: first.user_agent ?? null,
    },
    model: first.model ?? null,
    data: first.data ?? null,
    engines,
    ratios: ratios(engines),
    notes,
    failures: [...failures, ...runs.filter((r) => r.error).map((r) => `page: ${r.error}`)],
    console_errors: [...new Set(runs.flatMap((r) => r.console_errors || []))].slice(0, 20),
  };
  mkdirSync(OUT_DIR, { recursive: true });
  const text = JSON.stringify(result, null, 2);
  writeFileSync(join(OUT_DIR, 'latest.json'), `${text}\n`);
  console.error(summaryTable(engines));
  console.log(text);
  return result;
}

main().catch((e) => {
  console.error(`bench: ${e.stack || e.message}`);
  process.exit(1);
});
