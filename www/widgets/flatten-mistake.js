// The classic mistake on a real CIFAR-10 batch: torch.flatten(imgs) + Linear(196608, 10) gives
// one prediction for the whole batch; torch.flatten(imgs, 1) + Linear(3072, 10) gives one per
// image; and PyTorch's error when in_features does not match.
import { el } from './common.js';
import { field, choice, urlState, latest, drawRgba, fmtShape, fmtInt, errorLine, staleParts } from './lesson-kit.js';

function column(title, code) {
  const out = el('dl', { class: 'nn-steps' });
  return { node: el('section', { class: 'nn-case' }, el('h4', {}, title), el('pre', {}, el('code', {}, code)), out), out };
}

function fill(dl, r) {
  dl.replaceChildren(
    el('dt', {}, 'imgs'), el('dd', {}, fmtShape(r.x_shape)),
    el('dt', {}, 'flattened'), el('dd', {}, fmtShape(r.flat_shape)),
    el('dt', {}, 'layer'), el('dd', {}, `${r.repr}: ${fmtInt(r.params)} parameters`),
    el('dt', {}, 'output'), el('dd', {}, `${fmtShape(r.y_shape)}: ${r.predictions.length === 1 ? 'one prediction for the whole batch' : `${r.predictions.length} predictions, one per image`}`),
  );
}

export async function mount(host, options = {}, { client }) {
  const count = options.count ?? 64;
  const file = options.file ?? 'cifar10-test';
  const url = urlState('mistake', { host, widget: 'flatten-mistake', id: options.id });
  const root = el('figure', { class: 'nn-figure nn-mistake', 'aria-label': 'flatten and Linear on a CIFAR-10 batch' });
  const strip = el('canvas', { class: 'nn-strip', role: 'img', 'aria-label': 'the first images of the batch' });
  const caption = el('p', { class: 'nn-note' });
  const wrong = column('Wrong: flatten everything', 'flat = torch.flatten(imgs)\nfc = nn.Linear(196608, 10)\ny = fc(flat)');
  const right = column('Right: keep the batch', 'flat = torch.flatten(imgs, 1)\nfc = nn.Linear(3072, 10)\ny = fc(flat)');
  // The "try it" row: the learner picks the flatten and in_features.
  const tryState = { start: url.get('start', 1), inf: url.get('in', 196608) };
  const tryOut = el('p', { class: 'nn-result', 'aria-live': 'polite' });
  const tryErr = el('p', { class: 'nn-error', role: 'alert', hidden: true });
  const tryStale = staleParts([tryOut]);
  const tryIt = el('section', { class: 'nn-try' }, el('h4', {}, 'Try it'),
    el('div', { class: 'nn-controls' },
      choice('flatten', [['0', 'torch.flatten(imgs)'], ['1', 'torch.flatten(imgs, 1)']], String(tryState.start), (v) => { tryState.start = Number(v); runTry(); }).wrap,
      field('nn.Linear(in_features, 10): in_features', { type: 'number', min: 1, step: 1, value: tryState.inf }, (v) => { if (Number.isInteger(v) && v > 0) { tryState.inf = v; runTry(); } }).wrap),
    tryErr, tryStale.node, tryOut);
  root.append(el('div', { class: 'nn-scroll' }, strip), caption, el('div', { class: 'nn-cases' }, wrong.node, right.node), tryIt);
  host.append(root);
  root.dataset.state = 'computing';

  const imgs = await client.call('datasetImages', { file, start: 0, count: 8 });
  drawRgba(strip, imgs, 3);
  caption.textContent = `The first 8 of ${count} real CIFAR-10 test images: ${imgs.labels.map((l) => imgs.classes[l]).join(', ')}.`;
  const [a, b] = await Promise.all([
    client.call('flattenLinear', { file, count, start_dim: 0, end_dim: -1, in_features: 196608, out_features: 10 }),
    client.call('flattenLinear', { file, count, start_dim: 1, end_dim: -1, in_features: 3072, out_features: 10 }),
  ]);
  fill(wrong.out, a);
  fill(right.out, b);
  root.dataset.wrongY = a.y_shape.join(',');
  root.dataset.rightY = b.y_shape.join(',');

  const tryCall = latest((s) => client.call('flattenLinear', { file, count, start_dim: s.start, end_dim: -1, in_features: s.inf, out_features: 10 }).then((v) => ({ v }), (e) => ({ e })));
  async function runTry() {
    url.set({ start: tryState.start, in: tryState.inf });
    root.dataset.tryState = 'computing';
    const r = await tryCall({ ...tryState });
    if (!r) return;
    if (r.e) {
      errorLine(tryErr, r.e);
      tryStale.set(tryOut.textContent ? 'Out of date: the last call that worked was' : null);
      root.dataset.tryState = 'error';
    } else {
      errorLine(tryErr, null);
      tryStale.set(null);
      tryOut.textContent = `${fmtShape(r.v.flat_shape)} → ${r.v.repr} → y ${fmtShape(r.v.y_shape)}`;
      root.dataset.tryState = 'done';
    }
  }
  await runTry();
  root.dataset.state = 'done';
  return { destroy() { root.remove(); } };
}
