// "Train this model", under the layer editor: a small run of the edited nn.Sequential on the
// lesson's CIFAR-10 subset, through the worker's training methods (www/worker/training.js,
// its own session 'editor', so the lesson's trainer keeps its run), with a loss chart, an
// accuracy chart and the model graph of the weights being trained. All compute is in the
// worker; this view drives the loop one chunk of steps at a time.
//
// State for people and tests on the section: data-train-state (idle | loading | training |
// stopping | stopped | done | error), data-train-step, data-train-epoch,
// data-train-test-accuracy (the last epoch's), data-loss-first / data-loss-last (mean of the
// first / last 4 steps), data-train-layers (layers in the model being trained).
import { el, showError } from './common.js';
import { lineChart } from './train-charts.js';
import { mount as mountGraph } from './model-graph.js';

const SESSION = 'editor';
const CHUNK_MS = 250;

/** Mounts the section into `host`. `getLayers()` is the editor's current layer list;
 *  returns {changed(valid, reason)} for the editor to call after every edit. */
export function mountLayerTrain(host, { client }, getLayers) {
  const num = (value, attrs) => el('input', { type: 'number', value, ...attrs });
  const c = {
    trainSize: num(500, { min: 16, step: 1 }),
    epochs: num(2, { min: 1, max: 50, step: 1 }),
    batchSize: num(32, { min: 1, max: 512, step: 1 }),
    lr: num(0.001, { min: 0, step: 'any' }),
  };
  const field = (label, input) => el('label', { class: 'nn-field' }, label, ' ', input);
  const trainBtn = el('button', { type: 'button', 'data-action': 'train-model' }, 'Train this model');
  const stopBtn = el('button', { type: 'button', 'data-action': 'stop-model', disabled: true }, 'Stop');
  const reason = el('p', { class: 'nn-note nn-train-reason' });
  const progress = el('progress', { max: 1, value: 0, 'aria-label': 'Training progress of this model' });
  const status = el('p', { class: 'nn-train-status', role: 'status' }, 'Train the model above on CIFAR-10 images, here in your browser (Adam, images normalised).');
  const errors = el('div', { class: 'nn-train-errors' });
  const charts = el('div', { class: 'nn-train-charts' });
  const graphHost = el('div', { class: 'nn-train-graph' });
  const root = el('section', { class: 'nn-layer-train', 'aria-label': 'Train this model' },
    el('h4', {}, 'Train this model'),
    el('div', { class: 'nn-train-controls' }, field('training images', c.trainSize), field('epochs', c.epochs),
      field('batch size', c.batchSize), field('learning rate (Adam)', c.lr)),
    el('div', { class: 'nn-train-buttons' }, trainBtn, stopBtn), reason, progress, status, errors, charts, graphHost);
  host.append(root);
  const lossChart = lineChart(charts, { title: 'Training loss (this model)', x: { label: 'step', integer: true }, y: { label: 'loss' }, series: [{ label: 'loss', color: '#1f5fbf' }] });
  const accChart = lineChart(charts, { title: 'Accuracy per epoch (this model)', x: { label: 'epoch', integer: true }, y: { label: 'accuracy', min: 0, max: 1, percent: true }, series: [{ label: 'train', color: '#27ae60' }, { label: 'test', color: '#c0392b' }], smoothing: null });
  const set = (k, v) => { root.dataset[k] = String(v); };
  set('trainState', 'idle');

  let state = 'idle';
  let valid = false;
  let losses = [];
  let history = [];
  let dataLoaded = false;
  let graph = null;
  let trainedJson = null; // the layers being trained, to tell when the editor moved on

  const mean = (a) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  function setState(s) {
    state = s;
    set('trainState', s);
    trainBtn.disabled = !valid || s === 'loading' || s === 'training' || s === 'stopping';
    stopBtn.disabled = s !== 'training';
  }
  function draw() {
    lossChart.update(losses.map((_, i) => i + 1), [losses]);
    accChart.update(history.map((h) => h.epoch), [history.map((h) => h.train_accuracy), history.map((h) => h.test_accuracy)]);
    if (losses.length) {
      set('lossFirst', mean(losses.slice(0, 4)).toFixed(5));
      set('lossLast', mean(losses.slice(-4)).toFixed(5));
    }
  }
  async function showGraph() {
    if (!graph) {
      graph = await mountGraph(graphHost, { session: SESSION, whose: 'this model', refreshLabel: 'Refresh weights', untrainedHint: 'press “Train this model”' }, { client });
    } else {
      await graph.refresh();
    }
  }

  async function train() {
    errors.replaceChildren();
    const layers = structuredClone(getLayers());
    trainedJson = JSON.stringify(layers);
    losses = []; history = [];
    draw();
    setState('loading');
    const config = {
      layers, optimizer: 'adam', lr: Number(c.lr.value), batch_size: Number(c.batchSize.value),
      epochs: Number(c.epochs.value), train_size: Number(c.trainSize.value), normalize: true, seed: 0,
    };
    await client.call('trainInit', { session: SESSION, config });
    if (!dataLoaded) {
      status.textContent = 'Loading the CIFAR-10 subset into this model\'s session…';
      await client.call('trainLoadUrl', { session: SESSION, url: 'data/cifar10-train.nnbd', role: 'train' });
      await client.call('trainLoadUrl', { session: SESSION, url: 'data/cifar10-test.nnbd', role: 'test' });
      dataLoaded = true;
    }
    let s = await client.call('trainStatus', { session: SESSION });
    set('trainLayers', layers.length);
    status.textContent = `Training ${s.train_len.toLocaleString('en-US')} images for ${s.config.epochs} epoch${s.config.epochs === 1 ? '' : 's'}: ${s.parameters.toLocaleString('en-US')} parameters.`;
    await showGraph();
    setState('training');
    let k = 1;
    const total = s.config.epochs * s.batches_per_epoch;
    progress.max = Math.max(1, total);
    while (state === 'training') {
      const r = await client.call('trainSteps', { session: SESSION, k });
      losses = losses.concat(r.losses);
      k = Math.max(1, Math.min(64, Math.round((k * CHUNK_MS) / Math.max(1, r.ms))));
      progress.value = Math.min(total, r.step);
      set('trainStep', r.step);
      if (r.epoch_done) {
        const rec = await client.call('trainFinishEpoch', { session: SESSION });
        history.push(rec);
        set('trainEpoch', rec.epoch);
        set('trainTestAccuracy', rec.test_accuracy.toFixed(4));
        status.textContent = `Epoch ${rec.epoch} of ${s.config.epochs}: train loss ${rec.train_loss.toFixed(4)}, train accuracy ${(100 * rec.train_accuracy).toFixed(1)} %, test accuracy ${(100 * rec.test_accuracy).toFixed(1)} %.`;
        await showGraph();
      }
      draw();
      s = await client.call('trainStatus', { session: SESSION });
      if (s.finished) {
        status.textContent += ' Training finished.';
        setState('done');
      }
    }
    if (state === 'stopping') {
      status.textContent = `Stopped after ${s.step} steps.`;
      await showGraph();
      setState('stopped');
    }
  }

  trainBtn.addEventListener('click', () => train().catch((e) => {
    showError(errors, e);
    setState('error');
  }));
  stopBtn.addEventListener('click', () => { if (state === 'training') setState('stopping'); });

  return {
    /** The editor's model changed: `ok` whether it can be trained, `why` if not. */
    changed(ok, why) {
      valid = ok;
      const moved = trainedJson !== null && JSON.stringify(getLayers()) !== trainedJson;
      reason.textContent = !ok ? `Fix the model first: ${why}`
        : moved ? 'The layers changed since this model was trained: press “Train this model” to train the new one.' : '';
      charts.classList.toggle('nn-stale', moved);
      graphHost.classList.toggle('nn-stale', moved);
      setState(state);
    },
  };
}
