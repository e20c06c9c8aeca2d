// Timing helpers shared by every engine worker of the benchmark page, so each engine is
// measured the same way: warm-up steps first, then timed steps until `steps` are done or
// `budgetMs` has passed (at least one timed step), so a slow engine cannot stall the run.

export const BATCH = 64;
export const IMAGE = 3 * 32 * 32;

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Runs `step()` (async; returns a loss or nothing) `warmup` times untimed, then up to `steps`
 * times timed within `budgetMs`. Returns {per_s (items/s), steps_timed, ms_per_step, values}.
 */
export async function timeSteps(step, { items, warmup = 2, steps = 10, budgetMs = 20000 }) {
  const values = [];
  for (let i = 0; i < warmup; i++) {
    const t = performance.now();
    values.push(await step());
    // A step slower than a quarter of the budget is warm enough after one round.
    if (performance.now() - t > budgetMs / 4) break;
  }
  let timed = 0;
  const t0 = performance.now();
  while (timed < steps) {
    values.push(await step());
    timed++;
    if (performance.now() - t0 > budgetMs) break;
  }
  const ms = performance.now() - t0;
  return { per_s: (items * timed * 1000) / ms, steps_timed: timed, ms_per_step: ms / timed, values };
}

/** Median latency in ms of `call()` over up to `reps` timed calls after `warmup` untimed. */
export async function latency(call, { warmup = 3, reps = 20, budgetMs = 10000 }) {
  for (let i = 0; i < warmup; i++) await call();
  const times = [];
  const start = performance.now();
  while (times.length < reps) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
    if (performance.now() - start > budgetMs) break;
  }
  return { ms: median(times), reps: times.length };
}

/** NCHW planar batch -> NHWC (TF.js's layout). */
export function chwToHwc(x, n) {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) out[b * IMAGE + p * 3 + c] = x[b * IMAGE + c * 1024 + p];
    }
  }
  return out;
}

/** Wraps an engine worker's body: answers one {x, labels, options} message with
 * {type:'result', value} or {type:'error', message}; `progress(text)` posts progress. */
export function serveOneRun(run) {
  self.onmessage = async ({ data }) => {
    const progress = (text) => self.postMessage({ type: 'progress', text });
    try {
      const value = await run(data, progress);
      self.postMessage({ type: 'result', value });
    } catch (e) {
      self.postMessage({ type: 'error', message: e && e.message ? e.message : String(e) });
    }
  };
}
