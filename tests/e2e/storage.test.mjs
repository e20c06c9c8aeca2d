// nnbook's browser storage (www/storage/) on the real pages, each test in a fresh browser
// profile, as a student meets it: another lesson first, then the CIFAR-10 trainer (Start
// shows a loss); the trainer first, then a cell edit that survives a reload; two tabs
// training at once, each resuming its own run after a reload (from the checkpoint written
// every N steps, mid-epoch); version-1 databases of the old code (one store each) migrated;
// another tab blocking the upgrade or upgrading under us; a full quota said plainly; and the
// cells' outputs kept across a reload until "Reset lesson".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, cellText, fillCell, launch, screenshot, serve } from './harness.mjs';

const LESSONS = JSON.parse(readFileSync(join(ROOT, 'www/lessons/index.json'), 'utf8')).map((l) => l.id);
const TRAINER_LESSON = 'cifar10';
// "Another lesson": the first one of the landing page's order that is not the trainer's.
const OTHER = LESSONS.find((id) => id !== TRAINER_LESSON);
const T = '.nn-trainer';
const cell = (i) => `.nb-cell[data-index="${i}"]`;

async function openLesson(page, url, id) {
  await page.goto(`${url}www/lesson.html?id=${id}`);
  await page.waitForSelector('#lesson[data-state="ready"]', { timeout: 30000 });
}

/** Opens the CIFAR-10 lesson and waits until its trainer has its data (ready, or paused on a
 *  restored checkpoint). */
async function openTrainer(page, url) {
  await openLesson(page, url, TRAINER_LESSON);
  await page.waitForSelector(`${T}[data-state="ready"], ${T}[data-state="paused"], ${T}[data-state="error"]`, { timeout: 120000 });
  assert.equal(await page.locator(`${T} .nn-error`).count(), 0, await page.locator(T).textContent());
}

/** Presses Start; a loss must be shown within 30 s, not an error. */
async function startShowsLoss(page) {
  await page.click(`${T} button[data-action="start"]`);
  const shown = await page.waitForSelector(`${T}[data-loss-last], ${T} .nn-error`, { timeout: 30000 });
  assert.equal(await shown.evaluate((n) => n.classList.contains('nn-error')), false,
    `Start failed: ${await shown.textContent()}`);
  assert.match(await page.textContent(`${T} .nn-train-stats`), /loss \d\.\d{4}/);
}

async function pause(page) {
  await page.evaluate(() => document.querySelector('.nn-trainer').removeAttribute('data-settled-step'));
  await page.click(`${T} button[data-action="pause"]`);
  await page.waitForSelector(`${T}[data-settled-step]`, { timeout: 60000 });
}

const data = (page, name) => page.getAttribute(T, `data-${name}`);
const seedInput = `${T} label.nn-field:has-text("seed") input`;

/** Runs `fn` in a page of the site that does not open the storage itself (the landing page). */
async function onSite(page, url, fn, arg) {
  if (!page.url().startsWith(url)) await page.goto(url);
  return page.evaluate(fn, arg);
}

// What the old code did: `indexedDB.open('nnbook', 1)` creating only its own store, then `put`.
function createV1(page, url, { store, key, value }) {
  return onSite(page, url, ([s, k, v]) => new Promise((resolve, reject) => {
    // Bytes: a short list, or 'page:v1State' for bytes the page made (they stay in the page).
    if (v && Array.isArray(v.state)) v.state = new Uint8Array(v.state).buffer;
    if (v && v.state === 'page:v1State') v.state = globalThis.v1State;
    const req = indexedDB.open('nnbook', 1);
    req.onupgradeneeded = () => req.result.createObjectStore(s);
    req.onsuccess = () => {
      const db = req.result;
      const t = db.transaction(s, 'readwrite');
      t.objectStore(s).put(v, k);
      t.oncomplete = () => { db.close(); resolve(); };
      t.onerror = () => reject(t.error);
    };
    req.onerror = () => reject(req.error);
  }), [store, key, value]);
}

/** The database's version and stores as this page sees them now. */
function schema(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('nnbook');
    req.onsuccess = () => {
      const db = req.result;
      const out = { version: db.version, stores: [...db.objectStoreNames].sort() };
      db.close();
      resolve(out);
    };
    req.onerror = () => reject(req.error);
  }));
}

const ALL_STORES = ['checkpoints', 'files', 'lesson-edits', 'outputs'];

describe('browser storage on the lesson pages', () => {
  let server;
  before(async () => { server = await serve({ isolation: false }); });
  after(() => server?.stop());

  // Each test: a fresh profile.
  const fresh = async (fn) => {
    const browser = await launch();
    try {
      await fn(browser);
    } finally {
      await browser.close();
    }
  };

  test(`another lesson (${OTHER}) first, then the CIFAR-10 trainer: Start shows a loss within 30 s`, () => fresh(async (browser) => {
    const page = await browser.newPage();
    await openLesson(page, server.url, OTHER);
    await openTrainer(page, server.url);
    await startShowsLoss(page);
    await pause(page);
    assert.equal(await data(page, 'checkpoint-error'), null);
    assert.match(await page.textContent(`${T} .nn-train-message`), /Paused \(checkpoint saved\)/);
    assert.deepEqual(await schema(page), { version: 2, stores: ALL_STORES });
    await screenshot(page, 'storage-trainer-after-other-lesson');
    assert.deepEqual(page.consoleErrors, []);
  }));

  test(`the trainer first, then an edit in another lesson (${OTHER}) survives a reload`, () => fresh(async (browser) => {
    const page = await browser.newPage();
    await openTrainer(page, server.url);
    await startShowsLoss(page);
    await pause(page);
    await openLesson(page, server.url, OTHER);
    await fillCell(page, 0, 'print("kept across a reload")');
    await page.waitForSelector('#lesson[data-saved]');
    await page.reload();
    await page.waitForSelector('#lesson[data-state="ready"]');
    assert.equal(await cellText(page, 0), 'print("kept across a reload")');
    assert.equal(await page.isVisible('#nb-notice'), false, await page.textContent('#nb-notice'));
    assert.deepEqual(page.consoleErrors, []);
  }));

  test('two tabs training at once: after a reload mid-epoch each resumes its own run', () => fresh(async (browser) => {
    const tabs = [await browser.newPage(), await browser.newPage()];
    const seeds = ['11', '22'];
    const batchSize = 8; // small steps: the first checkpoint by step count comes sooner
    for (const [i, page] of tabs.entries()) {
      await openTrainer(page, server.url);
      await page.fill(seedInput, seeds[i]);
      await page.fill(`${T} label.nn-field:has-text("batch size") input`, String(batchSize));
      await startShowsLoss(page);
    }
    // Training on in both, until each has written a checkpoint by step count alone (no pause,
    // no epoch end yet), then reload both while they train.
    const before = [];
    for (const page of tabs) {
      await page.waitForFunction(() => Number(document.querySelector('.nn-trainer').dataset.checkpointStep || 0) > 0, null, { timeout: 180000 });
      assert.equal(await data(page, 'state'), 'running');
      before.push({ run: await data(page, 'run-id'), checkpoint: Number(await data(page, 'checkpoint-step')) });
    }
    assert.notEqual(before[0].run, before[1].run);
    for (const page of tabs) await page.reload();
    for (const [i, page] of tabs.entries()) {
      await page.waitForSelector(`${T}[data-resumed="1"]`, { timeout: 120000 });
      assert.equal(await data(page, 'state'), 'paused');
      assert.equal(await data(page, 'run-id'), before[i].run, `tab ${i} restored another run`);
      assert.equal(await page.inputValue(seedInput), seeds[i], `tab ${i}: the run's config`);
      assert.equal(await page.inputValue(`${T} label.nn-field:has-text("batch size") input`), String(batchSize));
      const step = Number(await data(page, 'step'));
      assert.ok(step >= before[i].checkpoint, `tab ${i}: resumed at step ${step}, checkpoint was ${before[i].checkpoint}`);
      // Mid-epoch: the run goes on at the batch of the epoch it had reached.
      const epoch = Number(await data(page, 'epoch'));
      const batch = Number(await data(page, 'batch'));
      const perEpoch = Math.ceil(Number(await page.inputValue(`${T} label.nn-field:has-text("training images") input`)) / batchSize);
      assert.equal(batch, step - epoch * perEpoch, `tab ${i}: step ${step} epoch ${epoch} batch ${batch}`);
      assert.ok(batch > 0, `tab ${i}: the checkpoint was not mid-epoch (step ${step})`);
      assert.match(await page.textContent(`${T} .nn-train-message`), new RegExp(`Restored the checkpoint .*step ${step} \\(batch ${batch} of ${perEpoch}\\)`));
    }
    for (const [i, page] of tabs.entries()) {
      const step = Number(await data(page, 'step'));
      await page.click(`${T} button[data-action="resume"]`);
      await page.waitForFunction((s) => Number(document.querySelector('.nn-trainer').dataset.step) > s, step, { timeout: 60000 });
      await pause(page);
      assert.equal(await data(page, 'run-id'), before[i].run);
    }
    // A third tab opened now: both runs are held, so it restores neither.
    const third = await browser.newPage();
    await openTrainer(third, server.url);
    assert.equal(await data(third, 'resumed'), '0');
    assert.ok(!before.map((b) => b.run).includes(await data(third, 'run-id')));
    assert.match(await third.textContent(`${T} .nn-train-message`), /Another tab is training 2 runs/);
    await screenshot(tabs[1], 'storage-two-tabs-resumed');
    for (const page of [...tabs, third]) assert.deepEqual(page.consoleErrors, []);
  }));

  test('a version-1 database with only the edits store is migrated: the edit stays, the trainer starts', () => fresh(async (browser) => {
    const page = await browser.newPage();
    const orig = await onSite(page, server.url, async (id) => {
      const { parseLesson } = await import(new URL('www/notebook/document.js', location.href).href);
      const text = await (await fetch(new URL(`www/lessons/${id}.md`, location.href))).text();
      return parseLesson(text).find((b) => b.type === 'python').code;
    }, OTHER);
    await createV1(page, server.url, { store: 'lesson-edits', key: OTHER, value: { cells: { 0: { orig, text: 'print("saved by version 1")' } }, savedAt: Date.now() } });
    assert.deepEqual(await schema(page), { version: 1, stores: ['lesson-edits'] });
    await openLesson(page, server.url, OTHER);
    assert.equal(await cellText(page, 0), 'print("saved by version 1")');
    assert.deepEqual(await schema(page), { version: 2, stores: ALL_STORES });
    await openTrainer(page, server.url);
    await startShowsLoss(page);
    await pause(page);
    assert.equal(await data(page, 'checkpoint-error'), null);
    assert.deepEqual(page.consoleErrors, []);
  }));

  test('a version-1 database with only a checkpoint is migrated: the run resumes, edits are saved', () => fresh(async (browser) => {
    const page = await browser.newPage();
    // A checkpoint as the old trainer saved it (3 steps into a run with seed 5).
    const state = await onSite(page, server.url, async () => {
      const { getClient } = await import(new URL('www/client.js', location.href).href);
      const c = getClient();
      await c.call('trainInit', { config: { seed: 5, optimizer: 'adam', lr: 0.001, batch_size: 32, epochs: 3, train_size: 2000, normalize: true } });
      await c.call('trainLoadUrl', { url: 'data/cifar10-train.nnbd', role: 'train' });
      const r = await c.call('trainSteps', { k: 3 });
      globalThis.v1State = (await c.call('trainExportState')).buffer;
      return { losses: r.losses };
    });
    await createV1(page, server.url, {
      store: 'checkpoints', key: 'cifar10-trainer',
      value: { state: 'page:v1State', losses: state.losses, history: [], elapsed: 1, savedAt: Date.now() },
    });
    await openTrainer(page, server.url); // a new page: a new worker, an empty session

    assert.equal(await data(page, 'resumed'), '1');
    assert.equal(await data(page, 'step'), '3');
    assert.equal(await data(page, 'run-id'), 'v1-cifar10-trainer');
    assert.equal(await page.inputValue(seedInput), '5');
    await page.click(`${T} button[data-action="resume"]`);
    await page.waitForFunction(() => Number(document.querySelector('.nn-trainer').dataset.step) > 3, null, { timeout: 60000 });
    await pause(page);
    assert.equal(await data(page, 'checkpoint-error'), null);
    await openLesson(page, server.url, OTHER);
    await fillCell(page, 0, 'print("edit after the migration")');
    await page.waitForSelector('#lesson[data-saved]');
    await page.reload();
    await page.waitForSelector('#lesson[data-state="ready"]');
    assert.equal(await cellText(page, 0), 'print("edit after the migration")');
    assert.deepEqual(page.consoleErrors, []);
  }));

  test('a damaged checkpoint is said and the trainer starts a new run', () => fresh(async (browser) => {
    const page = await browser.newPage();
    await createV1(page, server.url, { store: 'checkpoints', key: 'cifar10-trainer', value: { state: [1, 2, 3], losses: [], history: [], elapsed: 0, savedAt: Date.now() } });
    await openTrainer(page, server.url);
    assert.equal(await data(page, 'state'), 'ready');
    assert.equal(await data(page, 'resumed'), '0');
    assert.match(await page.textContent(`${T} .nn-train-message`), /could not be restored \(NnbookError: the checkpoint saved in this browser: not a valid \.safetensors file: .*\); Start begins a new run/);
    await startShowsLoss(page);
    await pause(page);
    assert.equal(await data(page, 'checkpoint-error'), null);
  }));

  test('another tab keeping a version-1 connection open: the page says so, then saves once it closes', () => fresh(async (browser) => {
    // An old nnbook tab: its connection stays open and ignores `versionchange`.
    const old = await browser.newPage();
    await onSite(old, server.url, () => new Promise((resolve) => {
      const req = indexedDB.open('nnbook', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('lesson-edits');
      req.onsuccess = () => { globalThis.oldDb = req.result; resolve(); };
    }));
    const page = await browser.newPage();
    await openLesson(page, server.url, OTHER);
    await page.waitForFunction(() => /another tab with an older version/.test(document.querySelector('#nb-notice').textContent));
    assert.equal(await page.isVisible('#nb-notice'), true);
    await fillCell(page, 0, 'print("typed while blocked")');
    await old.close();
    await page.waitForFunction(() => /available again/.test(document.querySelector('#nb-notice').textContent), null, { timeout: 10000 });
    // (the first edit's save may have run after the unblocking: wait for the second one's)
    await page.evaluate(() => document.querySelector('#lesson').removeAttribute('data-saved'));
    await fillCell(page, 0, 'print("typed after the old tab closed")');
    await page.waitForSelector('#lesson[data-saved]');
    await page.reload();
    await page.waitForSelector('#lesson[data-state="ready"]');
    assert.equal(await cellText(page, 0), 'print("typed after the old tab closed")');
    assert.deepEqual(await schema(page), { version: 2, stores: ALL_STORES });
  }));

  test('a newer nnbook upgrading in another tab: this page lets go and says to reload', () => fresh(async (browser) => {
    const page = await browser.newPage();
    await openLesson(page, server.url, OTHER);
    await fillCell(page, 0, 'print("before the upgrade")');
    await page.waitForSelector('#lesson[data-saved]');
    const other = await browser.newPage();
    const version = await onSite(other, server.url, () => new Promise((resolve, reject) => {
      const req = indexedDB.open('nnbook', 3);
      req.onblocked = () => reject(new Error('blocked: the lesson page kept its connection'));
      req.onsuccess = () => { const v = req.result.version; req.result.close(); resolve(v); };
      req.onerror = () => reject(req.error);
    }));
    assert.equal(version, 3);
    await page.waitForFunction(() => /updated in another tab: reload this page/.test(document.querySelector('#nb-notice').textContent));
    await page.evaluate(() => document.querySelector('#lesson').removeAttribute('data-saved'));
    await fillCell(page, 0, 'print("after the upgrade")');
    await page.waitForFunction(() => /older than the data another nnbook tab saved; reload this page/.test(document.querySelector('#nb-notice').textContent));
  }));

  test('a full storage quota: the trainer says the checkpoint was not saved, and trains on', () => fresh(async (browser) => {
    const page = await browser.newPage();
    await openTrainer(page, server.url);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin, quotaSize: 256 * 1024 });
    await startShowsLoss(page);
    await pause(page);
    assert.equal(await data(page, 'checkpoint-error'), 'quota');
    assert.match(await page.textContent(`${T} .nn-train-message`), /^Paused; the checkpoint was not saved \(see below\)\.$/);
    const note = page.locator(`${T} .nn-train-storage`);
    assert.equal(await note.isVisible(), true);
    assert.match(await note.textContent(), /was not saved: the browser's storage for this site is full, so nnbook could not save the training checkpoint \(\d+\.\d MB\)/);
    const step = Number(await data(page, 'step'));
    await page.click(`${T} button[data-action="resume"]`);
    await page.waitForFunction((s) => Number(document.querySelector('.nn-trainer').dataset.step) > s, step, { timeout: 60000 });
    assert.equal(await data(page, 'state'), 'running');
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin });
    await pause(page);
    assert.equal(await data(page, 'checkpoint-error'), null);
    assert.equal(await note.isVisible(), false);
  }));

  test('cell outputs are kept across a reload and cleared by Reset lesson', () => fresh(async (browser) => {
    const page = await browser.newPage();
    await openLesson(page, server.url, OTHER);
    await page.waitForSelector('#nb-kernel[data-state="ready"]', { timeout: 30000 });
    await fillCell(page, 0, 'print("hello")\nprint(1 + 1)');
    await page.click(`${cell(0)} .nb-run`);
    await page.waitForSelector(`${cell(0)}[data-state="done"]`, { timeout: 30000 });
    await fillCell(page, 1, 'undefined_name');
    await page.click(`${cell(1)} .nb-run`);
    await page.waitForSelector(`${cell(1)}[data-state="error"]`, { timeout: 30000 });
    const outputs = [await page.textContent(`${cell(0)} .nb-output`), await page.textContent(`${cell(1)} .nb-output`)];
    assert.equal(outputs[0], 'hello\n2\n');
    assert.match(outputs[1], /NameError: name 'undefined_name' is not defined/);
    // Both outputs saved (the first run's save may come before the second run ends).
    await page.evaluate(async (id) => {
      const { loadOutputs } = await import('./storage/index.js');
      while (Object.keys(await loadOutputs(id)).length < 2) await new Promise((r) => setTimeout(r, 100));
    }, OTHER);
    await page.waitForSelector('#lesson[data-saved]');
    await page.reload();
    await page.waitForSelector('#lesson[data-state="ready"]');
    for (const i of [0, 1]) {
      assert.equal(await page.textContent(`${cell(i)} .nb-output`), outputs[i], `cell ${i}`);
      assert.equal(await page.getAttribute(cell(i), 'data-restored'), '1');
      assert.equal(await page.getAttribute(cell(i), 'data-state'), 'idle');
    }
    assert.equal(await page.textContent(`${cell(2)} .nb-output`), '');
    await page.click('#nb-reset-lesson');
    await page.waitForFunction(() => /Lesson reset/.test(document.querySelector('#nb-notice').textContent));
    await page.reload();
    await page.waitForSelector('#lesson[data-state="ready"]');
    for (const i of [0, 1]) assert.equal(await page.textContent(`${cell(i)} .nb-output`), '', `cell ${i} after Reset lesson`);
    assert.deepEqual(page.consoleErrors, []);
  }));

  test('saved outputs are size-limited', () => fresh(async (browser) => {
    const page = await browser.newPage();
    await openLesson(page, server.url, OTHER);
    const fit = await page.evaluate(async () => {
      const { fitOutputs } = await import('./storage/index.js');
      const img = (n) => ({ width: n, height: n, rgba: new Uint8Array(n * n * 4), caption: `${n}px` });
      const { cells, bytes } = fitOutputs({
        0: { orig: 'a', count: 1, stdout: 'x'.repeat(150), error: null, images: [img(4)] },
        1: { orig: 'b', count: 2, stdout: 'ok', error: { kind: 'ValueError', message: 'bad', line: 1 }, images: [img(8), img(2)] },
      }, { stdout: 100, bytes: 400 });
      return { bytes, cells: Object.fromEntries(Object.entries(cells).map(([k, c]) => [k, { ...c, images: c.images.map((i) => i.caption) }])) };
    });
    assert.deepEqual(fit.cells[0], { orig: 'a', count: 1, stdout: 'x'.repeat(100), error: null, images: ['4px'], truncated: 50, dropped: 0 });
    assert.deepEqual(fit.cells[1].images, ['2px']);
    assert.equal(fit.cells[1].dropped, 1);
    assert.ok(fit.bytes <= 400, `${fit.bytes} bytes`);
  }));

  test('the files store (for torch.save) keeps bytes by name', () => fresh(async (browser) => {
    const page = await browser.newPage();
    await openLesson(page, server.url, OTHER);
    const got = await page.evaluate(async () => {
      const { saveFile, loadFile, listFiles, deleteFile } = await import('./storage/index.js');
      await saveFile('model.pt', new Uint8Array([1, 2, 3, 250]).subarray(1));
      const back = await loadFile('model.pt');
      const list = await listFiles();
      await deleteFile('model.pt');
      return { bytes: [...new Uint8Array(back.bytes)], list: list.map((f) => [f.name, f.size]), after: await loadFile('model.pt') ?? null };
    });
    assert.deepEqual(got, { bytes: [2, 3, 250], list: [['model.pt', 3]], after: null });
  }));
});

