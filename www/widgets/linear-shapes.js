// nn.Linear's shapes: controls for N, in, out, bias → x [N, in] · Wᵀ + b → y [N, out], the
// parameter count and the layer's real default-initialised weights as a heat-map.
import { el } from './common.js';
import { field, urlState, latest, drawHeatmap, fmtShape, fmtInt, errorLine, staleParts } from './lesson-kit.js';

export async function mount(host, options = {}, { client }) {
  const url = urlState('linear', { host, widget: 'linear-shapes', id: options.id });
  const state = {
    n: url.get('n', options.n ?? 2),
    in: url.get('in', options.in ?? 6),
    out: url.get('out', options.out ?? 4),
    bias: url.get('bias', options.bias ?? true),
    seed: options.seed ?? 0,
  };
  const root = el('figure', { class: 'nn-figure nn-linear', 'aria-label': 'Linear layer shapes' });
  const formula = el('p', { class: 'nn-formula', 'aria-live': 'polite' });
  const repr = el('code', { class: 'nn-repr' });
  const params = el('p', { class: 'nn-params' });
  const heat = el('canvas', { class: 'nn-heatmap', role: 'img', 'aria-label': 'weights heat-map' });
  const heatNote = el('p', { class: 'nn-note' });
  const err = el('p', { class: 'nn-error', role: 'alert', hidden: true });
  const num = (key, label, max) => field(label, { type: 'number', min: key === 'n' ? 1 : 1, max, step: 1, value: state[key] }, (v) => {
    if (!Number.isInteger(v) || v < 1) return;
    state[key] = v;
    update();
  });
  const controls = el('div', { class: 'nn-controls' },
    num('n', 'batch N', 1e9).wrap, num('in', 'in_features', 1e9).wrap, num('out', 'out_features', 1e9).wrap,
    field('bias', { type: 'checkbox', checked: state.bias }, (v) => { state.bias = v; update(); }).wrap);
  const reprLine = el('p', {}, repr);
  const heatBox = el('div', { class: 'nn-scroll' }, heat);
  const stale = staleParts([formula, reprLine, params, heatBox, heatNote]);
  root.append(controls, err, stale.node, formula, reprLine, params, heatBox, heatNote);
  host.append(root);

  const compute = latest((s) => client.call('linearLayer', { n: s.n, in_features: s.in, out_features: s.out, bias: s.bias, seed: s.seed }).then((v) => ({ v }), (e) => ({ e })));

  async function update() {
    url.set({ n: state.n, in: state.in, out: state.out, bias: state.bias });
    root.dataset.state = 'computing';
    const r = await compute({ ...state });
    if (!r) return;
    if (r.e) {
      errorLine(err, r.e);
      stale.set(repr.textContent ? `Out of date: below is the last layer that could be built, ${repr.textContent}.` : 'Nothing to show until the layer can be built.');
      root.dataset.state = 'error';
      return;
    }
    errorLine(err, null);
    stale.set(null);
    const v = r.v;
    const b = state.bias ? ` + b ${fmtShape([v.y_shape[1]])}` : '';
    formula.textContent = `x ${fmtShape(v.x_shape)} · Wᵀ ${fmtShape([v.weight_shape[1], v.weight_shape[0]])}${b} → y ${fmtShape(v.y_shape)}`;
    repr.textContent = v.repr;
    const [o, i] = v.weight_shape;
    params.textContent = state.bias
      ? `parameters: ${fmtInt(i)} × ${fmtInt(o)} + ${fmtInt(o)} = ${fmtInt(v.params)}`
      : `parameters: ${fmtInt(i)} × ${fmtInt(o)} = ${fmtInt(v.params)}`;
    if (v.weight) {
      const cell = Math.max(4, Math.min(28, Math.floor(480 / Math.max(i, o))));
      drawHeatmap(heat, v.weight, o, i, v.weight_bound, cell);
      heat.hidden = false;
      heat.setAttribute('aria-label', `weight W ${fmtShape(v.weight_shape)}, values between −${v.weight_bound.toFixed(3)} and ${v.weight_bound.toFixed(3)}`);
      heatNote.textContent = `W ${fmtShape(v.weight_shape)}: one row per output, one column per input. Starting weights are uniform in ±1/√${i} = ±${v.weight_bound.toFixed(3)}; first weight ${v.weight[0].toFixed(4)}.`;
      root.dataset.w0 = String(v.weight[0]);
    } else {
      heat.hidden = true;
      heatNote.textContent = `W ${fmtShape(v.weight_shape)} has ${fmtInt(i * o)} weights: too many to draw (up to 4,096).`;
      delete root.dataset.w0;
    }
    root.dataset.params = String(v.params);
    root.dataset.yShape = v.y_shape.join(',');
    root.dataset.state = 'done';
  }
  await update();
  return { destroy() { root.remove(); } };
}
