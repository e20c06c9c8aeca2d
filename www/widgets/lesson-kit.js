// Shared pieces of the lesson figures: labelled controls, URL state, latest-call-wins
// requests, and drawing of images and heat-maps computed by the worker. No math on data here:
// every number shown comes from the worker.
import { el } from './common.js';

let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

/** A labelled `<input>`; `onChange(value)` on every input event. */
export function field(label, attrs, onChange) {
  const id = nextId('f');
  const input = el('input', { id, ...attrs });
  const read = () => (attrs.type === 'checkbox' ? input.checked : attrs.type === 'range' || attrs.type === 'number' ? Number(input.value) : input.value);
  input.addEventListener(attrs.type === 'checkbox' ? 'change' : 'input', () => onChange(read()));
  const out = attrs.type === 'range' ? el('output', { for: id, class: 'nn-range-value' }, String(attrs.value)) : null;
  if (out) input.addEventListener('input', () => { out.textContent = input.value; });
  const wrap = el('label', { for: id, class: `nn-field nn-field-${attrs.type || 'text'}` }, el('span', {}, label), input, out);
  return { wrap, input, read };
}

/** A labelled `<select>` of `[value, text]` pairs. */
export function choice(label, options, value, onChange) {
  const id = nextId('s');
  const select = el('select', { id }, options.map(([v, t]) => el('option', { value: v, selected: v === value }, t)));
  select.addEventListener('change', () => onChange(select.value));
  return { wrap: el('label', { for: id, class: 'nn-field' }, el('span', {}, label), select), input: select };
}

let urlStateEnabled = true;

/** Embedded widgets (www/nnbook-widgets.js) must not read or rewrite their host page's URL. */
export function disableUrlState() {
  urlStateEnabled = false;
}

/** The URL-state prefix of one figure: `prefix-<id>` with an explicit `id` option; else
 *  `prefix` for the first figure of its kind on the page and `prefix2`, `prefix3`, … for the
 *  next ones in document order (lesson pages mark each figure's host with
 *  `data-widget="<name>"` before any of them mounts, so the order does not depend on which
 *  figure finishes loading first). Two figures of one kind never share keys. */
export function instancePrefix(prefix, { host, widget, id } = {}) {
  if (id !== undefined && id !== null && id !== '') return `${prefix}-${id}`;
  if (!host || !widget || !host.isConnected) return prefix;
  const peers = [...host.getRootNode().querySelectorAll(`[data-widget="${widget}"]`)];
  const ordinal = peers.indexOf(host);
  return ordinal > 0 ? `${prefix}${ordinal + 1}` : prefix;
}

/** Reads `key` from the URL (`?<prefix>.<key>=`), else `fallback`. `instance` ({host,
 *  widget, id}) keys the state by figure (see `instancePrefix`). */
export function urlState(prefix, instance) {
  const key = instancePrefix(prefix, instance);
  const params = () => new URLSearchParams(location.search);
  return {
    prefix: key,
    get(k, fallback) {
      if (!urlStateEnabled) return fallback;
      const v = params().get(`${key}.${k}`);
      if (v === null) return fallback;
      try { return JSON.parse(v); } catch { return v; }
    },
    /** Writes the state to the URL so it can be shared (replaceState: no history spam). */
    set(state) {
      if (!urlStateEnabled) return;
      const p = params();
      for (const [k, v] of Object.entries(state)) p.set(`${key}.${k}`, JSON.stringify(v));
      history.replaceState(null, '', `${location.pathname}?${p}${location.hash}`);
    },
  };
}

/** Wraps `fn` so that only the latest call's result is delivered (older ones are dropped). */
export function latest(fn) {
  let ticket = 0;
  return async (...args) => {
    const mine = ++ticket;
    const value = await fn(...args);
    return mine === ticket ? value : undefined;
  };
}

/** Draws an RGBA strip `{rgba, width, height}` into `canvas`, `scale`× (pixelated). */
export function drawRgba(canvas, img, scale = 4) {
  canvas.width = img.width * scale;
  canvas.height = img.height * scale;
  const ctx = canvas.getContext('2d');
  const tmp = new OffscreenCanvas(img.width, img.height);
  tmp.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(img.rgba), img.width, img.height), 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
  return ctx;
}

/** A diverging colour for `v` in `[-bound, bound]`: blue (negative), white, red (positive). */
export function diverging(v, bound) {
  const t = Math.max(-1, Math.min(1, bound > 0 ? v / bound : 0));
  const a = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? `rgb(255,${a},${a})` : `rgb(${a},${a},255)`;
}

/** Draws `rows × cols` values as a heat-map of `cell`-pixel squares. */
export function drawHeatmap(canvas, values, rows, cols, bound, cell) {
  canvas.width = cols * cell;
  canvas.height = rows * cell;
  const ctx = canvas.getContext('2d');
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      ctx.fillStyle = diverging(values[r * cols + c], bound);
      ctx.fillRect(c * cell, r * cell, cell, cell);
    }
  }
}

/** `[a, b, c]` → "[a, b, c]". */
export const fmtShape = (s) => `[${s.join(', ')}]`;

/** 1966090 → "1,966,090". */
export const fmtInt = (n) => Number(n).toLocaleString('en-US');

/** A fixed-decimals number for display. */
export const fmt = (v, d = 3) => (Object.is(v, -0) ? 0 : v).toFixed(d);

/** An error line inside a figure: the figure's own words for it (`error.explain`, from the
 *  worker) above PyTorch's text; hidden when `error` is null. */
export function errorLine(node, error) {
  node.hidden = !error;
  if (!error) {
    node.replaceChildren();
    return;
  }
  const text = error.kind ? `${error.kind}: ${error.detail}` : String(error.message || error);
  node.replaceChildren(
    ...(error.explain ? [el('span', { class: 'nn-explain' }, error.explain)] : []),
    el('code', { class: 'nn-pytorch' }, text));
}

/** The parts of a figure that go out of date when its input becomes invalid: `set(note)`
 *  greys them and says `note` above them (`data-stale` on each), `set(null)` makes them
 *  current again. `node` is the note's element, to place above the parts. */
export function staleParts(parts) {
  const node = el('p', { class: 'nn-stale-note', hidden: true });
  return {
    node,
    set(note) {
      node.hidden = !note;
      node.textContent = note || '';
      for (const p of parts) {
        p.classList.toggle('nn-stale', !!note);
        if (note) p.dataset.stale = '1';
        else delete p.dataset.stale;
      }
    },
  };
}
