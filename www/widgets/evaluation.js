// Evaluation of the worker's CIFAR-10 model on the test set: accuracy, per-class accuracy,
// confusion matrix, a gallery of test images with predicted/true labels (mistakes first), and
// "try your own image" (resized to 32×32 on a canvas, RGB bytes sent to the worker).
// It follows the trainer on the page (widgets/events.js): "untrained" before training, and
// evaluated again after every epoch and whenever training stops, pauses or restarts.
//
// Options: {gallery: number of images (24)}. State for people and tests on its root:
// data-state (loading | evaluating | done | error), data-trained (0 | 1), data-step (the
// training step evaluated), data-accuracy, data-eval-loss, data-refreshes (evaluations so far).
import { el, showError } from './common.js';
import { onTraining } from './events.js';

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
  const model = el('p', { class: 'nn-eval-model', role: 'status' }, 'Evaluating on the test set…');
  const results = el('div', { class: 'nn-eval-results' });
  const fileInput = el('input', { type: 'file', accept: 'image/*', 'aria-label': 'Try your own image' });
  const yours = el('div', { class: 'nn-try-own', 'aria-live': 'polite' });
  root.append(model, results,
    el('label', { class: 'nn-field' }, 'Try your own image (resized to 32×32): ', fileInput), yours);
  host.append(root);
  const set = (k, v) => { root.dataset[k] = String(v); };
  set('state', 'loading');
  set('refreshes', 0);
  const out = {};
  let names = [];
  let own = null; // [canvas, rgb] of the reader's image, predicted again after each refresh
  let imported = false;
  let refreshes = 0;

  async function predictOwn() {
    if (!own) return;
    const [canvas, rgb] = own;
    const probs = await client.call('trainPredictImage', { rgb: rgb.slice() });
    const top = probs.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).slice(0, 3);
    yours.replaceChildren(canvas, el('p', {}, top.map(([p, i]) => `${names[i]} ${(100 * p).toFixed(1)} %`).join(' · ')));
    root.dataset.ownPrediction = names[top[0][1]];
  }

  /** What model is evaluated, in words: untrained, or after how much training. */
  function describe(status, ev) {
    const acc = `test accuracy ${(100 * ev.accuracy).toFixed(1)} % on ${ev.count} images (mean loss ${ev.loss.toFixed(4)})`;
    if (status.step === 0 && !imported) {
      return `Untrained: the freshly initialised model (torch.manual_seed(${status.config.seed})) has ${acc}; guessing gives 10 %. Train it above: this view is evaluated again after every epoch and when training stops.`;
    }
    if (status.step === 0) return `Imported weights: ${acc}.`;
    const epochs = status.config.epochs;
    const where = status.finished ? `all ${epochs} epochs` : `${status.step.toLocaleString('en-US')} steps (epoch ${Math.min(status.epoch + 1, epochs)} of ${epochs})`;
    return `After ${where}: ${acc}.`;
  }

  async function evaluateOnce() {
    let status = await client.call('trainStatus');
    if (!status.test_len) {
      await client.call('trainLoadUrl', { url: 'data/cifar10-test.nnbd', role: 'test' });
      status = await client.call('trainStatus');
    }
    const ev = await client.call('trainEvaluate', { gallery: options.gallery ?? 24 });
    out.result = ev;
    names = ev.class_names;
    const gallery = el('div', { class: 'nn-gallery', 'aria-label': 'Test images, mistakes first' });
    ev.gallery.forEach((g, i) => {
      const chw = ev.images.subarray(i * 3072, (i + 1) * 3072);
      const ok = g.label === g.predicted;
      gallery.append(el('figure', { class: ok ? 'nn-right' : 'nn-wrong' },
        imageCanvas(chw, `test image ${g.index}`),
        el('figcaption', {}, `${names[g.predicted]} (${(100 * g.confidence).toFixed(0)} %)`, el('br'), ok ? '✓' : `true: ${names[g.label]}`)));
    });
    results.replaceChildren(
      el('table', { class: 'nn-per-class' }, el('caption', {}, 'Accuracy per class'),
        el('tr', {}, names.map((n) => el('th', { scope: 'col' }, n))),
        el('tr', {}, ev.per_class.map((a) => el('td', {}, `${(100 * a).toFixed(0)} %`)))),
      confusionTable(names, ev.confusion),
      el('h4', {}, 'Test images (mistakes first)'), gallery);
    results.classList.remove('nn-stale');
    model.textContent = describe(status, ev);
    model.classList.add('nn-eval-summary');
    set('trained', status.step > 0 || imported ? 1 : 0);
    set('step', status.step);
    set('accuracy', ev.accuracy.toFixed(4));
    set('evalLoss', ev.loss.toFixed(6));
    await predictOwn();
  }

  // One evaluation at a time; announcements during one coalesce into one more.
  let running = null;
  let again = false;
  async function refresh() {
    if (running) { again = true; return running; }
    running = (async () => {
      do {
        again = false;
        set('state', 'evaluating');
        if (refreshes) {
          results.classList.add('nn-stale');
          model.textContent = `${model.textContent.replace(/ — evaluating again…$/, '')} — evaluating again…`;
        }
        await evaluateOnce();
        set('refreshes', ++refreshes);
        set('state', 'done');
      } while (again);
    })();
    try {
      await running;
    } catch (e) {
      showError(results, e);
      set('state', 'error');
    } finally {
      running = null;
    }
    return undefined;
  }

  const stop = onTraining(client, (d) => {
    if (!root.isConnected) { stop(); return; } // replaced (the trainer's Evaluate button mounts a new one)
    if (d.kind === 'imported') imported = true;
    if (d.kind === 'reset') imported = false;
    refresh();
  });

  fileInput.addEventListener('change', async () => {
    const f = fileInput.files[0];
    if (!f) return;
    try {
      own = await toRgb32(f);
      await predictOwn();
    } catch (e) {
      own = null;
      showError(yours, e);
    }
  });

  await refresh();
  out.destroy = () => { stop(); root.remove(); };
  return out;
}
