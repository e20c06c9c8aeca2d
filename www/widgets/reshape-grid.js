// reshape / view / flatten / nn.Flatten on a tensor drawn as cells coloured by their row-major
// flat index. Shapes, the inferred -1, every element's multi-index and PyTorch's errors come from
// the worker (shapeView); this file only lays the cells out.
import { el } from './common.js';
import { field, choice, urlState, latest, fmtShape, fmtInt, errorLine, staleParts } from './lesson-kit.js';

const parseShape = (text) => {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!parts.every((p) => /^-?\d+$/.test(p))) return null;
  return parts.map(Number);
};

/** Cells of `shape` laid out: last dim across, second-last down, leading dims as blocks. */
function drawTensor(shape, numel, label) {
  const cols = shape.length ? shape[shape.length - 1] : 1;
  const rows = shape.length > 1 ? shape[shape.length - 2] : 1;
  const blocks = Math.max(1, numel / Math.max(1, rows * cols));
  const grid = el('div', { class: 'nn-tensor', tabindex: 0, role: 'group', 'aria-label': `${label} ${fmtShape(shape)}: use the arrow keys to move between elements` });
  const cells = [];
  for (let b = 0; b < blocks; b++) {
    const block = el('div', { class: 'nn-block' });
    block.style.gridTemplateColumns = `repeat(${cols}, var(--cell))`;
    for (let k = 0; k < rows * cols; k++) {
      const flat = b * rows * cols + k;
      const cell = el('span', { class: 'nn-cell', dataset: { flat } }, numel <= 256 ? String(flat) : '');
      cell.style.background = `hsl(${Math.round((300 * flat) / Math.max(1, numel - 1))}, 70%, 78%)`;
      cells.push(cell);
      block.append(cell);
    }
    grid.append(block);
  }
  return { grid, cells };
}

export async function mount(host, options = {}, { client }) {
  const url = urlState('reshape', { host, widget: 'reshape-grid', id: options.id });
  const state = {
    in_shape: url.get('in', options.in_shape ?? [2, 3, 4]),
    op: url.get('op', options.op ?? 'reshape'),
    target: url.get('target', options.target ?? [4, -1]),
    start_dim: url.get('start', options.start_dim ?? (options.op === 'flatten' ? 0 : 1)),
    end_dim: url.get('end', options.end_dim ?? -1),
  };
  const root = el('figure', { class: 'nn-figure nn-reshape', 'aria-label': 'reshape and flatten' });
  const parseErr = el('p', { class: 'nn-error', role: 'alert', hidden: true });
  const inShape = field('input shape', { type: 'text', value: state.in_shape.join(', '), inputmode: 'numeric', size: 14 }, (v) => {
    const s = parseShape(v);
    errorLine(parseErr, s ? null : new Error('Type the sizes as whole numbers separated by commas, e.g. 2, 3, 4'));
    if (s) { state.in_shape = s; update(); }
  });
  const target = field('target shape', { type: 'text', value: state.target.join(', '), inputmode: 'numeric', size: 14 }, (v) => {
    const s = parseShape(v);
    errorLine(parseErr, s ? null : new Error('Type the sizes as whole numbers separated by commas, e.g. 4, -1'));
    if (s) { state.target = s; update(); }
  });
  const start = field('start_dim', { type: 'number', step: 1, value: state.start_dim }, (v) => { if (Number.isInteger(v)) { state.start_dim = v; update(); } });
  const end = field('end_dim', { type: 'number', step: 1, value: state.end_dim }, (v) => { if (Number.isInteger(v)) { state.end_dim = v; update(); } });
  const op = choice('operation', [['reshape', 'x.reshape(shape)'], ['view', 'x.view(shape)'], ['flatten', 'torch.flatten(x, start_dim, end_dim)'], ['nn.Flatten', 'nn.Flatten(start_dim, end_dim)(x)']], state.op, (v) => { state.op = v; update(); });
  const call = el('code', { class: 'nn-call' });
  const invariant = el('p', { class: 'nn-invariant', 'aria-live': 'polite' });
  const err = el('p', { class: 'nn-error', role: 'alert', hidden: true });
  const info = el('p', { class: 'nn-hover', 'aria-live': 'polite' }, 'Hover over a cell or focus a tensor and use the arrow keys.');
  const pictures = el('div', { class: 'nn-pictures' });
  // On an error the last valid picture stays, greyed and labelled as out of date.
  const stale = staleParts([invariant, info, pictures]);
  root.append(el('div', { class: 'nn-controls' }, inShape.wrap, op.wrap, target.wrap, start.wrap, end.wrap), parseErr,
    el('p', {}, call), err, stale.node, invariant, info, pictures);
  host.append(root);

  const compute = latest((args) => client.call('shapeView', args).then((v) => ({ v }), (e) => ({ e })));
  let view = null;
  let drawn = [];
  let active = -1;

  function show(flat) {
    if (!view || !view.in_index) return;
    active = Math.max(0, Math.min(view.numel - 1, flat));
    for (const d of drawn) d.cells.forEach((c, i) => c.classList.toggle('nn-active', i === active));
    const idx = (table, nd) => `[${Array.from(table.slice(active * nd, active * nd + nd)).join(', ')}]`;
    const a = idx(view.in_index, view.in_shape.length);
    const b = idx(view.out_index, view.out_shape.length);
    info.textContent = `element ${active}: x${a} is y${b} (flat index ${active} in both)`;
    root.dataset.hover = `${a}→${b}`;
  }

  function keys(e) {
    const delta = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -Infinity, End: Infinity }[e.key];
    if (delta === undefined || !view) return;
    e.preventDefault();
    show(active < 0 ? 0 : active + (Number.isFinite(delta) ? delta : delta > 0 ? view.numel : -view.numel));
  }

  async function update() {
    const isFlatten = state.op === 'flatten' || state.op === 'nn.Flatten';
    target.wrap.hidden = isFlatten;
    start.wrap.hidden = !isFlatten;
    end.wrap.hidden = !isFlatten;
    const shapeText = isFlatten ? `${state.start_dim}, ${state.end_dim}` : state.target.join(', ');
    call.textContent = {
      reshape: `x.reshape(${shapeText})`,
      view: `x.view(${shapeText})`,
      flatten: `torch.flatten(x, ${shapeText})`,
      'nn.Flatten': `nn.Flatten(${shapeText})(x)`,
    }[state.op];
    url.set({ in: state.in_shape, op: state.op, target: state.target, start: state.start_dim, end: state.end_dim });
    root.dataset.state = 'computing';
    const r = await compute({ in_shape: state.in_shape, op: state.op, target: state.target, start_dim: state.start_dim, end_dim: state.end_dim });
    if (!r) return;
    if (r.e) {
      errorLine(err, r.e);
      stale.set(view
        ? `Out of date: below is the last call that worked, x ${fmtShape(view.in_shape)} → y ${fmtShape(view.out_shape)}.`
        : 'Nothing to draw until the shapes fit.');
      root.dataset.state = 'error';
      root.dataset.error = `${r.e.kind}: ${r.e.detail}`;
      if (r.e.explain) root.dataset.explain = r.e.explain;
      else delete root.dataset.explain;
      return;
    }
    errorLine(err, null);
    stale.set(null);
    delete root.dataset.error;
    delete root.dataset.explain;
    view = r.v;
    const prod = (s) => (s.length ? s.map(fmtInt).join(' × ') : '1');
    const inferred = view.inferred === null || view.inferred === undefined ? '' : ` (the -1 at position ${view.inferred} became ${fmtInt(view.out_shape[view.inferred])})`;
    invariant.textContent = `x ${fmtShape(view.in_shape)} → y ${fmtShape(view.out_shape)}${inferred}. Elements: ${prod(view.in_shape)} = ${fmtInt(view.numel)} = ${prod(view.out_shape)}.`;
    pictures.replaceChildren();
    drawn = [];
    if (view.in_index && view.out_index) {
      for (const [shape, label] of [[view.in_shape, 'x'], [view.out_shape, 'y']]) {
        const d = drawTensor(shape, view.numel, label);
        d.grid.addEventListener('keydown', keys);
        d.grid.addEventListener('focus', () => show(active < 0 ? 0 : active));
        d.grid.addEventListener('mouseover', (e) => { const f = e.target.dataset && e.target.dataset.flat; if (f !== undefined) show(Number(f)); });
        pictures.append(el('div', { class: 'nn-tensor-wrap' }, el('h4', {}, `${label} ${fmtShape(shape)}`), d.grid));
        drawn.push(d);
      }
      if (active >= view.numel) active = -1;
      if (active >= 0) show(active);
    } else {
      pictures.append(el('p', { class: 'nn-note' }, `${fmtInt(view.numel)} elements: too many cells to draw (up to 1,024), but the shapes above are exact.`));
    }
    root.dataset.outShape = view.out_shape.join(',');
    root.dataset.state = 'done';
  }
  await update();
  return { destroy() { root.remove(); } };
}
