// The layer editor: an nn.Sequential as a list of layers to add, remove, reorder and edit,
// with a live shape trace, parameters and multiply-adds per layer (computed in the worker by
// `traceSpec`, src/nn/spec.rs) and PyTorch's error at the layer where the stack breaks; below
// it, "Train this model" (layer-train.js) trains the edited model on CIFAR-10 images, with
// charts and its graph.
//
// Options: {input: [64, 3, 32, 32], relu: false (start from the ReLU variant), storeKey
// ('nnbook-layer-editor'; the edited spec is kept in localStorage under it, '' = not kept)}.
// State for people and tests: data-state (loading | ok | broken | invalid), data-error-layer,
// data-layers, data-total-params, data-output-shape.
import { el, showError } from './common.js';
import { mountLayerTrain } from './layer-train.js';

const TYPES = ['Conv2d', 'MaxPool2d', 'ReLU', 'BatchNorm2d', 'Dropout', 'Flatten', 'Linear'];

// The arguments each layer type shows: [name, label, kind, attrs]. kind: 'int' | 'float' |
// 'opt-int' (empty = PyTorch's default) | 'bool'.
const ARGS = {
  Conv2d: [['in_channels', 'in channels', 'int', { min: 1 }], ['out_channels', 'out channels', 'int', { min: 1 }],
    ['kernel_size', 'kernel size', 'int', { min: 1 }], ['stride', 'stride', 'int', { min: 1 }],
    ['padding', 'padding', 'int', { min: 0 }], ['bias', 'bias', 'bool']],
  MaxPool2d: [['kernel_size', 'kernel size', 'int', { min: 1 }],
    ['stride', 'stride', 'opt-int', { min: 1, placeholder: 'kernel' }], ['padding', 'padding', 'int', { min: 0 }]],
  ReLU: [],
  BatchNorm2d: [['num_features', 'num features', 'int', { min: 1 }]],
  Dropout: [['p', 'p', 'float', { min: 0, max: 1, step: 0.05 }]],
  Flatten: [['start_dim', 'start dim', 'int', {}], ['end_dim', 'end dim', 'int', {}]],
  Linear: [['in_features', 'in features', 'int', { min: 1 }], ['out_features', 'out features', 'int', { min: 1 }],
    ['bias', 'bias', 'bool']],
};

const fmtShape = (s) => `[${s.join(', ')}]`;
const fmtInt = (n) => Number(n).toLocaleString('en-US');

/** A new layer of `type` that fits after a layer whose output has `shape` (when known). */
function newLayer(type, shape) {
  const ch = shape && shape.length === 4 ? shape[1] : 32;
  const last = shape && shape.length ? shape[shape.length - 1] : 64;
  switch (type) {
    case 'Conv2d': return { type, in_channels: ch, out_channels: 32, kernel_size: 3, stride: 1, padding: 1 };
    case 'MaxPool2d': return { type, kernel_size: 2 };
    case 'BatchNorm2d': return { type, num_features: ch };
    case 'Dropout': return { type, p: 0.5 };
    case 'Flatten': return { type };
    case 'Linear': return { type, in_features: last, out_features: 10 };
    default: return { type };
  }
}

/** The value an argument shows when the spec leaves it to PyTorch's default. */
function shown(layer, name) {
  if (layer[name] !== undefined) return layer[name];
  const defaults = { stride: layer.type === 'Conv2d' ? 1 : undefined, padding: 0, bias: true, p: 0.5, start_dim: 1, end_dim: -1 };
  return defaults[name];
}

export async function mount(host, options = {}, ctx) {
  const client = ctx.client;
  const input = Array.isArray(options.input) ? options.input : [64, 3, 32, 32];
  const storeKey = options.storeKey === undefined ? 'nnbook-layer-editor' : options.storeKey;
  const root = el('section', { class: 'nn-layer-editor', 'aria-label': 'Layer editor' });
  host.append(root);
  const set = (k, v) => { root.dataset[k] = String(v); };
  set('state', 'loading');

  let cifar;
  try {
    cifar = await client.call('cifar10Spec', { relu: !!options.relu });
  } catch (e) {
    showError(root, e);
    set('state', 'error');
    return {};
  }
  let layers = structuredClone(cifar);
  if (storeKey) {
    try {
      const saved = JSON.parse(localStorage.getItem(storeKey) || 'null');
      if (Array.isArray(saved)) layers = saved;
    } catch { /* a corrupt entry: start from the CIFAR-10 model */ }
  }
  let lastTrace = null;

  // Controls.
  const typeSelect = el('select', { 'aria-label': 'Layer type to add' }, TYPES.map((t) => el('option', { value: t }, t)));
  typeSelect.value = 'ReLU';
  const whereSelect = el('select', { 'aria-label': 'Insert the new layer after' });
  const addBtn = el('button', { type: 'button', 'data-action': 'add' }, 'Add layer');
  const resetBtn = el('button', { type: 'button', 'data-action': 'reset' }, 'Reset to the CIFAR-10 model');
  const traceLine = el('p', { class: 'nn-trace-line', 'aria-live': 'polite' });
  const list = el('ol', { class: 'nn-layer-list', start: 0 });
  const totals = el('p', { class: 'nn-layer-totals', role: 'status' });
  const errorBox = el('p', { class: 'nn-error nn-layer-spec-error', role: 'alert', hidden: true });
  const modelText = el('pre', { class: 'nn-model-text', 'aria-label': 'print(model)' });
  root.append(
    el('div', { class: 'nn-layer-toolbar' },
      el('label', { class: 'nn-field' }, 'Add a ', typeSelect), ' ',
      el('label', { class: 'nn-field' }, 'after ', whereSelect), ' ', addBtn, ' ', resetBtn),
    el('p', { class: 'nn-layer-input' }, `Input: ${fmtShape(input)} (a batch of ${input[0]} images)`),
    traceLine, list, totals, errorBox,
    el('details', { class: 'nn-model-print' }, el('summary', {}, 'print(model)'), modelText),
  );

  const training = mountLayerTrain(root, ctx, () => layers);

  const save = () => {
    if (!storeKey) return;
    try { localStorage.setItem(storeKey, JSON.stringify(layers)); } catch { /* storage full or blocked */ }
  };

  function argInput(layer, [name, label, kind, attrs = {}], i) {
    let inputEl;
    if (kind === 'bool') {
      inputEl = el('input', { type: 'checkbox', checked: shown(layer, name) !== false, 'data-arg': name });
      inputEl.addEventListener('change', () => { layer[name] = inputEl.checked; changed(); });
    } else {
      const v = shown(layer, name);
      inputEl = el('input', { type: 'number', step: kind === 'float' ? attrs.step : 1, ...attrs, value: v === undefined ? '' : v, 'data-arg': name });
      inputEl.addEventListener('input', () => {
        const raw = inputEl.value.trim();
        if (raw === '' && kind === 'opt-int') delete layer[name];
        else if (raw === '') layer[name] = null;
        else layer[name] = kind === 'float' ? Number(raw) : Number.parseInt(raw, 10);
        changed();
      });
    }
    return el('label', { class: 'nn-arg', title: `layer ${i}: ${name}` }, label, ' ', inputEl);
  }

  function renderList() {
    list.replaceChildren(...layers.map((layer, i) => {
      const btn = (text, action, label, disabled) => el('button', { type: 'button', 'data-action': action, 'aria-label': label, disabled }, text);
      const up = btn('↑', 'up', `Move layer ${i} (${layer.type}) up`, i === 0);
      const down = btn('↓', 'down', `Move layer ${i} (${layer.type}) down`, i === layers.length - 1);
      const del = btn('✕', 'remove', `Remove layer ${i} (${layer.type})`, false);
      up.addEventListener('click', () => move(i, -1));
      down.addEventListener('click', () => move(i, 1));
      del.addEventListener('click', () => remove(i));
      return el('li', { class: 'nn-layer', 'data-index': i, 'data-type': layer.type },
        el('span', { class: 'nn-layer-name' }, `(${i}) ${layer.type}`),
        el('span', { class: 'nn-layer-args' }, (ARGS[layer.type] || []).map((a) => argInput(layer, a, i))),
        el('span', { class: 'nn-layer-shape' }), el('span', { class: 'nn-layer-params' }), el('span', { class: 'nn-layer-macs' }),
        el('span', { class: 'nn-layer-buttons' }, up, down, del),
        el('p', { class: 'nn-layer-error', role: 'alert', hidden: true }));
    }));
    const where = Math.min(Number(whereSelect.value === '' ? layers.length - 1 : whereSelect.value), layers.length - 1);
    whereSelect.replaceChildren(el('option', { value: -1 }, '(the input)'),
      ...layers.map((l, i) => el('option', { value: i }, `layer ${i} (${l.type})`)));
    whereSelect.value = String(Number.isFinite(where) ? where : layers.length - 1);
  }

  function focusAction(i, action) {
    const b = list.querySelector(`li[data-index="${i}"] button[data-action="${action}"]`);
    if (b && !b.disabled) b.focus();
    else if (list.querySelector(`li[data-index="${i}"] button`)) list.querySelector(`li[data-index="${i}"] button:not([disabled])`).focus();
  }

  function move(i, d) {
    const j = i + d;
    if (j < 0 || j >= layers.length) return;
    [layers[i], layers[j]] = [layers[j], layers[i]];
    structural();
    focusAction(j, d < 0 ? 'up' : 'down');
  }

  function remove(i) {
    layers.splice(i, 1);
    structural();
    if (layers.length) focusAction(Math.min(i, layers.length - 1), 'remove');
    else addBtn.focus();
  }

  addBtn.addEventListener('click', () => {
    const after = Number(whereSelect.value);
    const at = Number.isFinite(after) ? after + 1 : layers.length;
    const before = at === 0 ? input : lastTrace && lastTrace.rows[at - 1] ? lastTrace.rows[at - 1].output_shape : null;
    layers.splice(at, 0, newLayer(typeSelect.value, before));
    whereSelect.value = String(at);
    structural();
    whereSelect.value = String(at);
  });
  resetBtn.addEventListener('click', () => {
    layers = structuredClone(cifar);
    whereSelect.value = '';
    structural();
  });

  let seq = 0;
  async function update() {
    const mine = ++seq;
    let t;
    try {
      t = await client.call('traceSpec', { layers, input });
    } catch (e) {
      if (mine !== seq) return;
      showSpecError(e);
      return;
    }
    if (mine !== seq) return;
    lastTrace = t;
    render(t);
  }

  function showSpecError(e) {
    lastTrace = null;
    const m = /layer (\d+)/.exec(e.message || '');
    const bad = m ? Number(m[1]) : -1;
    errorBox.hidden = false;
    errorBox.textContent = `${e.kind || 'Error'}: ${e.message}`;
    for (const li of list.children) {
      const i = Number(li.dataset.index);
      li.classList.toggle('nn-layer-broken', i === bad);
      li.classList.toggle('nn-layer-greyed', bad >= 0 && i > bad);
      li.querySelector('.nn-layer-error').hidden = true;
    }
    traceLine.textContent = 'The layer list is not a valid model (see the message below).';
    training.changed(false, 'the layer list is not a valid model (see the message above).');
    set('state', 'invalid');
    set('errorLayer', bad);
  }

  function render(t) {
    errorBox.hidden = true;
    const errAt = t.error ? t.error.index : -1;
    for (const li of list.children) {
      const i = Number(li.dataset.index);
      const row = t.rows[i];
      const errP = li.querySelector('.nn-layer-error');
      li.classList.toggle('nn-layer-broken', i === errAt);
      li.classList.toggle('nn-layer-greyed', errAt >= 0 && i > errAt);
      li.querySelector('.nn-layer-shape').textContent = row ? `→ ${fmtShape(row.output_shape)}` : '';
      li.querySelector('.nn-layer-params').textContent = row ? `${fmtInt(row.params)} params` : '';
      li.querySelector('.nn-layer-macs').textContent = row ? `${fmtInt(row.mult_adds)} mult-adds` : '';
      li.title = t.reprs[i] || '';
      if (i === errAt) {
        errP.hidden = false;
        errP.textContent = `${t.error.kind}: ${t.error.message}`;
      } else {
        errP.hidden = true;
        errP.textContent = '';
      }
    }
    const shapes = [t.input, ...t.rows.map((r) => r.output_shape)].map(fmtShape);
    traceLine.textContent = shapes.join(' → ') + (t.error ? ' → ✗' : '');
    totals.textContent = `Total: ${fmtInt(t.total_params)} parameters, ${fmtInt(t.total_mult_adds)} multiply-adds per batch of ${t.input[0]}`
      + (t.error ? ` (up to layer ${t.error.index - 1}; layer ${t.error.index} fails)` : '')
      + ' — a multiply-add is one weight use: Conv2d N·Cout·Hout·Wout·Cin·k·k, Linear N·in·out.';
    modelText.textContent = t.model_text || '(the model cannot be built: see the error above)';
    const out = t.rows.length ? t.rows[t.rows.length - 1].output_shape : t.input;
    set('state', t.error ? 'broken' : 'ok');
    set('errorLayer', errAt);
    set('layers', layers.length);
    set('totalParams', t.total_params);
    set('outputShape', fmtShape(out));
    const classifies = out.length === 2 && out[1] === 10;
    training.changed(!t.error && classifies, t.error
      ? `layer ${t.error.index} fails (see its message above).`
      : `the output is ${fmtShape(out)}, but training on CIFAR-10 needs [N, 10], one score per class: end with nn.Linear(…, 10).`);
  }

  function changed() {
    save();
    update();
  }

  function structural() {
    renderList();
    changed();
  }

  renderList();
  await update();
  return { destroy() { root.remove(); } };
}
