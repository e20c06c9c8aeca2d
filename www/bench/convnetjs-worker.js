// Benchmark engine: ConvNetJS 0.3, the classic browser baseline. Same layer stack (conv 5x5
// pad 2 stride 1, pool 2, x3, fc 64, fc 10 + softmax; no ReLU), SGD lr 0.01, batch 64, no
// momentum or weight decay. ConvNetJS takes one image at a time (a Vol, HWC) and updates the
// weights every `batch_size` images; its softmax layer adds the final fc 10 itself.
import { BATCH, IMAGE, latency, serveOneRun, timeSteps } from './measure.js';

const SCRIPT = new URL('../../node_modules/convnetjs/build/convnet.js', import.meta.url);

async function loadConvnetjs() {
  // The script is a classic browser script: it attaches itself as `window.jsfeat`.
  globalThis.window = globalThis;
  await import(SCRIPT.href);
  const lib = globalThis.jsfeat;
  if (!lib || !lib.Net) throw new Error('convnetjs did not load (window.jsfeat missing)');
  return lib;
}

serveOneRun(async ({ x, labels, options }, progress) => {
  const t0 = performance.now();
  const cnj = await loadConvnetjs();
  const conv = (filters) => ({ type: 'conv', sx: 5, filters, stride: 1, pad: 2 });
  const pool = { type: 'pool', sx: 2, stride: 2 };
  const net = new cnj.Net();
  net.makeLayers([
    { type: 'input', out_sx: 32, out_sy: 32, out_depth: 3 },
    conv(32), pool, conv(32), pool, conv(64), pool,
    { type: 'fc', num_neurons: 64 },
    { type: 'softmax', num_classes: 10 },
  ]);
  const trainer = new cnj.Trainer(net, { method: 'sgd', learning_rate: 0.01, batch_size: BATCH,
    momentum: 0, l2_decay: 0, l1_decay: 0 });
  const vols = [];
  for (let n = 0; n < BATCH; n++) {
    const v = new cnj.Vol(32, 32, 3, 0.0);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) v.w[p * 3 + c] = x[n * IMAGE + c * 1024 + p];
    }
    vols.push(v);
  }
  const setup_ms = performance.now() - t0;
  const budget = options.budgetMs;
  progress('training');
  const train = await timeSteps(async () => {
    let loss = 0;
    for (let n = 0; n < BATCH; n++) loss += trainer.train(vols[n], labels[n]).loss;
    return loss / BATCH;
  }, { items: BATCH, warmup: 1, steps: 10, budgetMs: budget });
  progress('inference');
  const infer = await timeSteps(async () => {
    for (let n = 0; n < BATCH; n++) net.forward(vols[n], false);
  }, { items: BATCH, warmup: 1, steps: 10, budgetMs: budget / 2 });
  const lat = await latency(async () => net.forward(vols[0], false), { warmup: 3, reps: 20, budgetMs: budget / 4 });
  return {
    config: { version: '0.3', batch_size: BATCH, method: 'sgd' },
    notes: [], setup_ms,
    train_images_per_s: train.per_s,
    infer_images_per_s: infer.per_s,
    latency_b1_ms: lat.ms,
    losses: train.values,
    detail: { train_steps_timed: train.steps_timed, infer_steps_timed: infer.steps_timed, latency_reps: lat.reps },
  };
});
