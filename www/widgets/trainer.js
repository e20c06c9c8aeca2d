// The CIFAR-10 trainer: controls, progress, live loss and accuracy charts, pause/resume/stop,
// data drop-in, .safetensors export/import, checkpoints in the browser (www/storage/) every
// `checkpointEvery` steps, after every epoch and on pause/stop, so a reload resumes near where
// training stopped, mid-epoch included. Each tab trains its own run (storage/checkpoints.js
// says which run a tab restores). All compute is in the worker (www/worker/training.js); this
// view renders and drives the loop one chunk of steps at a time.
//
// Options: {trainSize, batchSize, epochs, optimizer, lr, momentum, relu, augment, normalize,
// seed, chunkMs, storeKey, checkpointEvery}. State visible to people and tests: data-state
// (loading | ready | running | paused | stopped | done | error), data-step, data-epoch,
// data-batch (batches taken in the epoch), data-loss-first, data-loss-last (mean of the first /
// last 5 steps), data-images-per-s, data-test-accuracy, data-eval-loss, data-resumed,
// data-run-id, data-train-name, data-checkpoint-step, data-checkpoint-error (the last save
// failed: storage full, …), data-settled-step (set once a pause or stop has taken effect and
// its checkpoint is saved).
import { el, showError } from './common.js';
import { lineChart } from './train-charts.js';
import { deleteCheckpoint, newRun, onStorageNotice, openRun, saveCheckpoint } from '../storage/index.js';
import { mount as mountEvaluation } from './evaluation.js';
import { announceTraining } from './events.js';

const DEFAULTS = {
  trainSize: 1000, batchSize: 32, epochs: 3, optimizer: 'adam', lr: 0.001, momentum: 0.9,
  relu: false, augment: false, normalize: true, seed: 0, chunkMs: 250, storeKey: 'cifar10-trainer',
  checkpointEvery: 50,
};

function fmtTime(s) {
  if (!Number.isFinite(s)) return '–';
  const m = Math.floor(s / 60);
  return m ? `${m} min ${Math.round(s % 60)} s` : `${s.toFixed(1)} s`;
}

function field(label, input) {
  return el('label', { class: 'nn-field' }, label, ' ', input);
}

// What the widget says once a pause or stop has taken effect and its checkpoint is saved.
const SETTLED_MESSAGE = {
  paused: 'Paused (checkpoint saved).',
  stopped: 'Stopped (checkpoint saved); Resume continues, Start begins anew.',
};

export async function mount(host, options = {}, ctx) {
  const o = { ...DEFAULTS, ...options };
  const client = ctx.client;
  const root = el('section', { class: 'nn-trainer', 'aria-label': 'CIFAR-10 trainer' });
  host.append(root);
  const set = (k, v) => { root.dataset[k] = String(v); };
  set('state', 'loading');

  // Controls.
  const num = (value, attrs = {}) => el('input', { type: 'number', value, ...attrs });
  const chk = (checked) => el('input', { type: 'checkbox', checked });
  const c = {
    trainSize: num(o.trainSize, { min: 1, step: 1 }),
    optimizer: el('select', {}, el('option', { value: 'sgd' }, 'SGD'), el('option', { value: 'adam' }, 'Adam')),
    lr: num(o.lr, { min: 0, step: 'any' }),
    momentum: num(o.momentum, { min: 0, max: 1, step: 'any' }),
    batchSize: num(o.batchSize, { min: 1, step: 1 }),
    epochs: num(o.epochs, { min: 1, step: 1 }),
    seed: num(o.seed, { min: 0, step: 1 }),
    relu: chk(o.relu),
    augment: chk(o.augment),
    normalize: chk(o.normalize),
  };
  c.optimizer.value = o.optimizer;
  const btn = (text, name) => el('button', { type: 'button', 'data-action': name }, text);
  const b = {
    start: btn('Start', 'start'), pause: btn('Pause', 'pause'), resume: btn('Resume', 'resume'),
    stop: btn('Stop', 'stop'), evaluate: btn('Evaluate', 'evaluate'),
    exportW: btn('Export weights (.safetensors)', 'export'), importW: btn('Import weights…', 'import'),
  };
  const importInput = el('input', { type: 'file', accept: '.safetensors', class: 'nn-hidden-file', 'aria-label': 'Import weights (.safetensors)' });
  const dataInput = el('input', { type: 'file', multiple: true, accept: '.bin,.gz,.tgz,.nnbd', 'aria-label': 'Choose CIFAR-10 files' });
  // The drop zone is a labelled group; its file input is the keyboard path (no nested controls).
  const drop = el('div', { class: 'nn-drop', role: 'group', 'aria-label': 'Drop zone for CIFAR-10 files' },
    'Drop the official CIFAR-10 files here (data_batch_N.bin, test_batch.bin or cifar-10-binary.tar.gz), or ', dataInput);
  const dataStatus = el('p', { class: 'nn-data-status', role: 'status' }, 'Loading the CIFAR-10 subset…');
  const progress = el('progress', { max: 1, value: 0, 'aria-label': 'Training progress' });
  const stats = el('p', { class: 'nn-train-stats', 'aria-live': 'polite' }, '');
  const message = el('p', { class: 'nn-train-message', role: 'status' }, '');
  // Why checkpoints are not being saved (storage full, another tab blocks it), while it lasts.
  const storageNote = el('p', { class: 'nn-train-storage', role: 'alert', hidden: true });
  const chartsBox = el('div', { class: 'nn-train-charts' });
  const evalHost = el('div', { class: 'nn-trainer-eval' });
  root.append(
    el('fieldset', {}, el('legend', {}, 'Data'), dataStatus, drop),
    el('fieldset', { class: 'nn-train-controls' }, el('legend', {}, 'Model and optimizer'),
      field('training images', c.trainSize), field('optimizer', c.optimizer), field('learning rate', c.lr),
      field('momentum (SGD)', c.momentum), field('batch size', c.batchSize), field('epochs', c.epochs),
      field('seed', c.seed), field('ReLU after each conv', c.relu), field('augmentation (crop + flip)', c.augment),
      field('normalise (CIFAR-10 mean/std)', c.normalize)),
    el('div', { class: 'nn-train-buttons' }, b.start, b.pause, b.resume, b.stop, b.evaluate, b.exportW, b.importW, importInput),
    progress, stats, message, storageNote,
    chartsBox,
    evalHost,
  );
  const lossChart = lineChart(chartsBox, { title: 'Training loss', x: { label: 'step', integer: true }, y: { label: 'loss' }, series: [{ label: 'loss', color: '#1f5fbf' }] });
  const accChart = lineChart(chartsBox, { title: 'Accuracy per epoch', x: { label: 'epoch', integer: true }, y: { label: 'accuracy', min: 0, max: 1, percent: true }, series: [{ label: 'train', color: '#27ae60' }, { label: 'test', color: '#c0392b' }], smoothing: null });

  // Tells the page's other figures (the evaluation) what happened to the model.
  const announce = (kind) => announceTraining(client, { kind, step: status ? status.step : 0, epoch: status ? status.epoch : 0 });

  let errorBox = null;
  const clearError = () => { if (errorBox) errorBox.remove(); errorBox = null; };
  const fail = (e) => { clearError(); errorBox = showError(root, e); };

  // Run state kept on the page for the charts.
  let state = 'loading';
  let losses = [];
  let history = [];
  let status = null;
  let k = 1;
  let imagesPerS = 0;
  let elapsed = 0; // seconds of training in this page
  let drawPending = false;

  const config = () => ({
    seed: Number(c.seed.value), relu: c.relu.checked, optimizer: c.optimizer.value,
    lr: Number(c.lr.value), momentum: c.optimizer.value === 'sgd' ? Number(c.momentum.value) : 0,
    batch_size: Number(c.batchSize.value), epochs: Number(c.epochs.value),
    train_size: Number(c.trainSize.value), augment: c.augment.checked, normalize: c.normalize.checked,
  });
  const showConfig = (cfg) => {
    c.seed.value = cfg.seed; c.relu.checked = cfg.relu; c.optimizer.value = cfg.optimizer;
    c.lr.value = cfg.lr; c.momentum.value = cfg.momentum; c.batchSize.value = cfg.batch_size;
    c.epochs.value = cfg.epochs; c.trainSize.value = cfg.train_size; c.augment.checked = cfg.augment;
    c.normalize.checked = cfg.normalize;
  };

  function setState(s) {
    state = s;
    set('state', s);
    b.start.disabled = s === 'running' || s === 'loading';
    b.pause.disabled = s !== 'running';
    b.resume.disabled = !(s === 'paused' || s === 'stopped') || (status && status.finished);
    b.stop.disabled = !(s === 'running' || s === 'paused');
    for (const x of [b.evaluate, b.exportW, b.importW]) x.disabled = s === 'running' || s === 'loading';
  }

  function draw() {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(() => {
      drawPending = false;
      lossChart.update(losses.map((_, i) => i + 1), [losses]);
      accChart.update(history.map((h) => h.epoch), [history.map((h) => h.train_accuracy), history.map((h) => h.test_accuracy)]);
    });
  }

  function showStats() {
    if (!status) return;
    const total = status.config.epochs * status.batches_per_epoch;
    const done = status.epoch * status.batches_per_epoch + (status.finished ? 0 : status.batch);
    progress.max = Math.max(1, total);
    progress.value = Math.min(done, total);
    const eta = imagesPerS > 0 ? ((total - done) * status.config.batch_size) / imagesPerS : NaN;
    const mean = (a) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
    const last = losses.length ? mean(losses.slice(-5)) : NaN;
    stats.textContent = `epoch ${Math.min(status.epoch + 1, status.config.epochs)} / ${status.config.epochs} · step ${status.step}`
      + ` · loss ${Number.isFinite(last) ? last.toFixed(4) : '–'} · ${imagesPerS.toFixed(0)} images/s`
      + ` · elapsed ${fmtTime(elapsed)} · ETA ${status.finished ? '0 s' : fmtTime(eta)}`;
    set('step', status.step);
    set('epoch', status.epoch);
    set('batch', status.batch);
    set('imagesPerS', imagesPerS.toFixed(1));
    if (losses.length) {
      set('lossFirst', mean(losses.slice(0, 5)).toFixed(5));
      set('lossLast', last.toFixed(5));
    }
    if (history.length) set('testAccuracy', history[history.length - 1].test_accuracy.toFixed(4));
  }

  // Saves the run; a storage failure (full, blocked by another tab) is said under the message
  // and training goes on. Resolves to whether it was saved.
  let runId = null;
  let savedStep = -1;
  async function checkpoint() {
    if (!runId) runId = newRun(o.storeKey);
    set('runId', runId);
    const bytes = await client.call('trainExportState');
    const step = status ? status.step : 0;
    try {
      await saveCheckpoint(runId, o.storeKey, {
        config: status && status.config, step, epoch: status && status.epoch, batch: status && status.batch,
        state: bytes.buffer, losses, history, elapsed,
      });
    } catch (e) {
      if (e.name !== 'StorageError') throw e;
      set('checkpointError', e.kind);
      storageNote.textContent = `Training goes on, but the checkpoint of step ${step} was not saved: ${e.message}.`;
      storageNote.hidden = false;
      return false;
    }
    delete root.dataset.checkpointError;
    storageNote.hidden = true;
    savedStep = step;
    set('checkpointStep', step);
    return true;
  }

  let looping = false;
  async function loop() {
    if (looping) return; // a Resume during the last chunk of a paused loop: it carries on
    looping = true;
    try {
      await steps();
    } finally {
      looping = false;
    }
  }

  async function steps() {
    while (state === 'running') {
      const t0 = performance.now();
      const r = await client.call('trainSteps', { k });
      elapsed += (performance.now() - t0) / 1000;
      losses = losses.concat(r.losses);
      if (r.images > 0) imagesPerS = r.images_per_s;
      k = Math.max(1, Math.min(64, Math.round((k * o.chunkMs) / Math.max(1, r.ms))));
      if (r.epoch_done) {
        message.textContent = `Epoch ${r.epoch + 1} done; evaluating…`;
        const rec = await client.call('trainFinishEpoch');
        history.push(rec);
        message.textContent = `Epoch ${rec.epoch}: train loss ${rec.train_loss.toFixed(4)}, train accuracy ${(100 * rec.train_accuracy).toFixed(1)} %, test accuracy ${(100 * rec.test_accuracy).toFixed(1)} %`;
        status = await client.call('trainStatus');
        if (await checkpoint()) message.textContent += ' (checkpoint saved)';
        if (!status.finished) announce('epoch');
      } else {
        status = { ...status, step: r.step, epoch: r.epoch, batch: r.batch, batches_per_epoch: r.batches_per_epoch };
        if (status.step - savedStep >= o.checkpointEvery) await checkpoint();
      }
      showStats();
      draw();
      if (status.finished) {
        setState('done');
        message.textContent += ' — training finished.';
        announce('done');
      }
    }
    // Pause and stop take effect after the running chunk: save where training stopped, then
    // say so (data-settled-step: the step training stopped at, once the checkpoint is saved).
    if (state === 'paused' || state === 'stopped') {
      const saved = await checkpoint();
      message.textContent = saved ? SETTLED_MESSAGE[state]
        : `${state === 'paused' ? 'Paused' : 'Stopped'}; the checkpoint was not saved (see below).`;
      set('settledStep', status ? status.step : 0);
      announce(state);
    }
  }

  async function run(fn) {
    clearError();
    try {
      await fn();
    } catch (e) {
      fail(e);
      if (state === 'running' || state === 'loading') setState('error');
    }
  }

  b.start.addEventListener('click', () => run(async () => {
    await client.call('trainInit', { config: config() });
    await deleteCheckpoint(runId).catch(() => {}); // a storage problem is said at the next save
    losses = []; history = []; elapsed = 0; imagesPerS = 0; k = 1; savedStep = 0;
    status = await client.call('trainStatus');
    set('resumed', '0');
    message.textContent = `Training ${status.train_len} images, ${status.parameters.toLocaleString()} parameters.`;
    setState('running');
    showStats(); draw();
    announce('reset');
    await loop();
  }));
  b.pause.addEventListener('click', () => {
    if (state !== 'running') return;
    delete root.dataset.settledStep;
    setState('paused');
    message.textContent = 'Pausing after the current chunk…';
  });
  b.resume.addEventListener('click', () => run(async () => { setState('running'); message.textContent = 'Resumed.'; await loop(); }));
  b.stop.addEventListener('click', () => {
    setState('stopped');
    if (looping) {
      delete root.dataset.settledStep;
      message.textContent = 'Stopping after the current chunk…';
    } else {
      message.textContent = SETTLED_MESSAGE.stopped;
    }
  });

  b.evaluate.addEventListener('click', () => run(async () => {
    evalHost.replaceChildren();
    const ev = await mountEvaluation(evalHost, { gallery: 24 }, ctx);
    if (ev && ev.result) set('evalLoss', ev.result.loss.toFixed(6));
  }));
  b.exportW.addEventListener('click', () => run(async () => {
    const bytes = await client.call('trainExportSafetensors');
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const a = el('a', { href: url, download: 'cifar10.safetensors' });
    root.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    message.textContent = `Exported ${bytes.length.toLocaleString()} bytes: load in PyTorch with model.load_state_dict(safetensors.torch.load_file("cifar10.safetensors")).`;
  }));
  b.importW.addEventListener('click', () => importInput.click());
  importInput.addEventListener('change', () => run(async () => {
    const f = importInput.files[0];
    importInput.value = '';
    if (!f) return;
    const bytes = await f.arrayBuffer();
    await client.call('trainImportSafetensors', { bytes, file: f.name }, { transfer: [bytes] });
    message.textContent = `Imported weights from ${f.name}.`;
    set('imported', f.name);
    announce('imported');
  }));

  // Data: the project's subset by default; official CIFAR-10 files dropped or picked.
  async function loadFiles(files) {
    const list = [...files];
    let trainSeen = false;
    const loaded = [];
    for (const f of list) {
      const bytes = await f.arrayBuffer();
      const lower = f.name.toLowerCase();
      let role = 'auto';
      if (!/\.(gz|tgz)$/.test(lower) && !lower.includes('test')) { role = trainSeen ? 'append' : 'train'; trainSeen = true; }
      const info = await client.call('trainLoadBytes', { bytes, file: f.name, role }, { transfer: [bytes] });
      loaded.push(...info);
    }
    status = await client.call('trainStatus');
    dataStatus.textContent = `Loaded ${loaded.map((d) => `${d.name} (${d.count} images, ${d.role})`).join(', ')}. Training set: ${status.train_name}, test set: ${status.test_name}.`;
    set('trainName', status.train_name);
    if (state !== 'running') setState('ready');
  }
  dataInput.addEventListener('change', () => run(() => loadFiles(dataInput.files)));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('nn-drop-over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('nn-drop-over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('nn-drop-over');
    run(() => loadFiles(e.dataTransfer.files));
  });

  const unsubscribe = onStorageNotice(({ kind, message: text }) => {
    storageNote.textContent = kind === 'ready' ? '' : `Checkpoints are not saved: ${text}.`;
    storageNote.hidden = kind === 'ready';
  });

  setState('loading');
  await run(async () => {
    await client.call('trainInit', { config: config() });
    const [train] = await client.call('trainLoadUrl', { url: 'data/cifar10-train.nnbd', role: 'train' });
    const [test] = await client.call('trainLoadUrl', { url: 'data/cifar10-test.nnbd', role: 'test' });
    dataStatus.textContent = `CIFAR-10 subset: ${train.count.toLocaleString()} training and ${test.count.toLocaleString()} test images (real images from the CIFAR-10 data set).`;
    set('trainName', train.name);
    const opened = await openRun(o.storeKey).catch((e) => {
      storageNote.textContent = `Saved training runs cannot be read: ${e.message}.`;
      storageNote.hidden = false;
      return { runId: newRun(o.storeKey), checkpoint: null, others: 0 };
    });
    runId = opened.runId;
    set('runId', runId);
    const saved = opened.checkpoint;
    // A checkpoint that does not load (damaged, or from an incompatible nnbook) is said, and the
    // trainer starts fresh; Start then replaces it.
    const restored = saved && saved.state && await client.call('trainImportState', { bytes: saved.state, file: 'the checkpoint saved in this browser' })
      .catch((e) => { message.textContent = `The checkpoint saved ${new Date(saved.savedAt).toLocaleString()} could not be restored (${e.message}); Start begins a new run.`; return null; });
    if (restored) {
      status = restored;
      showConfig(status.config);
      losses = (saved.losses || []).slice(0, status.step);
      history = status.history || [];
      elapsed = saved.elapsed || 0;
      savedStep = status.step;
      set('resumed', '1');
      set('checkpointStep', status.step);
      const where = status.batch ? `epoch ${status.epoch + 1}, step ${status.step} (batch ${status.batch} of ${status.batches_per_epoch})` : `epoch ${status.epoch + 1}, step ${status.step}`;
      message.textContent = `Restored the checkpoint saved ${new Date(saved.savedAt).toLocaleString()}: ${where}${opened.adopted ? ' (the newest run no other tab is training)' : ''}. Press Resume to continue or Start to begin anew.`;
      setState(status.finished ? 'done' : 'paused');
    } else {
      status = await client.call('trainStatus');
      set('resumed', '0');
      if (opened.others && !saved) message.textContent = `Another tab is training ${opened.others === 1 ? 'a run' : `${opened.others} runs`} of this model; Start trains a separate one here.`;
      setState('ready');
    }
    showStats();
    draw();
    announce('ready');
  });

  return {
    destroy() {
      unsubscribe();
      if (state === 'running') setState('paused');
    },
  };
}
