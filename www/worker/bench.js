// Worker methods for the landing page's GEMM self-test and `make bench`.
// Each method gets (args, progress, wasm) and returns a structured-cloneable value.

export const benchMethods = {
  gemmSelfTest: ({ n = 256, reps = 3 } = {}, _progress, wasm) => {
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
  benchGemm: ({ sizes = [256, 512, 1024], reps = 5 } = {}, progress, wasm) => sizes.map((n, i) => {
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
  // Memory of this worker now: wasm linear memory (grows only, so it is the peak) and, when
  // the browser offers performance.measureUserAgentSpecificMemory here (cross-origin isolated
  // pages only), its JS-heap estimate; null with the reason otherwise, or after `timeoutMs`.
  // `js: false` skips the JS heap.
  benchMemory: async ({ timeoutMs = 20000, js = true } = {}, _progress, wasm) => {
    const out = { wasm_memory_bytes: wasm.wasmMemoryBytes(), js_heap_bytes: null, js_heap_error: null };
    if (!js) return out;
    const measure = self.performance && performance.measureUserAgentSpecificMemory;
    if (typeof measure !== 'function') {
      out.js_heap_error = self.crossOriginIsolated
        ? 'performance.measureUserAgentSpecificMemory is not available in this worker'
        : 'not cross-origin isolated';
      return out;
    }
    let timer;
    try {
      const r = await Promise.race([
        measure.call(performance),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); }),
      ]);
      out.js_heap_bytes = r.bytes;
      out.js_heap_breakdown = r.breakdown
        .filter((b) => b.bytes > 0)
        .map((b) => ({ bytes: b.bytes, types: b.types, scopes: b.attribution.map((a) => a.scope || a.url) }));
    } catch (e) {
      out.js_heap_error = `measureUserAgentSpecificMemory: ${e && e.message ? e.message : e}`;
    } finally {
      clearTimeout(timer);
    }
    return out;
  },
  // The CIFAR-10 model on one batch: training images/s (SGD), inference images/s, batch-1
  // latency, per-layer forward/backward times, peak wasm memory. `x` [N*3*32*32], `labels` [N].
  benchModel: ({ x, labels, steps = 10, warmup = 2, seed = 0 } = {}, progress, wasm) => {
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
