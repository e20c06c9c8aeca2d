// The affine transform of a spatial transformer: sliders → θ (2×3), the sampling grid drawn over
// the input, and the output of affine_grid + grid_sample, with align_corners and padding_mode.
import { el } from './common.js';
import { field, urlState, latest, drawRgba, errorLine, staleParts } from './lesson-kit.js';
import { sliders, initialParams, modeChoice, paddingChoice, thetaTable } from './stn-common.js';

const SCALE = 6; // screen pixels per image pixel
const MARGIN = 14; // image pixels shown around the input, to see dots that fall outside

export async function mount(host, options = {}, { client }) {
  const url = urlState('stn', { host, widget: 'stn-transform', id: options.id });
  const params = initialParams(options, url);
  const state = {
    index: Number(url.get('index', options.index ?? 0)),
    mode: url.get('mode', options.mode ?? 'bilinear'),
    padding_mode: url.get('padding', options.padding_mode ?? 'zeros'),
    align_corners: url.get('ac', options.align_corners ?? false),
  };
  const root = el('figure', { class: 'nn-figure nn-stn', 'aria-label': 'affine transform of a digit' });
  const theta = el('div', { class: 'nn-theta-box', 'aria-live': 'polite' });
  const input = el('canvas', { class: 'nn-digit', role: 'img', 'aria-label': 'input digit with the sampling grid' });
  const output = el('canvas', { class: 'nn-digit', role: 'img', 'aria-label': 'output of grid_sample' });
  const err = el('p', { class: 'nn-error', role: 'alert', hidden: true });
  const controls = el('div', { class: 'nn-controls' },
    ...sliders(['rotation', 'scale', 'tx', 'ty', 'shear'], params, () => update()),
    field('digit #', { type: 'number', min: 0, max: 999, step: 1, value: state.index }, (v) => { if (Number.isInteger(v) && v >= 0) { state.index = v; update(); } }).wrap,
    modeChoice(state.mode, (v) => { state.mode = v; update(); }).wrap,
    paddingChoice(state.padding_mode, (v) => { state.padding_mode = v; update(); }).wrap,
    field('align_corners', { type: 'checkbox', checked: state.align_corners }, (v) => { state.align_corners = v; update(); }).wrap);
  const pictures = el('div', { class: 'nn-pictures' },
    el('div', {}, el('h4', {}, 'input and sampling grid'), input),
    theta,
    el('div', {}, el('h4', {}, 'output'), output));
  const stale = staleParts([pictures]);
  root.append(controls, err, stale.node, pictures);
  host.append(root);

  const compute = latest((args) => client.call('stnTransform', args).then((v) => ({ v }), (e) => ({ e })));

  function drawInput(r) {
    const [h, w] = r.size;
    input.width = (w + 2 * MARGIN) * SCALE;
    input.height = (h + 2 * MARGIN) * SCALE;
    const ctx = input.getContext('2d');
    ctx.fillStyle = '#dde3ea';
    ctx.fillRect(0, 0, input.width, input.height);
    const tmp = document.createElement('canvas');
    drawRgba(tmp, r.input, SCALE);
    ctx.drawImage(tmp, MARGIN * SCALE, MARGIN * SCALE);
    ctx.strokeStyle = '#0b5fb3';
    ctx.strokeRect(MARGIN * SCALE, MARGIN * SCALE, w * SCALE, h * SCALE);
    ctx.fillStyle = '#f08c00';
    for (let i = 0; i < r.grid_px.length; i += 2) {
      const x = (r.grid_px[i] + 0.5 + MARGIN) * SCALE;
      const y = (r.grid_px[i + 1] + 0.5 + MARGIN) * SCALE;
      ctx.fillRect(x - 1, y - 1, 2, 2);
    }
  }

  async function update() {
    url.set({ ...params, index: state.index, mode: state.mode, padding: state.padding_mode, ac: state.align_corners });
    root.dataset.state = 'computing';
    const r = await compute({ index: state.index, params, mode: state.mode, padding_mode: state.padding_mode, align_corners: state.align_corners });
    if (!r) return;
    if (r.e) { errorLine(err, r.e); stale.set('Out of date: the pictures below are from the last settings that worked.'); root.dataset.state = 'error'; return; }
    errorLine(err, null);
    stale.set(null);
    drawInput(r.v);
    drawRgba(output, r.v.out, SCALE);
    theta.replaceChildren(thetaTable(r.v.theta), el('p', { class: 'nn-note' }, `F.affine_grid(θ, (1, 1, 28, 28), align_corners=${state.align_corners ? 'True' : 'False'}) then F.grid_sample(x, grid, mode="${state.mode}", padding_mode="${state.padding_mode}")`));
    root.dataset.theta = JSON.stringify(r.v.theta);
    root.dataset.loss = String(r.v.loss);
    root.dataset.state = 'done';
  }
  await update();
  return { destroy() { root.remove(); } };
}
