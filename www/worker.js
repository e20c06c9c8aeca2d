// nnbook's compute worker: the only place wasm runs. Pages and widgets talk to it through
// www/client.js with small messages; bulk data crosses as transferred typed arrays.
//
// Package choice (see ../shared/TOOLCHAIN.md): cross-origin isolated + wasm threads ->
// pkg-parallel with a rayon pool of navigator.hardwareConcurrency threads (with a timeout);
// otherwise, or if the pool fails, pkg (single thread). The reason for a fallback is reported.

import { simd, threads } from './vendor/wasm-feature-detect.js';

const POOL_TIMEOUT_MS = 15000;

let wasm = null; // the imported package module
let info = null; // what the capability panel shows

function withTimeout(promise, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    promise.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e) => { clearTimeout(timer); reject(e); },
    );
  });
}

async function loadPackage(options) {
  const isolated = self.crossOriginIsolated === true;
  const hasSimd = await simd();
  const hasThreads = await threads();
  const wanted = Math.max(1, Math.min(options.threads || navigator.hardwareConcurrency || 1, 16));
  let fallbackReason = null;
  if (!hasSimd) {
    throw new Error('This browser does not support WebAssembly SIMD (needed by nnbook); please use a current Chrome, Edge, Firefox or Safari.');
  }
  if (options.forceSingleThread) {
    fallbackReason = 'single-thread package requested (?threads=0)';
  } else if (!isolated) {
    fallbackReason = 'page is not cross-origin isolated (the host sends no COOP/COEP headers), so SharedArrayBuffer and threads are unavailable';
  } else if (!hasThreads) {
    fallbackReason = 'this browser does not support WebAssembly threads';
  } else {
    try {
      const mod = await import('./pkg-parallel/nnbook.js');
      await mod.default();
      await withTimeout(mod.initThreadPool(wanted), POOL_TIMEOUT_MS, 'initThreadPool');
      wasm = mod;
      return { pkg: 'pkg-parallel', isolated, hasSimd, hasThreads, fallbackReason };
    } catch (e) {
      fallbackReason = `thread pool failed to start: ${e && e.message ? e.message : e}`;
    }
  }
  const mod = await import('./pkg/nnbook.js');
  await mod.default();
  wasm = mod;
  return { pkg: 'pkg', isolated, hasSimd, hasThreads, fallbackReason };
}

// Methods pages may call. Each gets (args) and returns a structured-cloneable value.
const methods = {
  info: () => info,
  gemmSelfTest: ({ n = 256, reps = 3 } = {}) => {
    let best = Infinity;
    let checksum = 0;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      checksum = wasm.gemmSelfTest(n);
      best = Math.min(best, performance.now() - t0);
    }
    return { n, checksum, ms: best, gflops: (2 * n * n * n) / (best * 1e6) };
  },
  // GEMM GFLOP/s per size: best and median of `reps` timed runs after one warm-up.
  benchGemm: ({ sizes = [256, 512, 1024], reps = 5 } = {}, progress) => sizes.map((n, i) => {
    wasm.gemmSelfTest(n);
    const times = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      wasm.gemmSelfTest(n);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const flop = 2 * n * n * n;
    progress({ done: i + 1, total: sizes.length });
    return { n, gflops_best: flop / (times[0] * 1e6), gflops_median: flop / (times[times.length >> 1] * 1e6) };
  }),
  // The CIFAR-10 model on one batch: training images/s (SGD), inference images/s, batch-1
  // latency, per-layer forward/backward times, peak wasm memory. `x` [N*3*32*32], `labels` [N].
  benchModel: ({ x, labels, steps = 10, warmup = 2, seed = 0 } = {}, progress) => {
    const n = labels.length;
    const session = new wasm.ModelSession({ seed, optimizer: 'sgd', lr: 0.01 });
    try {
      const losses = [];
      for (let i = 0; i < warmup; i++) session.trainStep(x, labels);
      let t0 = performance.now();
      for (let i = 0; i < steps; i++) {
        losses.push(session.trainStep(x, labels));
        progress({ phase: 'train', done: i + 1, total: steps });
      }
      const trainMs = performance.now() - t0;
      session.predict(x);
      t0 = performance.now();
      for (let i = 0; i < steps; i++) session.predict(x);
      const inferMs = performance.now() - t0;
      const one = x.subarray(0, x.length / n);
      session.predict(one);
      const lat = [];
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        session.predict(one);
        lat.push(performance.now() - t);
      }
      lat.sort((a, b) => a - b);
      const layers = session.profileLayers(x, 3);
      return {
        batch: n,
        train_images_per_s: (n * steps) / (trainMs / 1000),
        infer_images_per_s: (n * steps) / (inferMs / 1000),
        latency_b1_ms: lat[lat.length >> 1],
        peak_memory_bytes: wasm.wasmMemoryBytes(),
        layers,
        losses,
      };
    } finally {
      session.free();
    }
  },
};

function errorPayload(e) {
  const text = e && e.message ? e.message : String(e);
  const m = /^([A-Za-z]+Error): ([\s\S]*)$/.exec(text);
  return m ? { kind: m[1], message: m[2] } : { kind: 'Error', message: text };
}

let readyPromise = null;

self.onmessage = async ({ data }) => {
  if (data && data.type === 'init') {
    readyPromise = readyPromise || (async () => {
      try {
        const chosen = await loadPackage(data.options || {});
        info = { ...chosen, ...wasm.buildInfo(), crossOriginIsolated: chosen.isolated };
        self.postMessage({ type: 'ready', info });
      } catch (e) {
        self.postMessage({ type: 'fatal', error: errorPayload(e) });
      }
    })();
    return;
  }
  if (!data || typeof data.id !== 'number') return;
  const { id, method, args } = data;
  try {
    await readyPromise;
    const fn = methods[method];
    if (!fn) throw new Error(`unknown method '${method}'`);
    const value = await fn(args || {}, (progress) => self.postMessage({ id, type: 'progress', progress }));
    self.postMessage({ id, type: 'result', value });
  } catch (e) {
    self.postMessage({ id, type: 'error', error: errorPayload(e) });
  }
};
