// Benchmark engine: nnbook itself, through the page-side client (www/client.js), so it runs in
// nnbook's own module worker (www/worker.js) exactly as the notebook does. Two configurations:
// `pkg` forced single-thread, and the default (pkg-parallel when the page is isolated).
// Calls the worker methods `benchGemm` and `benchModel`; while the worker lacks them the row
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
    if (!gemm && !model) {
      const why = record.model_error === 'not available yet' ? 'not available yet' : record.model_error;
      throw Object.assign(new Error(why), { record });
    }
    return record;
  } finally {
    client.worker.terminate();
  }
}
