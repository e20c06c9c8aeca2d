// Plain <canvas> line charts for the trainer: loss per step (+ smoothed) and accuracy per
// epoch. Drawing is cheap (one path per series); callers coalesce redraws per frame.

const COLORS = ['#9bb7e0', '#1f5fbf', '#c0392b', '#27ae60'];

/** Draws `series` ([{values, color?, label, width?}]) on `canvas`, y from `yMin` to `yMax`
 *  (auto when undefined), x over the longest series. */
export function drawLines(canvas, series, { yMin, yMax, xLabel = '', yLabel = '' } = {}) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width;
  const h = canvas.height;
  const pad = { l: 40, r: 8, t: 8, b: 22 };
  ctx.clearRect(0, 0, w, h);
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const n = Math.max(2, ...series.map((s) => s.values.length));
  let lo = yMin ?? (all.length ? Math.min(...all) : 0);
  let hi = yMax ?? (all.length ? Math.max(...all) : 1);
  if (hi - lo < 1e-6) { hi += 0.5; lo -= 0.5; }
  const x = (i) => pad.l + (i / (n - 1)) * (w - pad.l - pad.r);
  const y = (v) => pad.t + (1 - (v - lo) / (hi - lo)) * (h - pad.t - pad.b);
  ctx.strokeStyle = '#ccc';
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(pad.l, pad.t);
  ctx.lineTo(pad.l, h - pad.b);
  ctx.lineTo(w - pad.r, h - pad.b);
  ctx.stroke();
  ctx.fillText(hi.toFixed(2), 2, pad.t + 8);
  ctx.fillText(lo.toFixed(2), 2, h - pad.b);
  ctx.fillText(xLabel, w / 2 - 20, h - 6);
  ctx.fillText(yLabel, pad.l + 4, pad.t + 10);
  series.forEach((s, k) => {
    const v = s.values;
    if (!v.length) return;
    ctx.strokeStyle = s.color || COLORS[k % COLORS.length];
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = s.width || 1.5;
    ctx.beginPath();
    v.forEach((val, i) => (i ? ctx.lineTo(x(i), y(val)) : ctx.moveTo(x(i), y(val))));
    ctx.stroke();
    if (v.length < 30) v.forEach((val, i) => ctx.fillRect(x(i) - 2, y(val) - 2, 4, 4));
    if (s.label) ctx.fillText(s.label, w - pad.r - 90, pad.t + 12 + 12 * k);
  });
}

/** Exponential moving average with debiasing (as TensorBoard's smoothing). */
export function smooth(values, weight = 0.9) {
  const out = [];
  let last = 0;
  values.forEach((v, i) => {
    last = last * weight + (1 - weight) * v;
    out.push(last / (1 - weight ** (i + 1)));
  });
  return out;
}
