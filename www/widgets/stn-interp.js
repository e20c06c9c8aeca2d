// Interpolation in grid_sample: click (or move with the arrow keys over) an output pixel to see
// its source coordinate, the four neighbours and their bilinear weights; and ∂L/∂θ computed by
// the core in both modes (exactly zero for nearest).
import { el } from './common.js';
import { field, urlState, latest, drawRgba, fmt, errorLine, staleParts } from './lesson-kit.js';
import { sliders, initialParams, modeChoice } from './stn-common.js';

const SCALE = 8;

export async function mount(host, options = {}, { client }) {
  const url = urlState('interp', { host, widget: 'stn-interp', id: options.id });
  const params = initialParams(options, url);
  const state = {
    index: Number(url.get('index', options.index ?? 0)),
    mode: url.get('mode', options.mode ?? 'bilinear'),
    row: Number(url.get('row', options.row ?? 10)),
    col: Number(url.get('col', options.col ?? 14)),
  };
  const root = el('figure', { class: 'nn-figure nn-interp', 'aria-label': 'interpolation in grid_sample' });
  const input = el('canvas', { class: 'nn-digit', role: 'img', 'aria-label': 'input with the source point and its four neighbours' });
  const output = el('canvas', { class: 'nn-digit nn-pick', tabindex: 0, role: 'img', 'aria-label': 'output: click a pixel, or use the arrow keys' });
  const detail = el('div', { class: 'nn-detail', 'aria-live': 'polite' });
  const grads = el('div', { class: 'nn-grads', 'aria-live': 'polite' });
  const err = el('p', { class: 'nn-error', role: 'alert', hidden: true });
  const stale = staleParts([input, output, detail, grads]);
  root.append(
    el('div', { class: 'nn-controls' },
      ...sliders(['rotation', 'scale', 'tx'], params, () => update()),
      field('digit #', { type: 'number', min: 0, max: 999, step: 1, value: state.index }, (v) => { if (Number.isInteger(v) && v >= 0) { state.index = v; update(); } }).wrap,
      modeChoice(state.mode, (v) => { state.mode = v; update(); }).wrap),
    err, stale.node,
    el('div', { class: 'nn-pictures' },
      el('div', {}, el('h4', {}, 'input'), input),
      el('div', {}, el('h4', {}, 'output (pick a pixel)'), output)),
    detail, grads);
  host.append(root);

  const args = (mode) => ({ index: state.index, params, mode, padding_mode: 'zeros', align_corners: false });
  const compute = latest(async () => {
    try {
      const [shown, bil, near, px] = await Promise.all([
        client.call('stnTransform', args(state.mode)),
        client.call('stnTransform', args('bilinear')),
        client.call('stnTransform', args('nearest')),
        client.call('stnPixel', { ...args(state.mode), row: state.row, col: state.col }),
      ]);
      return { shown, bil, near, px };
    } catch (e) {
      return { e };
    }
  });

  function draw(r) {
    drawRgba(output, r.shown.out, SCALE);
    const o = output.getContext('2d');
    o.strokeStyle = '#f08c00';
    o.lineWidth = 2;
    o.strokeRect(state.col * SCALE, state.row * SCALE, SCALE, SCALE);
    const ctx = drawRgba(input, r.shown.input, SCALE);
    const p = r.px;
    ctx.lineWidth = 2;
    p.corners.forEach(([y, x], k) => {
      if (!p.in_bounds[k]) return;
      ctx.strokeStyle = '#0b5fb3';
      ctx.strokeRect(x * SCALE, y * SCALE, SCALE, SCALE);
    });
    ctx.fillStyle = '#f08c00';
    ctx.beginPath();
    ctx.arc((p.source[0] + 0.5) * SCALE, (p.source[1] + 0.5) * SCALE, 3, 0, 2 * Math.PI);
    ctx.fill();
  }

  function describe(r) {
    const p = r.px;
    const names = ['north-west', 'north-east', 'south-west', 'south-east'];
    const rows = p.corners.map(([y, x], k) => el('tr', {},
      el('td', {}, names[k]), el('td', {}, `(${y}, ${x})`), el('td', {}, fmt(p.weights[k], 3)),
      el('td', {}, p.in_bounds[k] ? fmt(p.values[k], 3) : 'outside: 0')));
    detail.replaceChildren(
      el('p', {}, `Output pixel (row ${state.row}, col ${state.col}) has grid point (${fmt(p.grid[0])}, ${fmt(p.grid[1])}) and reads the input at column ${fmt(p.source[0], 2)}, row ${fmt(p.source[1], 2)}.`),
      el('table', { class: 'nn-weights' },
        el('thead', {}, el('tr', {}, el('th', {}, 'neighbour'), el('th', {}, '(row, col)'), el('th', {}, 'bilinear weight'), el('th', {}, 'value'))),
        el('tbody', {}, rows)),
      el('p', {}, `bilinear: Σ weight × value = ${fmt(p.bilinear_value, 4)}; nearest reads (${p.nearest[0]}, ${p.nearest[1]}) = ${fmt(p.nearest_value, 4)}.`));
    const g = (d) => `[${d.map((v) => fmt(v, 4)).join(', ')}]`;
    grads.replaceChildren(
      el('p', {}, 'L = ½ Σ (output − upright digit)², and ∂L/∂θ (row-major θ) computed by the core:'),
      el('p', { class: 'nn-grad-bilinear' }, `bilinear: L = ${fmt(r.bil.loss, 3)}, ∂L/∂θ = ${g(r.bil.dtheta)}`),
      el('p', { class: 'nn-grad-nearest' }, `nearest: L = ${fmt(r.near.loss, 3)}, ∂L/∂θ = ${g(r.near.dtheta)}`),
      el('p', { class: 'nn-note' }, r.near.dtheta.every((v) => v === 0)
        ? 'Nearest sampling gives exactly zero: moving θ a little changes no pixel, so there is nothing to learn from.'
        : 'Nearest sampling has a non-zero gradient here.'));
    root.dataset.gradBilinear = JSON.stringify(r.bil.dtheta);
    root.dataset.gradNearest = JSON.stringify(r.near.dtheta);
    root.dataset.source = JSON.stringify(p.source);
    root.dataset.weights = JSON.stringify(p.weights);
  }

  async function update() {
    url.set({ ...params, index: state.index, mode: state.mode, row: state.row, col: state.col });
    root.dataset.state = 'computing';
    const r = await compute();
    if (!r) return;
    if (r.e) { errorLine(err, r.e); stale.set('Out of date: the pictures below are from the last settings that worked.'); root.dataset.state = 'error'; return; }
    errorLine(err, null);
    stale.set(null);
    draw(r);
    describe(r);
    root.dataset.state = 'done';
  }

  output.addEventListener('click', (e) => {
    const rect = output.getBoundingClientRect();
    state.col = Math.max(0, Math.min(27, Math.floor(((e.clientX - rect.left) / rect.width) * 28)));
    state.row = Math.max(0, Math.min(27, Math.floor(((e.clientY - rect.top) / rect.height) * 28)));
    update();
  });
  output.addEventListener('keydown', (e) => {
    const d = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[e.key];
    if (!d) return;
    e.preventDefault();
    state.row = Math.max(0, Math.min(27, state.row + d[0]));
    state.col = Math.max(0, Math.min(27, state.col + d[1]));
    update();
  });
  await update();
  return { destroy() { root.remove(); } };
}
