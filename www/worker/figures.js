// Worker methods for the lessons' figures (Linear shapes, reshape/flatten, the spatial
// transformer). Each method gets (args, progress, wasm) and returns a structured-cloneable
// value; all numbers come from the wasm core (src/lessons/, src/wasm/figures.rs).

const datasets = new Map(); // file -> Promise<LessonData>
const sessions = new Map(); // id -> DigitSession
let nextSession = 1;

/** A decoded www/data/<file>.nnbd, fetched once per worker. */
function dataset(file, wasm) {
  if (!/^[a-z0-9-]+$/.test(file)) throw new Error(`ValueError: bad dataset name '${file}'`);
  if (!datasets.has(file)) {
    const p = (async () => {
      const url = new URL(`../data/${file}.nnbd`, import.meta.url);
      const res = await fetch(url);
      if (!res.ok) throw new Error(`OSError: could not load ${file}.nnbd (HTTP ${res.status})`);
      return new wasm.LessonData(new Uint8Array(await res.arrayBuffer()), `${file}.nnbd`);
    })();
    p.catch(() => datasets.delete(file));
    datasets.set(file, p);
  }
  return datasets.get(file);
}

/** Runs `fn`; a failure carries `explain()`'s words (if any) as `error.explain`. */
async function explained(fn, explain) {
  try {
    return await fn();
  } catch (e) {
    const words = (() => { try { return explain(); } catch { return null; } })();
    if (words) {
      const err = e instanceof Error ? e : new Error(String(e));
      err.explain = words;
      throw err;
    }
    throw e;
  }
}

function session(id) {
  const s = sessions.get(id);
  if (!s) throw new Error(`ValueError: no digit session ${id} (it was freed or never created)`);
  return s;
}

/** `{rgba, width, height}` of `n` images [n, c, h, w] drawn side by side. */
function strip(wasm, x, n, c, h, w) {
  return { rgba: wasm.imagesToRgba(x, n, c, h, w), width: n * w, height: h };
}

const transformArgs = (a) => ({
  params: a.params,
  theta: a.theta,
  mode: a.mode,
  padding_mode: a.padding_mode,
  align_corners: !!a.align_corners,
});

async function digit(file, index, wasm) {
  const ds = await dataset(file, wasm);
  const [c, h, w] = ds.dims();
  return { ds, image: ds.images(index, 1), label: ds.labels(index, 1)[0], c, h, w, classes: ds.classNames() };
}

export const figureMethods = {
  linearLayer: ({ n = 4, in_features = 8, out_features = 4, bias = true, seed = 0 } = {}, _p, wasm) =>
    wasm.linearLayer(n, in_features, out_features, bias, seed),

  shapeView: (args, _p, wasm) => explained(() => wasm.shapeView(args), () => wasm.explainShape(args)),

  // Images start..start+count of a dataset, for display: {rgba, width, height, labels, classes}.
  datasetImages: async ({ file = 'cifar10-test', start = 0, count = 8 } = {}, _p, wasm) => {
    const ds = await dataset(file, wasm);
    const [c, h, w] = ds.dims();
    const x = ds.images(start, count);
    return { ...strip(wasm, x, count, c, h, w), labels: Array.from(ds.labels(start, count)), classes: ds.classNames(), dims: [c, h, w] };
  },

  // flatten(imgs[:count], start_dim, end_dim) then nn.Linear(in, out): shapes and predictions.
  flattenLinear: async ({ file = 'cifar10-test', count = 64, start_dim = 1, end_dim = -1, in_features = 3072, out_features = 10, seed = 0 } = {}, _p, wasm) => {
    const ds = await dataset(file, wasm);
    const xShape = Uint32Array.from([Math.min(count, ds.len()), ...ds.dims()]);
    return explained(() => ds.flattenLinear(count, BigInt(start_dim), BigInt(end_dim), in_features, out_features, seed),
      () => wasm.explainFlattenLinear(xShape, start_dim, end_dim, in_features));
  },

  // One dataset image through affine_grid + grid_sample: theta, output (+ RGBA), grid,
  // loss and dL/dtheta.
  stnTransform: async ({ file = 'mnist-test', index = 0, ...a } = {}, _p, wasm) => {
    const d = await digit(file, index, wasm);
    const r = wasm.stnTransform(d.image, d.h, d.w, transformArgs(a));
    return {
      ...r,
      label: d.label,
      size: [d.h, d.w],
      input: strip(wasm, d.image, 1, d.c, d.h, d.w),
      out: strip(wasm, new Float32Array(r.output), 1, d.c, d.h, d.w),
    };
  },

  stnPixel: async ({ file = 'mnist-test', index = 0, row = 0, col = 0, ...a } = {}, _p, wasm) => {
    const d = await digit(file, index, wasm);
    return wasm.stnPixel(d.image, d.h, d.w, transformArgs(a), row, col);
  },

  digitsCreate: ({ with_stn = false, seed = 0, lr = 1e-3 } = {}, _p, wasm) => {
    const id = nextSession++;
    sessions.set(id, new wasm.DigitSession(with_stn, seed, lr));
    return { id };
  },

  // Loads weights `nnbook data` trained (www/data/<file>.safetensors) into session `id`:
  // {file, info} with digits-cnn.json's facts (steps, batch_size, seed, test_accuracy).
  digitsLoad: async ({ id, file = 'digits-cnn' } = {}) => {
    if (!/^[a-z0-9-]+$/.test(file)) throw new Error(`ValueError: bad weights name '${file}'`);
    const res = await fetch(new URL(`../data/${file}.safetensors`, import.meta.url));
    if (!res.ok) throw new Error(`OSError: could not load ${file}.safetensors (HTTP ${res.status}; run \`make data\`)`);
    session(id).loadSafetensors(new Uint8Array(await res.arrayBuffer()), `${file}.safetensors`);
    const meta = await fetch(new URL(`../data/${file}.json`, import.meta.url)).then((r) => (r.ok ? r.json() : null), () => null);
    return { file: `${file}.safetensors`, info: meta };
  },

  digitsFree: ({ id } = {}) => {
    const s = sessions.get(id);
    if (s) { s.free(); sessions.delete(id); }
    return { freed: !!s };
  },

  // A few optimiser steps (keep each call short so other figures' calls interleave).
  digitsTrain: async ({ id, file = 'mnist-train', steps = 5, batch_size = 64, distort = false } = {}, _p, wasm) => {
    const ds = await dataset(file, wasm);
    const t0 = performance.now();
    const r = session(id).trainSteps(ds, steps, batch_size, distort);
    return { ...r, ms: performance.now() - t0 };
  },

  digitsAccuracy: async ({ id, file = 'mnist-test', start = 0, count = 500, distort = false, seed = 7 } = {}, _p, wasm) => {
    const ds = await dataset(file, wasm);
    return { accuracy: session(id).accuracy(ds, start, count, distort, seed), count };
  },

  // A test digit transformed by the sliders, and the session's class probabilities for it.
  digitsPredict: async ({ id, file = 'mnist-test', index = 0, ...a } = {}, _p, wasm) => {
    const d = await digit(file, index, wasm);
    const r = wasm.stnTransform(d.image, d.h, d.w, transformArgs(a));
    const x = new Float32Array(r.output);
    const probs = Array.from(session(id).probabilities(x));
    return { probs, label: d.label, classes: d.classes, theta: r.theta, out: strip(wasm, x, 1, d.c, d.h, d.w) };
  },

  // Distorted test digits and what the STN makes of them: two RGBA strips and the thetas.
  digitsTransformed: async ({ id, file = 'mnist-test', start = 0, count = 8, seed = 7 } = {}, _p, wasm) => {
    const ds = await dataset(file, wasm);
    const x = wasm.distortedImages(ds, start, count, seed);
    const v = session(id).transformed(x);
    const n = count * 784;
    return {
      inputs: strip(wasm, x, count, 1, 28, 28),
      outputs: v.length ? strip(wasm, v.subarray(0, n), count, 1, 28, 28) : null,
      thetas: v.length ? Array.from(v.subarray(n)) : [],
    };
  },
};
