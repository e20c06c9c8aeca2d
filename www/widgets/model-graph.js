// The graph view, like TensorBoard's add_graph: one node per layer (type, output shape,
// parameters) with edges between; activating a node (click, Enter or Space) shows its feature
// maps for a chosen CIFAR-10 test image and, for a Conv2d, its filters. The model is the
// trainer's (www/worker/training.js: its weights, ReLUs and normalisation; freshly initialised
// from its seed until it trains), or `options.layers` (a layer spec) freshly initialised.
// Everything is computed in the worker (www/worker/modelspec.js).
//
// Options: {image: 0, layer: null (a layer to open at start), layers: null, seed: 0, session
// (the training session to show, default the trainer's), refreshLabel}.
// State for people and tests: data-state (loading | ready | error), data-nodes,
// data-selected, data-maps (a feature-map image was drawn for data-selected), data-source
// (trained | fresh).
import { el, showError } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 230;
const NODE_H = 54;
const GAP = 26;

const fmtShape = (s) => `[${s.join(', ')}]`;
const fmtInt = (n) => Number(n).toLocaleString('en-US');

function svg(tag, attrs = {}, ...children) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  n.append(...children);
  return n;
}

/** Draws `tiles` ({rgba, width, height}) into `canvas`, scaled by whole pixels up to `maxW`. */
function drawTiles(canvas, t, maxW = 480, maxScale = 8) {
  const scale = Math.max(1, Math.min(maxScale, Math.floor(maxW / Math.max(1, t.width))));
  const src = document.createElement('canvas');
  src.width = t.width;
  src.height = t.height;
  src.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(t.rgba), t.width, t.height), 0, 0);
  canvas.width = t.width * scale;
  canvas.height = Math.max(t.height * scale, t.height === 1 ? 24 : 0);
  const g = canvas.getContext('2d');
  g.imageSmoothingEnabled = false;
  g.drawImage(src, 0, 0, canvas.width, canvas.height);
}

function describeSource(s, whose, untrainedHint) {
  if (s.kind === 'trained') return `Weights: ${whose} after ${fmtInt(s.step)} steps${s.normalize ? ' (images normalised as in training)' : ''}.`;
  if (s.step === 0) return `Weights: ${whose}, freshly initialised (torch.manual_seed(${s.seed})), not trained yet — ${untrainedHint}.`;
  return `Weights: freshly initialised (torch.manual_seed(${s.seed})).`;
}

let graphs = 0;

export async function mount(host, options = {}, ctx) {
  const client = ctx.client;
  const key = `graph-${++graphs}`; // this view's inspector in the worker
  const session = options.session;
  const root = el('section', { class: 'nn-model-graph', 'aria-label': 'Model graph' });
  host.append(root);
  const set = (k, v) => { root.dataset[k] = String(v); };
  set('state', 'loading');

  const imageInput = el('input', { type: 'number', min: 0, max: 999, step: 1, value: options.image || 0 });
  const refreshBtn = el('button', { type: 'button', 'data-action': 'refresh' }, options.refreshLabel || 'Refresh weights from the trainer');
  const sourceText = el('p', { class: 'nn-graph-source', role: 'status' });
  const graphSvg = svg('svg', { class: 'nn-graph-svg', role: 'group', 'aria-label': 'Layers of the model' });
  const imageCanvas = el('canvas', { width: 96, height: 96, class: 'nn-graph-image', role: 'img', 'aria-label': 'The test image' });
  const imageText = el('p', { class: 'nn-graph-image-text' });
  const detailTitle = el('h4', { class: 'nn-graph-detail-title' }, 'Choose a layer in the graph');
  const mapsCanvas = el('canvas', { width: 1, height: 1, class: 'nn-graph-maps', role: 'img', 'aria-label': 'Feature maps of the chosen layer' });
  const mapsText = el('p', { class: 'nn-graph-maps-text' });
  const filtersCanvas = el('canvas', { width: 1, height: 1, class: 'nn-graph-filters', role: 'img', 'aria-label': 'Filters of the chosen conv layer', hidden: true });
  const filtersText = el('p', { class: 'nn-graph-filters-text', hidden: true });
  const errorHost = el('div', { class: 'nn-graph-errors' });
  root.append(
    el('div', { class: 'nn-graph-toolbar' },
      el('label', { class: 'nn-field' }, 'Test image (0–999) ', imageInput), ' ', refreshBtn),
    sourceText,
    el('div', { class: 'nn-graph-body' },
      el('div', { class: 'nn-graph-nodes' }, graphSvg),
      el('div', { class: 'nn-graph-detail', 'aria-live': 'polite' },
        el('div', { class: 'nn-graph-input' }, imageCanvas, imageText),
        detailTitle, mapsCanvas, mapsText, filtersText, filtersCanvas)),
    errorHost,
  );

  let graph = null;
  let selected = options.layer === undefined || options.layer === null ? null : Number(options.layer);
  const fail = (e) => {
    errorHost.replaceChildren();
    showError(errorHost, e);
  };

  function renderGraph(g) {
    const rows = g.rows;
    const n = rows.length + 1;
    graphSvg.setAttribute('viewBox', `0 0 ${NODE_W + 20} ${n * (NODE_H + GAP)}`);
    graphSvg.setAttribute('width', NODE_W + 20);
    graphSvg.setAttribute('height', n * (NODE_H + GAP));
    const defs = svg('defs', {}, svg('marker', { id: 'nn-graph-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' },
      svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'nn-graph-arrowhead' })));
    const items = [defs];
    const box = (i, cls, lines, attrs = {}) => {
      const y = i * (NODE_H + GAP);
      const grp = svg('g', { class: cls, transform: `translate(10, ${y})`, ...attrs },
        svg('rect', { width: NODE_W, height: NODE_H, rx: 6 }),
        ...lines.map((t, k) => svg('text', { x: 10, y: 18 + k * 16, class: k === 0 ? 'nn-graph-type' : 'nn-graph-meta' }, t)));
      if (i > 0) {
        items.push(svg('line', { x1: 10 + NODE_W / 2, y1: y - GAP, x2: 10 + NODE_W / 2, y2: y - 2, class: 'nn-graph-edge', 'marker-end': 'url(#nn-graph-arrow)' }));
      }
      items.push(grp);
      return grp;
    };
    box(0, 'nn-graph-input-node', ['input', fmtShape(g.input)]);
    rows.forEach((r, i) => {
      const node = box(i + 1, 'nn-graph-node', [`(${i}) ${r.type_name}`, `out ${fmtShape(r.output_shape)}`, `${fmtInt(r.params)} params`],
        { 'data-layer': i, tabindex: 0, role: 'button', 'aria-pressed': 'false' });
      node.addEventListener('click', () => select(i));
      node.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(i); }
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          const next = graphSvg.querySelector(`[data-layer="${i + (e.key === 'ArrowDown' ? 1 : -1)}"]`);
          if (next) next.focus();
        }
      });
    });
    graphSvg.replaceChildren(...items);
    set('nodes', rows.length);
  }

  async function runImage() {
    const r = await client.call('graphRun', { index: Number(imageInput.value) || 0, key });
    drawTiles(imageCanvas, { ...r.image, rgba: r.image.rgba }, 96, 3);
    imageText.textContent = `Test image ${r.index}: ${r.classes[r.label]} — the model says ${r.predicted >= 0 ? r.classes[r.predicted] : '?'}`;
  }

  async function select(i) {
    selected = i;
    set('maps', 'pending');
    for (const node of graphSvg.querySelectorAll('.nn-graph-node')) {
      const on = Number(node.dataset.layer) === i;
      node.classList.toggle('nn-graph-selected', on);
      node.setAttribute('aria-pressed', String(on));
    }
    const row = graph.rows[i];
    detailTitle.textContent = `Layer ${i}: ${row.repr}`;
    try {
      const maps = await client.call('graphFeatureMaps', { layer: i, key });
      if (selected !== i) return;
      drawTiles(mapsCanvas, maps, 480, maps.height === 1 ? 40 : 8);
      const s = maps.shape;
      mapsText.textContent = s.length === 4
        ? `Output ${fmtShape(s)}: ${maps.count} of ${s[1]} feature maps of ${s[2]}×${s[3]}, each scaled to its own range (black = lowest, white = highest).`
        : `Output ${fmtShape(s)}: ${s[s.length - 1]} values as one strip (black = lowest, white = highest).`;
      if (row.type_name === 'Conv2d') {
        const f = await client.call('graphFilters', { layer: i, key });
        if (selected !== i) return;
        drawTiles(filtersCanvas, f, 480, 6);
        filtersCanvas.hidden = false;
        filtersText.hidden = false;
        filtersText.textContent = f.shape[1] === 3
          ? `Filters: weight ${fmtShape(f.shape)}, one ${f.shape[2]}×${f.shape[3]} RGB image per output channel.`
          : `Filters: weight ${fmtShape(f.shape)}, one row per output channel${f.rows < f.shape[0] ? ` (first ${f.rows})` : ''}, one column per input channel${f.cols < f.shape[1] ? ` (first ${f.cols})` : ''}.`;
      } else {
        filtersCanvas.hidden = true;
        filtersText.hidden = true;
      }
      set('selected', i);
      set('maps', 'drawn');
    } catch (e) {
      fail(e);
      set('maps', 'error');
    }
  }

  async function load() {
    set('state', 'loading');
    errorHost.replaceChildren();
    const args = Array.isArray(options.layers) ? { source: 'spec', layers: options.layers, seed: options.seed || 0, key } : { source: 'trainer', session, key };
    const r = await client.call('graphLoad', args);
    graph = r.graph;
    sourceText.textContent = describeSource(r.source, options.whose || 'the trainer\'s model', options.untrainedHint || 'train it below and press “Refresh weights”');
    set('source', r.source.kind);
    renderGraph(graph);
    if (graph.error) fail(new Error(`${graph.error.kind}: ${graph.error.message} (layer ${graph.error.index})`));
    await runImage();
    if (selected !== null && selected < graph.rows.length) await select(selected);
    set('state', 'ready');
  }

  imageInput.addEventListener('change', async () => {
    try {
      await runImage();
      if (selected !== null) await select(selected);
    } catch (e) { fail(e); }
  });
  refreshBtn.addEventListener('click', () => load().catch((e) => { fail(e); set('state', 'error'); }));

  try {
    await load();
  } catch (e) {
    fail(e);
    set('state', 'error');
  }
  return {
    refresh: () => load().catch((e) => { fail(e); set('state', 'error'); }),
    destroy() { client.call('graphFree', { key }).catch(() => {}); root.remove(); },
  };
}
