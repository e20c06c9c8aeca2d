// Evaluation of the worker's CIFAR-10 model on the test set: accuracy, per-class accuracy,
// confusion matrix, a gallery of test images with predicted/true labels (mistakes first), and
// "try your own image" (resized to 32×32 on a canvas, RGB bytes sent to the worker).
// Options: {gallery: number of images (24)}. Sets data-accuracy and data-eval-loss on its root.
import { el, showError } from './common.js';

/** Draws one [3,32,32] uint8 CHW image onto a new 32×32 canvas scaled by CSS. */
function imageCanvas(chw, label) {
  const canvas = el('canvas', { width: 32, height: 32, class: 'nn-thumb', role: 'img', 'aria-label': label });
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(32, 32);
  for (let p = 0; p < 1024; p++) {
    img.data[4 * p] = chw[p];
    img.data[4 * p + 1] = chw[1024 + p];
    img.data[4 * p + 2] = chw[2048 + p];
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

function confusionTable(names, m) {
  const max = Math.max(1, ...m.flat());
  const head = el('tr', {}, el('th', { scope: 'col' }, 'true \\ predicted'), names.map((n) => el('th', { scope: 'col' }, n)));
  const rows = m.map((row, i) => el('tr', {}, el('th', { scope: 'row' }, names[i]),
    row.map((v, j) => el('td', {
      style: `background: rgba(${i === j ? '39,174,96' : '192,57,43'}, ${(v / max).toFixed(3)})`,
      title: `${v} ${names[i]} predicted as ${names[j]}`,
    }, String(v)))));
  return el('table', { class: 'nn-confusion' }, el('caption', {}, 'Confusion matrix (rows: true class)'), head, rows);
}

/** Reads an image file, draws it resized to 32×32, returns [canvas, RGB bytes (HWC)]. */
async function toRgb32(file) {
  const bitmap = await createImageBitmap(file);
  const canvas = el('canvas', { width: 32, height: 32, class: 'nn-thumb', role: 'img', 'aria-label': `${file.name} at 32×32` });
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0, 32, 32);
  const rgba = ctx.getImageData(0, 0, 32, 32).data;
  const rgb = new Uint8Array(3072);
  for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) rgb[3 * p + c] = rgba[4 * p + c];
  return [canvas, rgb];
}

export async function mount(host, options = {}, ctx) {
  const client = ctx.client;
  const root = el('section', { class: 'nn-evaluation', 'aria-label': 'Evaluation on the CIFAR-10 test set' });
  host.append(root);
  const out = {};
  try {
    let status = await client.call('trainStatus');
    if (!status.test_len) {
      await client.call('trainLoadUrl', { url: 'data/cifar10-test.nnbd', role: 'test' });
      status = await client.call('trainStatus');
    }
    root.append(el('p', {}, 'Evaluating on the test set…'));
    const ev = await client.call('trainEvaluate', { gallery: options.gallery ?? 24 });
    out.result = ev;
    root.replaceChildren();
    root.dataset.accuracy = ev.accuracy.toFixed(4);
    root.dataset.evalLoss = ev.loss.toFixed(6);
    const names = ev.class_names;
    root.append(
      el('p', { class: 'nn-eval-summary' }, `Test accuracy ${(100 * ev.accuracy).toFixed(1)} % on ${ev.count} images (mean loss ${ev.loss.toFixed(4)}).`),
      el('table', { class: 'nn-per-class' }, el('caption', {}, 'Accuracy per class'),
        el('tr', {}, names.map((n) => el('th', { scope: 'col' }, n))),
        el('tr', {}, ev.per_class.map((a) => el('td', {}, `${(100 * a).toFixed(0)} %`)))),
      confusionTable(names, ev.confusion),
    );
    const gallery = el('div', { class: 'nn-gallery', 'aria-label': 'Test images, mistakes first' });
    ev.gallery.forEach((g, i) => {
      const chw = ev.images.subarray(i * 3072, (i + 1) * 3072);
      const ok = g.label === g.predicted;
      gallery.append(el('figure', { class: ok ? 'nn-right' : 'nn-wrong' },
        imageCanvas(chw, `test image ${g.index}`),
        el('figcaption', {}, `${names[g.predicted]} (${(100 * g.confidence).toFixed(0)} %)`, el('br'), ok ? '✓' : `true: ${names[g.label]}`)));
    });
    const fileInput = el('input', { type: 'file', accept: 'image/*', 'aria-label': 'Try your own image' });
    const yours = el('div', { class: 'nn-try-own', 'aria-live': 'polite' });
    fileInput.addEventListener('change', async () => {
      const f = fileInput.files[0];
      if (!f) return;
      try {
        const [canvas, rgb] = await toRgb32(f);
        const probs = await client.call('trainPredictImage', { rgb }, { transfer: [rgb.buffer] });
        const top = probs.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).slice(0, 3);
        yours.replaceChildren(canvas, el('p', {}, top.map(([p, i]) => `${names[i]} ${(100 * p).toFixed(1)} %`).join(' · ')));
        root.dataset.ownPrediction = names[top[0][1]];
      } catch (e) {
        showError(yours, e);
      }
    });
    root.append(el('h4', {}, 'Test images (mistakes first)'), gallery,
      el('label', { class: 'nn-field' }, 'Try your own image (resized to 32×32): ', fileInput), yours);
  } catch (e) {
    showError(root, e);
  }
  return out;
}
