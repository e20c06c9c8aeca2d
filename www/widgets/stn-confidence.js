// The problem a spatial transformer solves: a small CNN trained here on upright MNIST digits,
// and its prediction and confidence as the learner rotates, scales and shifts a test digit.
import { el } from './common.js';
import { field, urlState, latest, drawRgba, errorLine } from './lesson-kit.js';
import { sliders, initialParams } from './stn-common.js';

export async function mount(host, options = {}, { client }) {
  const url = urlState('conf');
  const params = initialParams(options, url);
  const total = options.steps ?? 160;
  const chunk = options.chunk ?? 4;
  const state = { index: Number(url.get('index', options.index ?? 0)) };
  const root = el('figure', { class: 'nn-figure nn-confidence', 'aria-label': 'a CNN\'s confidence on a transformed digit' });
  const bar = el('progress', { max: total, value: 0, 'aria-label': 'training progress' });
  const status = el('p', { class: 'nn-status', 'aria-live': 'polite' }, 'Loading 10,000 training digits…');
  const cancel = el('button', { type: 'button' }, 'Stop training');
  const err = el('p', { class: 'nn-error', role: 'alert', hidden: true });
  const digit = el('canvas', { class: 'nn-digit', role: 'img', 'aria-label': 'the transformed digit' });
  const probs = el('ol', { class: 'nn-probs', start: 0, 'aria-label': 'class probabilities' });
  const verdict = el('p', { class: 'nn-verdict', 'aria-live': 'polite' });
  const controls = el('div', { class: 'nn-controls' },
    ...sliders(['rotation', 'scale', 'tx', 'ty'], params, () => predict()),
    field('digit #', { type: 'number', min: 0, max: 999, step: 1, value: state.index }, (v) => { if (Number.isInteger(v) && v >= 0) { state.index = v; predict(); } }).wrap);
  root.append(el('div', { class: 'nn-train-row' }, bar, cancel), status, err, controls,
    el('div', { class: 'nn-pictures' }, digit, el('div', {}, verdict, probs)));
  host.append(root);
  controls.hidden = true;

  let stopped = false;
  let destroyed = false;
  let id = null;
  cancel.addEventListener('click', () => { stopped = true; });

  const predictCall = latest((args) => client.call('digitsPredict', args).then((v) => ({ v }), (e) => ({ e })));
  async function predict() {
    if (id === null) return;
    url.set({ ...params, index: state.index });
    root.dataset.state = 'computing';
    const r = await predictCall({ id, index: state.index, params, mode: 'bilinear', padding_mode: 'zeros' });
    if (!r) return;
    if (r.e) { errorLine(err, r.e); root.dataset.state = 'error'; return; }
    errorLine(err, null);
    const v = r.v;
    drawRgba(digit, v.out, 6);
    let best = 0;
    v.probs.forEach((p, k) => { if (p > v.probs[best]) best = k; });
    probs.replaceChildren(...v.probs.map((p, k) => {
      const li = el('li', { class: k === best ? 'nn-best' : '' }, el('span', { class: 'nn-label' }, v.classes[k]), el('span', { class: 'nn-bar' }), el('span', { class: 'nn-pct' }, `${(100 * p).toFixed(1)}%`));
      li.querySelector('.nn-bar').style.setProperty('--p', String(p));
      return li;
    }));
    verdict.textContent = `The true digit is ${v.classes[v.label]}. The CNN says ${v.classes[best]}, with ${(100 * v.probs[best]).toFixed(1)}% confidence.`;
    root.dataset.pred = String(best);
    root.dataset.conf = String(v.probs[best]);
    root.dataset.state = 'done';
  }

  try {
    ({ id } = await client.call('digitsCreate', { with_stn: false, seed: options.seed ?? 0 }));
    const t0 = performance.now();
    let done = 0;
    let loss = NaN;
    while (done < total && !stopped && !destroyed) {
      const r = await client.call('digitsTrain', { id, steps: Math.min(chunk, total - done), batch_size: 64 });
      done = r.steps;
      loss = r.loss;
      bar.value = done;
      status.textContent = `Training the CNN on upright digits: step ${done} of ${total} (batch 64), loss ${loss.toFixed(3)}, ${((performance.now() - t0) / 1000).toFixed(1)} s.`;
    }
    cancel.hidden = true;
    const acc = await client.call('digitsAccuracy', { id, count: 500 });
    status.textContent = `Trained for ${done} steps (${(done * 64).toLocaleString('en-US')} digits) in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${(100 * acc.accuracy).toFixed(1)}% correct on 500 upright test digits.`;
    root.dataset.accuracy = String(acc.accuracy);
    controls.hidden = false;
    await predict();
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
