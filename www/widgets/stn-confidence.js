// The problem a spatial transformer solves: a small CNN trained on upright MNIST digits, and
// its prediction and confidence as the learner rotates, scales and shifts a test digit — with
// the sliders, or by typing θ's six numbers. The CNN's weights are trained by `make data`
// (www/data/digits-cnn.safetensors, src/lessons/pretrained.rs), so the figure is usable at
// once; without that file it trains here, and the controls work while it does.
//
// Options: {index, steps (training here, without the file), chunk, seed, rotation, scale, tx,
// ty, theta}. State for people and tests: data-state (loading | computing | done | error),
// data-source (pretrained | training | trained-here), data-theta (θ used), data-pred,
// data-conf, data-accuracy.
import { el } from './common.js';
import { field, urlState, latest, drawRgba, errorLine, staleParts, fmt } from './lesson-kit.js';
import { sliders, initialParams } from './stn-common.js';

const THETA_NAMES = ['θ[0][0]', 'θ[0][1]', 'θ[0][2]', 'θ[1][0]', 'θ[1][1]', 'θ[1][2]'];

/** Six labelled number inputs for θ (2×3); `onChange(theta | null)` when one is edited (null
 *  while an entry is not a number). */
function thetaInputs(onChange) {
  const inputs = THETA_NAMES.map((name, k) => field(name, { type: 'number', step: 0.05, value: k === 0 || k === 4 ? 1 : 0, dataset: { theta: k } }, () => {
    const values = inputs.map((f) => (f.input.value.trim() === '' ? NaN : Number(f.input.value)));
    onChange(values.every(Number.isFinite) ? values : null, values.findIndex((v) => !Number.isFinite(v)));
  }));
  const box = el('fieldset', { class: 'nn-theta-inputs' }, el('legend', {}, 'θ, the affine matrix (type any of its six numbers)'),
    el('div', { class: 'nn-theta-grid' }, inputs.map((f) => f.wrap)));
  return {
    box,
    /** Shows `theta` in the inputs (skipping the one being typed in). */
    show(theta) {
      inputs.forEach((f, k) => { if (document.activeElement !== f.input && f.input.getRootNode().activeElement !== f.input) f.input.value = fmt(theta[k], 3); });
    },
  };
}

export async function mount(host, options = {}, { client }) {
  const url = urlState('conf', { host, widget: 'stn-confidence', id: options.id });
  const params = initialParams(options, url);
  const total = options.steps ?? 320;
  const chunk = options.chunk ?? 8;
  const state = { index: Number(url.get('index', options.index ?? 0)), theta: url.get('theta', options.theta ?? null) };
  if (!(Array.isArray(state.theta) && state.theta.length === 6 && state.theta.every(Number.isFinite))) state.theta = null;
  const root = el('figure', { class: 'nn-figure nn-confidence', 'aria-label': 'a CNN\'s confidence on a transformed digit' });
  const bar = el('progress', { max: total, value: 0, 'aria-label': 'training progress', hidden: true });
  const status = el('p', { class: 'nn-status', 'aria-live': 'polite' }, 'Loading the digit CNN…');
  const cancel = el('button', { type: 'button', hidden: true }, 'Stop training');
  const err = el('p', { class: 'nn-error', role: 'alert', hidden: true });
  const thetaNote = el('p', { class: 'nn-note' });
  const digit = el('canvas', { class: 'nn-digit', role: 'img', 'aria-label': 'the transformed digit' });
  const probs = el('ol', { class: 'nn-probs', start: 0, 'aria-label': 'class probabilities' });
  const verdict = el('p', { class: 'nn-verdict', 'aria-live': 'polite' });
  const slidersBox = el('div', { class: 'nn-sliders' }, ...sliders(['rotation', 'scale', 'tx', 'ty'], params, () => { state.theta = null; predict(); }));
  const theta = thetaInputs((t, bad) => {
    if (!t) { errorLine(err, new Error(`θ needs six numbers: ${THETA_NAMES[bad]} is not one.`)); return; }
    state.theta = t;
    predict();
  });
  const controls = el('div', { class: 'nn-controls' }, slidersBox, theta.box,
    field('digit #', { type: 'number', min: 0, max: 999, step: 1, value: state.index }, (v) => { if (Number.isInteger(v) && v >= 0) { state.index = v; predict(); } }).wrap);
  const pictures = el('div', { class: 'nn-pictures' }, digit, el('div', {}, verdict, probs));
  const stale = staleParts([pictures]);
  root.append(el('div', { class: 'nn-train-row' }, bar, cancel), status, controls, thetaNote, err, stale.node, pictures);
  host.append(root);

  let stopped = false;
  let destroyed = false;
  let id = null;
  cancel.addEventListener('click', () => { stopped = true; });

  const predictCall = latest((args) => client.call('digitsPredict', args).then((v) => ({ v }), (e) => ({ e })));
  async function predict() {
    if (id === null) return;
    url.set({ ...params, index: state.index, theta: state.theta });
    slidersBox.classList.toggle('nn-stale', !!state.theta);
    thetaNote.textContent = state.theta
      ? 'θ typed directly: the sliders are not used (move one to go back to them).'
      : 'θ follows the sliders: rotation, scale and shift make these six numbers.';
    root.dataset.state = 'computing';
    const r = await predictCall({ id, index: state.index, params, theta: state.theta ?? undefined, mode: 'bilinear', padding_mode: 'zeros' });
    if (!r) return;
    if (r.e) { errorLine(err, r.e); stale.set('Out of date: the picture below is from the last settings that worked.'); root.dataset.state = 'error'; return; }
    errorLine(err, null);
    stale.set(null);
    const v = r.v;
    theta.show(v.theta);
    drawRgba(digit, v.out, 6);
    let best = 0;
    v.probs.forEach((p, k) => { if (p > v.probs[best]) best = k; });
    probs.replaceChildren(...v.probs.map((p, k) => {
      const li = el('li', { class: k === best ? 'nn-best' : '' }, el('span', { class: 'nn-label' }, v.classes[k]), el('span', { class: 'nn-bar' }), el('span', { class: 'nn-pct' }, `${(100 * p).toFixed(1)}%`));
      li.querySelector('.nn-bar').style.setProperty('--p', String(p));
      return li;
    }));
    verdict.textContent = `The true digit is ${v.classes[v.label]}. The CNN says ${v.classes[best]}, with ${(100 * v.probs[best]).toFixed(1)}% confidence.`;
    root.dataset.theta = JSON.stringify(v.theta);
    root.dataset.pred = String(best);
    root.dataset.conf = String(v.probs[best]);
    root.dataset.state = 'done';
  }

  /** Without the pre-trained file: trains here, predicting again after each chunk. */
  async function trainHere(reason) {
    status.textContent = `${reason} Training the CNN on upright digits here (${total} steps of 64); the controls work meanwhile.`;
    root.dataset.source = 'training';
    bar.hidden = false;
    cancel.hidden = false;
    const t0 = performance.now();
    let done = 0;
    while (done < total && !stopped && !destroyed) {
      const r = await client.call('digitsTrain', { id, steps: Math.min(chunk, total - done), batch_size: 64 });
      done = r.steps;
      bar.value = done;
      status.textContent = `${reason} Training the CNN on upright digits here: step ${done} of ${total} (batch 64), loss ${r.loss.toFixed(3)}, ${((performance.now() - t0) / 1000).toFixed(1)} s. The controls work meanwhile.`;
      await predict();
    }
    cancel.hidden = true;
    const acc = await client.call('digitsAccuracy', { id, count: 500 });
    status.textContent = `Trained here for ${done} steps (${(done * 64).toLocaleString('en-US')} digits) in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${(100 * acc.accuracy).toFixed(1)}% correct on 500 upright test digits.`;
    root.dataset.accuracy = String(acc.accuracy);
    root.dataset.source = 'trained-here';
  }

  try {
    ({ id } = await client.call('digitsCreate', { with_stn: false, seed: options.seed ?? 0 }));
    let loaded = null;
    let why = '';
    try {
      loaded = await client.call('digitsLoad', { id, file: options.weights ?? 'digits-cnn' });
    } catch (e) {
      why = `No pre-trained weights (${e.detail || e.message}).`;
    }
    await predict();
    if (loaded) {
      const acc = await client.call('digitsAccuracy', { id, count: 500 });
      const i = loaded.info && loaded.info.params;
      status.textContent = (i
        ? `This CNN was trained by \`make data\`: ${i.steps.toLocaleString('en-US')} Adam steps of ${i.batch_size} upright digits (seed ${i.seed}).`
        : `This CNN's weights were trained by \`make data\` (${loaded.file}).`)
        + ` It gets ${(100 * acc.accuracy).toFixed(1)}% of 500 upright test digits right.`;
      root.dataset.accuracy = String(acc.accuracy);
      root.dataset.source = 'pretrained';
    } else {
      // Mounted (and usable) at once; the training goes on behind the controls.
      trainHere(why).catch((e) => { errorLine(err, e); root.dataset.state = 'error'; });
    }
  } catch (e) {
    errorLine(err, e);
    root.dataset.state = 'error';
  }
  return {
    destroy() {
      destroyed = true;
      if (id !== null) client.call('digitsFree', { id }).catch(() => {});
      root.remove();
    },
  };
}
