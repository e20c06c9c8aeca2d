// Training charts read like TensorBoard's scalars: axes with ticks and step numbers, the value
// of every series under the pointer, a smoothing control (TensorBoard's debiased exponential
// moving average, drawn over the faint raw values), crisp on high-DPI screens. Drawn by uPlot
// (www/vendor/uplot.js, copied from npm by the Makefile); this file only lays out the data it is
// given. Callers coalesce updates per frame.
import uPlot from '../vendor/uplot.js';
import { el } from './common.js';

let uid = 0;

/** Exponential moving average with debiasing (TensorBoard's smoothing); `weight` in [0, 1). */
export function smooth(values, weight = 0.6) {
  const out = [];
  let last = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) { out.push(null); continue; }
    n += 1;
    last = last * weight + (1 - weight) * v;
    out.push(weight > 0 ? last / (1 - weight ** n) : v);
  }
  return out;
}

/** A tick label with as many decimals as the tick spacing `incr` needs. */
function tickText(t, incr, percent) {
  const v = percent ? 100 * t : t;
  const step = percent ? 100 * incr : incr;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step > 0 ? step : 1))));
  return `${v.toFixed(decimals)}${percent ? ' %' : ''}`;
}

const fmtValue = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4));

/** A line chart in `host`. `series`: [{label, color, percent?}]; `x`: {label, integer}; `y`:
 *  {label, min, max, percent}; `smoothing`: the initial weight (0 = off; null = no control).
 *  Returns {node, update(xs, ys), setSmoothing(w), plot}: `ys[k]` are series k's values at `xs`. */
export function lineChart(host, { title, x = { label: 'step' }, y = { label: '' }, series, smoothing = 0.6, height = 210 }) {
  const id = `nn-chart-${++uid}`;
  const body = el('div', { class: 'nn-chart-plot' });
  const head = el('div', { class: 'nn-chart-head' }, el('h4', { id }, title));
  let weight = smoothing ?? 0;
  let slider = null;
  if (smoothing !== null) {
    const sid = `${id}-smooth`;
    slider = el('input', { id: sid, type: 'range', min: 0, max: 0.99, step: 0.01, value: weight, 'data-chart-smoothing': '' });
    const out = el('output', { for: sid }, weight.toFixed(2));
    slider.addEventListener('input', () => { out.textContent = Number(slider.value).toFixed(2); setSmoothing(Number(slider.value)); });
    head.append(el('label', { for: sid, class: 'nn-field nn-chart-smoothing' }, el('span', {}, 'smoothing'), slider, out));
  }
  const node = el('div', { class: 'nn-chart', role: 'figure', 'aria-labelledby': id }, head, body);
  host.append(node);

  // The tick labels drawn, also kept as data-x-ticks / data-y-ticks (the canvas has no text).
  const shown = (key, texts) => { node.dataset[key] = texts.join(' | '); return texts; };
  const yFmt = y.percent ? (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)} %`) : fmtValue;
  const uSeries = [{ label: x.label, value: (_u, v) => (v === null || v === undefined ? '–' : String(v)) }];
  for (const s of series) {
    uSeries.push({ label: smoothing !== null ? `${s.label} (raw)` : s.label, stroke: s.color, width: 1, alpha: smoothing !== null ? 0.3 : 1, value: (_u, v) => yFmt(v), points: { show: smoothing === null } });
    if (smoothing !== null) uSeries.push({ label: s.label, stroke: s.color, width: 2, value: (_u, v) => yFmt(v), points: { show: false } });
  }
  const width = () => Math.max(240, Math.floor(body.clientWidth || host.clientWidth || 460));
  const opts = {
    width: width(),
    height,
    series: uSeries,
    legend: { live: true },
    cursor: { drag: { x: true, y: false }, points: { size: 6 } },
    scales: {
      x: { time: false },
      y: { range: (_u, lo, hi) => [y.min ?? Math.min(lo, hi - 1e-6), y.max ?? (hi > lo ? hi : lo + 1)] },
    },
    axes: [
      { label: x.label, size: 36, labelSize: 18, incrs: x.integer ? [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000] : undefined, values: (_u, ticks) => shown('xTicks', ticks.map((t) => (x.integer ? t.toLocaleString('en-US') : String(t)))) },
      { label: y.label, size: 60, labelSize: 18, values: (_u, ticks, _i, _space, incr) => shown('yTicks', ticks.map((t) => tickText(t, incr, y.percent))) },
    ],
  };
  let xs = [];
  let raw = series.map(() => []);
  const data = () => {
    const d = [xs];
    raw.forEach((ys) => {
      d.push(ys);
      if (smoothing !== null) d.push(smooth(ys, weight));
    });
    return d;
  };
  const plot = new uPlot(opts, data(), body);
  new ResizeObserver(() => {
    const w = width();
    if (w !== plot.width) plot.setSize({ width: w, height });
  }).observe(body);

  function update(newXs, ys) {
    xs = newXs;
    raw = ys.map((v) => v.map((a) => (Number.isFinite(a) ? a : null)));
    plot.setData(data());
    node.dataset.points = String(xs.length);
  }
  function setSmoothing(w) {
    weight = Math.max(0, Math.min(0.99, w));
    if (slider && Number(slider.value) !== weight) slider.value = String(weight);
    node.dataset.smoothing = String(weight);
    plot.setData(data());
  }
  node.dataset.points = '0';
  node.dataset.smoothing = String(weight);
  return { node, update, setSmoothing, plot };
}
