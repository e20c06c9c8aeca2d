// Benchmark engine: onnxruntime-web (wasm execution provider, SIMD, threads) running
// bench/cifar_model.onnx (the same model, exported by bench/export_onnx.py; input x is NCHW
// [N,3,32,32]). Inference only: onnxruntime-web does not train. options: {threads}.
import { BATCH, IMAGE, latency, serveOneRun, timeSteps } from './measure.js';

const DIST = new URL('../../node_modules/onnxruntime-web/dist/', import.meta.url);
const MODEL = new URL('../../bench/cifar_model.onnx', import.meta.url);

serveOneRun(async ({ x, options }, progress) => {
  const t0 = performance.now();
  const ort = await import(new URL('ort.wasm.min.mjs', DIST).href);
  ort.env.wasm.wasmPaths = DIST.href;
  ort.env.wasm.numThreads = options.threads || 0;
  const response = await fetch(MODEL);
  if (!response.ok) throw new Error(`cannot fetch ${MODEL.pathname}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all',
  });
  const setup_ms = performance.now() - t0;
  const config = { version: ort.env.versions ? ort.env.versions.web : null,
    threads: ort.env.wasm.numThreads, simd: true, model_bytes: bytes.length };
  const feed = (n) => ({ [session.inputNames[0]]: new ort.Tensor('float32', x.subarray(0, n * IMAGE), [n, 3, 32, 32]) });
  const batch = feed(BATCH);
  const one = feed(1);
  const run = async (f) => {
    const out = await session.run(f);
    const y = out[session.outputNames[0]];
    if (y.dims[1] !== 10) throw new Error(`unexpected output shape [${y.dims}]`);
    return y;
  };
  const y = await run(batch);
  const logits = Array.from(y.data.slice(0, 10));
  const budget = options.budgetMs;
  progress('inference');
  const infer = await timeSteps(() => run(batch), { items: BATCH, warmup: 2, steps: 10, budgetMs: budget / 2 });
  progress('latency');
  const lat = await latency(() => run(one), { warmup: 3, reps: 20, budgetMs: budget / 2 });
  await session.release();
  return {
    config, notes: [], setup_ms,
    train_images_per_s: null,
    infer_images_per_s: infer.per_s,
    latency_b1_ms: lat.ms,
    detail: { infer_steps_timed: infer.steps_timed, latency_reps: lat.reps, first_logits: logits },
  };
});
