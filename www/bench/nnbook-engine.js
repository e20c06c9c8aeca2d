// Benchmark engine: nnbook itself, through the page-side client (www/client.js), so it runs in
// nnbook's own module worker (www/worker.js) exactly as the notebook does. Two configurations:
// `pkg` forced single-thread, and the default (pkg-parallel when the page is isolated).
// Calls the worker methods `benchGemm` and `benchModel`, then measures the trainer's memory in
// a fresh worker (trainWorkerMemory); while the worker lacks them the row
// is reported as "not available yet" and the run goes on.
import { NnbookClient } from '../client.js';

const NOT_YET = /unknown method/;

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

async function optional(promise, record, key) {
  try {
    return await promise;
  } catch (e) {
    const text = e && e.message ? e.message : String(e);
    record.missing.push(key);
    record[`${key}_error`] = NOT_YET.test(text) ? 'not available yet' : text;
    return null;
  }
}

// The training worker's memory (issue 5: under 256 MB at batch 64 on the 10,000-image subset):
// a fresh worker loads www/data's CIFAR-10 subset (10,000 training + 1,000 test images) through
// the trainer's own methods (www/worker/training.js), trains TRAIN_STEPS steps at batch 64 with
// the trainer's heaviest options, evaluates the test set once, saves a checkpoint as the trainer
// does after every epoch, then reads the worker's memory (benchMemory).
export const TRAIN_CONFIG = { seed: 0, optimizer: 'adam', lr: 0.001, batch_size: 64, epochs: 1,
  train_size: 0, normalize: true, augment: true, relu: true };
export const TRAIN_STEPS = 40;

/** The JS heap of this page's dedicated workers (the nnbook worker and, in pkg-parallel, its
 * thread pool), measured from the page with performance.measureUserAgentSpecificMemory (needs
 * cross-origin isolation; Chromium answers at its next garbage collection, so it can take
 * seconds). {bytes, ms, workers} or {error}. */
async function workersJsHeap(timeoutMs) {
  if (typeof performance.measureUserAgentSpecificMemory !== 'function') {
    return { error: self.crossOriginIsolated ? 'performance.measureUserAgentSpecificMemory is not available' : 'not cross-origin isolated' };
  }
  const t0 = performance.now();
  try {
    const r = await withTimeout(performance.measureUserAgentSpecificMemory(), timeoutMs, 'measureUserAgentSpecificMemory');
    const workers = r.breakdown.filter((b) => b.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope'));
    return {
      bytes: workers.reduce((sum, b) => sum + b.bytes, 0),
      ms: performance.now() - t0,
      workers: workers.map((b) => ({ bytes: b.bytes, types: b.types, urls: b.attribution.map((a) => a.url) })),
    };
  } catch (e) {
    return { error: e && e.message ? e.message : String(e) };
  }
}

async function trainWorkerMemory(options, timeout) {
  const client = new NnbookClient(options.forceSingleThread ? { forceSingleThread: true } : {});
  const call = (method, args = {}) => withTimeout(client.call(method, args), timeout, method);
  // wasm memory after each phase, to see which one grows it.
  const phases = {};
  const mark = async (phase) => { phases[phase] = (await call('benchMemory', { js: false })).wasm_memory_bytes; };
  try {
    await withTimeout(client.ready, 60000, 'nnbook worker start');
    await mark('start');
    await call('trainInit', { config: TRAIN_CONFIG });
    await mark('init');
    const t0 = performance.now();
    const [train] = await call('trainLoadUrl', { url: 'data/cifar10-train.nnbd', role: 'train' });
    const [test] = await call('trainLoadUrl', { url: 'data/cifar10-test.nnbd', role: 'test' });
    const loadMs = performance.now() - t0;
    await mark('data_loaded');
    let steps = 0;
    let last = null;
    const t1 = performance.now();
    while (steps < TRAIN_STEPS) {
      last = await call('trainSteps', { k: Math.min(10, TRAIN_STEPS - steps) });
      steps += last.losses.length;
      if (last.epoch_done || last.losses.length === 0) break;
    }
    const trainMs = performance.now() - t1;
    await mark('trained');
    const ev = await call('trainEvaluate', { gallery: 24 });
    await mark('evaluated');
    const checkpoint = await call('trainExportState');
    const mem = await call('benchMemory', { timeoutMs: 20000 });
    if (mem.js_heap_bytes == null) {
      // 1 thread: about 15 s here. pkg-parallel: no answer seen (its pool's threads are
      // probably parked in Atomics.wait and never answer), so this times out and reports null.
      const page = await workersJsHeap(20000);
      if (page.bytes != null) {
        Object.assign(mem, { js_heap_bytes: page.bytes, js_heap_breakdown: page.workers, js_heap_ms: page.ms,
          js_heap_error: null, js_heap_source: 'page: measureUserAgentSpecificMemory, dedicated workers' });
      } else mem.js_heap_error += `; from the page: ${page.error}`;
    }
    return {
      wasm_memory_bytes: mem.wasm_memory_bytes,
      js_heap_bytes: mem.js_heap_bytes,
      detail: {
        train_images: train.count, test_images: test.count, batch: TRAIN_CONFIG.batch_size, steps,
        batches_per_epoch: last ? last.batches_per_epoch : null, config: TRAIN_CONFIG,
        load_ms: loadMs, train_images_per_s: (steps * TRAIN_CONFIG.batch_size * 1000) / trainMs,
        test_accuracy: ev.accuracy, checkpoint_bytes: checkpoint.byteLength,
        wasm_memory_after: { ...phases, checkpoint_saved: mem.wasm_memory_bytes },
        js_heap_error: mem.js_heap_error, js_heap_breakdown: mem.js_heap_breakdown ?? null,
        js_heap_source: mem.js_heap_source ?? (mem.js_heap_bytes == null ? null : 'worker: measureUserAgentSpecificMemory'),
        js_heap_ms: mem.js_heap_ms ?? null,
      },
    };
  } finally {
    client.worker.terminate();
  }
}

/** Runs one nnbook configuration; resolves to the same record shape as the peer workers. */
export async function runNnbook({ x, labels, options }) {
  const client = new NnbookClient(options.forceSingleThread ? { forceSingleThread: true } : {});
  const record = { config: {}, notes: [], missing: [] };
  try {
    const t0 = performance.now();
    const info = await withTimeout(client.ready, 60000, 'nnbook worker start');
    record.setup_ms = performance.now() - t0;
    record.config = { pkg: info.pkg, fallback_reason: info.fallbackReason || null,
      threads: info.threads ?? null, version: info.version ?? null };
    const timeout = options.timeoutMs;
    const gemm = await optional(withTimeout(
      client.call('benchGemm', { sizes: [256, 512, 1024], reps: 5 }), timeout, 'benchGemm'), record, 'gemm');
    const model = await optional(withTimeout(
      client.call('benchModel', { x: x.slice(), labels: labels.slice(), steps: 10, warmup: 2 }, { transfer: [] }),
      timeout, 'benchModel'), record, 'model');
    record.gemm = gemm;
    if (model) {
      record.train_images_per_s = model.train_images_per_s;
      record.infer_images_per_s = model.infer_images_per_s;
      record.latency_b1_ms = model.latency_b1_ms;
      record.peak_memory_bytes = model.peak_memory_bytes;
      record.losses = model.losses;
      record.layers = model.layers;
    }
    // A fresh worker for the trainer's memory, after this one is gone.
    client.worker.terminate();
    const mem = await optional(trainWorkerMemory(options, timeout), record, 'train_memory');
    if (mem) {
      record.train_worker_memory_bytes = mem.wasm_memory_bytes;
      record.train_worker_js_heap_bytes = mem.js_heap_bytes;
      record.train_worker = mem.detail;
    }
    if (!gemm && !model && !mem) {
      const why = record.model_error === 'not available yet' ? 'not available yet' : record.model_error;
      throw Object.assign(new Error(why), { record });
    }
    return record;
  } finally {
    client.worker.terminate();
  }
}
