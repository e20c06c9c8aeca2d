// Benchmark engine: TensorFlow.js 4.22 on its `wasm` (SIMD, threads) or `cpu` backend.
// options: {backend: 'wasm'|'cpu', threads}. NHWC layout (TF.js's), same layer stack as the
// PyTorch model; SGD lr 0.01 on softmax cross-entropy (mean over the batch).
import { BATCH, chwToHwc, latency, serveOneRun, timeSteps } from './measure.js';
import { NOTE, checkConv2DBackpropFilter, registerConv2DBackpropFilterWasm } from './tfjs-conv2d-backprop-filter.js';

const TFJS_THREADS_NOTE = 'TF.js wasm caps its thread pool at navigator.hardwareConcurrency / 2; its threaded worker is shown twice the real count so that it uses all cores (config.threads is the pool size it reports)';
const NM = new URL('../../node_modules/', import.meta.url);

function buildModel(tf) {
  const conv = (filters, inputShape) => tf.layers.conv2d({ filters, kernelSize: 5, strides: 1,
    padding: 'same', useBias: true, ...(inputShape ? { inputShape } : {}) });
  const pool = () => tf.layers.maxPooling2d({ poolSize: 2, strides: 2 });
  return tf.sequential({ layers: [
    conv(32, [32, 32, 3]), pool(), conv(32), pool(), conv(64), pool(),
    tf.layers.flatten(), tf.layers.dense({ units: 64 }), tf.layers.dense({ units: 10 }),
  ] });
}

serveOneRun(async ({ x, labels, options }, progress) => {
  const notes = [];
  const t0 = performance.now();
  await import(new URL('@tensorflow/tfjs/dist/tf.min.js', NM).href);
  const tf = globalThis.tf;
  const config = { version: tf.version.tfjs, backend: options.backend };
  if (options.backend === 'wasm') {
    await import(new URL('@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js', NM).href);
    tf.wasm.setWasmPaths(new URL('@tensorflow/tfjs-backend-wasm/dist/', NM).href);
    if (options.threads) {
      tf.wasm.setThreadsCount(options.threads);
      if (options.threads > 1) {
        // TF.js caps its pool at hardwareConcurrency / 2 (it assumes two hyper-threads per
        // core), which is 1 thread on a 2-core machine: report twice the cores to its worker
        // so that the threaded configuration really uses `threads` threads.
        const cores = navigator.hardwareConcurrency || 1;
        Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * cores, configurable: true });
        notes.push(TFJS_THREADS_NOTE);
      }
    }
    if (registerConv2DBackpropFilterWasm(tf)) notes.push(NOTE);
  }
  if (!(await tf.setBackend(options.backend))) throw new Error(`tf.setBackend('${options.backend}') failed`);
  await tf.ready();
  if (options.backend === 'wasm') {
    config.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    config.multithread_support = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    config.threads = tf.wasm.getThreadsCount();
    const err = await checkConv2DBackpropFilter(tf);
    notes.push(`registered Conv2DBackpropFilter checked against a plain-JS reference: max |diff| = ${err.toExponential(2)}`);
    if (!(err < 1e-3)) throw new Error(`registered Conv2DBackpropFilter is wrong (max |diff| ${err})`);
  }
  const setup_ms = performance.now() - t0;
  const model = buildModel(tf);
  const xs = tf.tensor4d(chwToHwc(x, BATCH), [BATCH, 32, 32, 3]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10));
  const x1 = xs.slice([0, 0, 0, 0], [1, 32, 32, 3]);
  const optimizer = tf.train.sgd(0.01);
  const budget = options.budgetMs;

  progress('training');
  const train = await timeSteps(async () => {
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs)), true);
    const v = (await cost.data())[0];
    cost.dispose();
    progress(`training: loss ${v.toFixed(4)}`);
    return v;
  }, { items: BATCH, warmup: 2, steps: 10, budgetMs: budget });

  const predict = async (input) => {
    const y = tf.tidy(() => model.predict(input));
    await y.data();
    y.dispose();
  };
  progress('inference');
  const infer = await timeSteps(() => predict(xs), { items: BATCH, warmup: 2, steps: 10, budgetMs: budget / 2 });
  progress('latency');
  const lat = await latency(() => predict(x1), { warmup: 3, reps: 20, budgetMs: budget / 2 });
  const wasmHeap = options.backend === 'wasm' ? tf.backend().wasm.HEAPU8.buffer.byteLength : null;
  return {
    config, notes, setup_ms,
    train_images_per_s: train.per_s,
    infer_images_per_s: infer.per_s,
    latency_b1_ms: lat.ms,
    peak_memory_bytes: wasmHeap,
    losses: train.values,
    detail: { train_steps_timed: train.steps_timed, infer_steps_timed: infer.steps_timed,
      latency_reps: lat.reps, tensor_bytes: tf.memory().numBytes },
  };
});
