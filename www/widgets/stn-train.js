// Training a spatial transformer: the STN tutorial's STN + classifier and the same classifier
// alone, trained side by side in the worker on randomly distorted digits, a few steps per call.
// Live loss and accuracy curves on distorted test digits, and what the STN makes of some inputs.
// State for people and tests: data-state (ready | training | paused | done | error), data-steps,
// data-acc-stn, data-acc-plain (the last evaluation), data-evals (evaluations drawn).
import { el } from './common.js';
import { drawRgba, errorLine } from './lesson-kit.js';
import { lineChart } from './train-charts.js';

export async function mount(host, options = {}, { client }) {
  const total = options.steps ?? 300;
  const chunk = options.chunk ?? 5;
  const evalEvery = options.eval_every ?? 25;
  const evalCount = options.eval_count ?? 300;
  const root = el('figure', { class: 'nn-figure nn-stn-train', 'aria-label': 'training with and without a spatial transformer' });
  const start = el('button', { type: 'button' }, 'Start training');
  const reset = el('button', { type: 'button' }, 'Reset');
  const bar = el('progress', { max: total, value: 0, 'aria-label': 'training progress' });
  const status = el('p', { class: 'nn-status', 'aria-live': 'polite' }, `Both networks will train for ${total} steps of 64 distorted digits.`);
  const err = el('p', { class: 'nn-error', role: 'alert', hidden: true });
  const accStn = el('output', { class: 'nn-acc' }, '–');
  const accPlain = el('output', { class: 'nn-acc' }, '–');
  const inputs = el('canvas', { class: 'nn-strip', role: 'img', 'aria-label': 'distorted test digits' });
  const outputs = el('canvas', { class: 'nn-strip', role: 'img', 'aria-label': 'the same digits after the spatial transformer' });
  const charts = el('div', { class: 'nn-train-charts' });
  root.append(
    el('div', { class: 'nn-train-row' }, start, reset, bar), status, err,
    el('dl', { class: 'nn-accs' }, el('dt', {}, 'accuracy with STN'), el('dd', {}, accStn), el('dt', {}, 'accuracy without STN'), el('dd', {}, accPlain)),
    charts,
    el('h4', {}, 'Distorted test digits'), el('div', { class: 'nn-scroll' }, inputs),
    el('h4', {}, 'After the spatial transformer'), el('div', { class: 'nn-scroll' }, outputs));
  host.append(root);
  const SERIES = [{ label: 'with STN', color: '#c0392b' }, { label: 'without STN', color: '#1f5fbf' }];
  const lossChart = lineChart(charts, { title: 'Training loss', x: { label: 'step', integer: true }, y: { label: 'loss' }, series: SERIES });
  const accChart = lineChart(charts, { title: `Accuracy on ${evalCount} distorted test digits`, x: { label: 'step', integer: true }, y: { label: 'accuracy', min: 0, max: 1, percent: true }, series: SERIES, smoothing: null });
  // What the charts show, kept here (every value comes from the worker).
  let curve = { steps: [], stn: [], plain: [] };
  let losses = { steps: [], stn: [], plain: [] };
  const drawCharts = () => {
    lossChart.update(losses.steps, [losses.stn, losses.plain]);
    accChart.update(curve.steps, [curve.stn, curve.plain]);
    root.dataset.evals = String(curve.steps.length);
  };

  let ids = null;
  let running = false;
  let destroyed = false;
  let elapsed = 0;
  let loop = null; // the running training loop's promise

  async function create() {
    const seed = options.seed ?? 0;
    const [a, b] = await Promise.all([
      client.call('digitsCreate', { with_stn: true, seed }),
      client.call('digitsCreate', { with_stn: false, seed }),
    ]);
    ids = { stn: a.id, plain: b.id };
    bar.value = 0;
    elapsed = 0;
    curve = { steps: [], stn: [], plain: [] };
    losses = { steps: [], stn: [], plain: [] };
    drawCharts();
    await showTransforms();
  }

  async function showTransforms() {
    const r = await client.call('digitsTransformed', { id: ids.stn, count: 10, seed: 11 });
    drawRgba(inputs, r.inputs, 3);
    if (r.outputs) drawRgba(outputs, r.outputs, 3);
  }

  async function evaluate(steps) {
    const [a, b] = await Promise.all([
      client.call('digitsAccuracy', { id: ids.stn, count: evalCount, distort: true, seed: 7 }),
      client.call('digitsAccuracy', { id: ids.plain, count: evalCount, distort: true, seed: 7 }),
    ]);
    accStn.textContent = `${(100 * a.accuracy).toFixed(1)}%`;
    accPlain.textContent = `${(100 * b.accuracy).toFixed(1)}%`;
    root.dataset.accStn = String(a.accuracy);
    root.dataset.accPlain = String(b.accuracy);
    root.dataset.steps = String(steps);
    curve.steps.push(steps);
    curve.stn.push(a.accuracy);
    curve.plain.push(b.accuracy);
    drawCharts();
    await showTransforms();
  }

  async function run() {
    running = true;
    start.textContent = 'Pause';
    root.dataset.state = 'training';
    let steps = Number(bar.value);
    try {
      if (!curve.steps.length) await evaluate(steps); // where both curves start
      while (running && !destroyed && steps < total) {
        const n = Math.min(chunk, total - steps);
        const t0 = performance.now();
        const [a, b] = await Promise.all([
          client.call('digitsTrain', { id: ids.stn, steps: n, distort: true }),
          client.call('digitsTrain', { id: ids.plain, steps: n, distort: true }),
        ]);
        elapsed += performance.now() - t0;
        steps = a.steps;
        bar.value = steps;
        losses.steps.push(steps);
        losses.stn.push(a.loss);
        losses.plain.push(b.loss);
        drawCharts();
        status.textContent = `Step ${steps} of ${total} (${elapsed / 1000 < 10 ? (elapsed / 1000).toFixed(1) : Math.round(elapsed / 1000)} s): loss ${a.loss.toFixed(3)} with STN, ${b.loss.toFixed(3)} without.`;
        if (steps % evalEvery === 0 || steps === total) await evaluate(steps);
      }
      if (steps >= total) {
        status.textContent = `Done: ${total} steps of 64 distorted digits in ${(elapsed / 1000).toFixed(1)} s. Accuracy on ${evalCount} distorted test digits: ${accStn.textContent} with the STN, ${accPlain.textContent} without.`;
        root.dataset.state = 'done';
        start.disabled = true;
      } else {
        root.dataset.state = 'paused';
      }
    } catch (e) {
      errorLine(err, e);
      root.dataset.state = 'error';
    }
    running = false;
    start.textContent = 'Continue training';
  }

  start.addEventListener('click', () => { if (running) running = false; else loop = run(); });
  reset.addEventListener('click', async () => {
    running = false;
    await loop; // let the current chunk finish before freeing its sessions
    if (ids) await Promise.all([client.call('digitsFree', { id: ids.stn }), client.call('digitsFree', { id: ids.plain })]);
    start.disabled = false;
    start.textContent = 'Start training';
    accStn.textContent = '–';
    accPlain.textContent = '–';
    await create();
  });

  try {
    await create();
    root.dataset.state = 'ready';
    if (options.autostart) loop = run();
  } catch (e) {
    errorLine(err, e);
    root.dataset.state = 'error';
  }
  return {
    destroy() {
      destroyed = true;
      running = false;
      if (ids) for (const id of Object.values(ids)) client.call('digitsFree', { id }).catch(() => {});
      root.remove();
    },
  };
}
