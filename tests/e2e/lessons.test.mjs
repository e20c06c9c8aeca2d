// The lessons' figures, each mounted alone through www/widget.html: it computes in the worker,
// moving a control changes the numbers shown, PyTorch's error texts appear for bad shapes, and
// nearest-mode dL/dtheta is exactly zero while bilinear's is not. No console errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launch, screenshot, serve } from './harness.mjs';

const T = { timeout: 60000 };

describe('lesson figures', () => {
  let server, browser;
  before(async () => { server = await serve({ isolation: false }); browser = await launch(); });
  after(async () => { await browser?.close(); server?.stop(); });

  async function open(name, options = {}) {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 900, height: 900 });
    const q = new URLSearchParams({ name, options: JSON.stringify(options) });
    await page.goto(`${server.url}www/widget.html?${q}`);
    await page.waitForSelector(`#widget-host[data-mounted="${name}"]`, T);
    return page;
  }
  const figure = (page) => page.locator('#widget-host figure');
  async function settled(page, attr = 'state') {
    await page.waitForFunction((a) => {
      const f = document.querySelector('#widget-host figure');
      return f && f.dataset[a] && f.dataset[a] !== 'computing';
    }, attr, T);
    return page.evaluate(() => ({ ...document.querySelector('#widget-host figure').dataset }));
  }
  async function setField(page, label, value) {
    await page.getByLabel(label, { exact: true }).fill(String(value));
    await page.waitForTimeout(50);
  }

  test('linear-shapes: shapes, parameter count, real init, size guard', async () => {
    const page = await open('linear-shapes', { n: 2, in: 4, out: 3, bias: true, seed: 0 });
    let d = await settled(page);
    assert.equal(d.params, '15');
    assert.equal(d.yShape, '2,3');
    // torch.manual_seed(0); nn.Linear(4, 3).weight[0, 0] = -0.003743410110473633
    assert.ok(Math.abs(Number(d.w0) + 0.0037434101) < 1e-6, d.w0);
    assert.match(await figure(page).textContent(), /x \[2, 4\] · Wᵀ \[4, 3\] \+ b \[3\] → y \[2, 3\]/);
    const pixel = await page.evaluate(() => {
      const c = document.querySelector('.nn-heatmap');
      return Array.from(c.getContext('2d').getImageData(2, 2, 1, 1).data);
    });
    assert.notDeepEqual(pixel, [0, 0, 0, 0]);
    await setField(page, 'out_features', 10);
    d = await settled(page);
    assert.equal(d.params, '50');
    assert.equal(d.yShape, '2,10');
    await page.getByLabel('bias').uncheck();
    await page.waitForFunction(() => document.querySelector('#widget-host figure').dataset.params === '40', null, T);
    await setField(page, 'in_features', 100000000);
    d = await settled(page);
    assert.equal(d.state, 'error');
    assert.match(await page.textContent('.nn-error'), /ValueError: nn\.Linear\(100000000, 10\) would have 1000000000 parameters/);
    // The last layer that could be built stays, greyed and labelled as out of date.
    assert.match(await page.textContent('.nn-stale-note'), /^Out of date: below is the last layer that could be built, Linear\(in_features=4, out_features=10, bias=False\)\.$/);
    assert.equal(await page.$eval('.nn-heatmap', (c) => c.parentElement.classList.contains('nn-stale')), true);
    await setField(page, 'in_features', 5);
    d = await settled(page);
    assert.equal(d.params, '50');
    assert.equal(await page.$eval('.nn-heatmap', (c) => c.parentElement.classList.contains('nn-stale')), false);
    assert.equal(await page.isVisible('.nn-stale-note'), false);
    await screenshot(page, 'lesson-linear-shapes');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('flatten-mistake: one prediction vs 64, and PyTorch\'s mismatch error', async () => {
    const page = await open('flatten-mistake', { count: 64 });
    await page.waitForFunction(() => document.querySelector('#widget-host figure').dataset.state === 'done', null, T);
    const d = await settled(page, 'tryState');
    assert.equal(d.wrongY, '10');
    assert.equal(d.rightY, '64,10');
    const text = await figure(page).textContent();
    assert.match(text, /\[196608\]/);
    assert.match(text, /1,966,090 parameters/);
    assert.match(text, /one prediction for the whole batch/);
    assert.match(text, /64 predictions, one per image/);
    assert.equal(d.tryState, 'error');
    // PyTorch's text, and above it the figure's own words for it.
    assert.equal(await page.textContent('.nn-try .nn-error .nn-pytorch'),
      'RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (64x3072 and 196608x10)');
    assert.equal(await page.textContent('.nn-try .nn-error .nn-explain'),
      'Each of the 64 flattened rows has 3,072 numbers, but nn.Linear(196608, …) takes rows of 196,608: in_features must be the flattened size, 3,072.');
    await setField(page, 'nn.Linear(in_features, 10): in_features', 3072);
    await page.waitForFunction(() => document.querySelector('#widget-host figure').dataset.tryState === 'done', null, T);
    assert.match(await page.textContent('.nn-try .nn-result'), /y \[64, 10\]/);
    await page.selectOption('.nn-try select', '0');
    await page.waitForFunction(() => document.querySelector('#widget-host figure').dataset.tryState === 'error', null, T);
    assert.match(await page.textContent('.nn-try .nn-error .nn-explain'), /^The flattened batch is one row of 196,608 numbers, but nn\.Linear\(3072, …\) takes rows of 3,072/);
    assert.equal(await page.$eval('.nn-try .nn-result', (e) => e.classList.contains('nn-stale')), true, 'the last result is greyed');
    assert.match(await page.textContent('.nn-try .nn-result'), /y \[64, 10\]/);
    const lit = await page.evaluate(() => {
      const c = document.querySelector('.nn-strip');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let s = 0;
      for (let i = 0; i < px.length; i += 4) s += px[i];
      return s;
    });
    assert.ok(lit > 0, 'CIFAR images drawn');
    await screenshot(page, 'lesson-flatten-mistake');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('reshape-grid: -1 inferred, indices in both shapes, PyTorch\'s error', async () => {
    const page = await open('reshape-grid', { in_shape: [2, 3, 4], op: 'reshape', target: [4, -1] });
    let d = await settled(page);
    assert.equal(d.outShape, '4,6');
    assert.match(await page.textContent('.nn-invariant'), /2 × 3 × 4 = 24 = 4 × 6/);
    assert.match(await page.textContent('.nn-invariant'), /-1 at position 1 became 6/);
    // Keyboard: focus the input tensor and move to element 17.
    await page.locator('.nn-tensor').first().focus();
    for (let i = 0; i < 17; i++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector('#widget-host figure').dataset.hover === '[1, 1, 1]→[2, 5]', null, T);
    await page.hover('.nn-tensor >> nth=1 >> [data-flat="7"]');
    await page.waitForFunction(() => document.querySelector('#widget-host figure').dataset.hover === '[0, 1, 3]→[1, 1]', null, T);
    // An impossible target: the figure says why in its own terms and greys the stale cells.
    await setField(page, 'target shape', '-1, 5');
    d = await settled(page);
    assert.equal(d.state, 'error');
    assert.equal(d.error, "RuntimeError: shape '[-1, 5]' is invalid for input of size 24");
    assert.equal(await page.textContent('.nn-error .nn-explain'), '24 elements cannot be split into rows of 5: 24 is not a multiple of 5 (24 = 4 × 5 + 4).');
    assert.equal(await page.textContent('.nn-stale-note'), 'Out of date: below is the last call that worked, x [2, 3, 4] → y [4, 6].');
    assert.equal(await page.$eval('.nn-pictures', (p) => p.classList.contains('nn-stale') && p.querySelectorAll('.nn-cell').length), 48);
    await setField(page, 'target shape', '-1, 6');
    d = await settled(page);
    assert.equal(d.outShape, '4,6');
    assert.equal(await page.$eval('.nn-pictures', (p) => p.classList.contains('nn-stale')), false);
    assert.equal(await page.isVisible('.nn-error'), false);
    await setField(page, 'input shape', '64, 3, 32, 32');
    await setField(page, 'target shape', '7, -1');
    d = await settled(page);
    assert.equal(d.state, 'error');
    assert.equal(d.error, "RuntimeError: shape '[7, -1]' is invalid for input of size 196608");
    assert.equal(d.explain, '196,608 elements cannot be split into 7 equal rows: 196,608 is not a multiple of 7 (196,608 = 28,086 × 7 + 6).');
    await setField(page, 'target shape', '64, -1');
    d = await settled(page);
    assert.equal(d.outShape, '64,3072');
    assert.match(await page.textContent('.nn-invariant'), /64 × 3 × 32 × 32 = 196,608 = 64 × 3,072/);
    await page.selectOption('select', 'nn.Flatten');
    await page.waitForFunction(() => document.querySelector('#widget-host figure').dataset.outShape === '64,3072' && document.querySelector('.nn-call').textContent.startsWith('nn.Flatten'), null, T);
    await setField(page, 'start_dim', 4);
    d = await settled(page);
    assert.equal(d.error, 'IndexError: Dimension out of range (expected to be in range of [-4, 3], but got 4)');
    assert.equal(d.explain, 'x has 4 dimensions, numbered 0 to 3 (or -4 to -1 from the end): start_dim 4 is not one of them.');
    await screenshot(page, 'lesson-reshape-grid');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('stn-transform: sliders change theta and the output', async () => {
    const page = await open('stn-transform', { index: 0, rotation: 0, scale: 1 });
    let d = await settled(page);
    assert.deepEqual(JSON.parse(d.theta), [1, 0, 0, 0, 1, 0]);
    assert.ok(Number(d.loss) < 1e-9, d.loss);
    const out0 = await page.evaluate(() => document.querySelectorAll('.nn-digit')[1].toDataURL());
    const slider = page.locator('input[data-param="rotation"]');
    await slider.focus();
    for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => JSON.parse(document.querySelector('#widget-host figure').dataset.theta || '[1]')[1] < -0.4, null, T);
    d = await settled(page);
    assert.ok(Number(d.loss) > 0);
    const theta = JSON.parse(d.theta);
    assert.ok(Math.abs(theta[0] - Math.cos(Math.PI / 6)) < 1e-5, d.theta);
    const out1 = await page.evaluate(() => document.querySelectorAll('.nn-digit')[1].toDataURL());
    assert.notEqual(out0, out1);
    await page.getByLabel('align_corners').check();
    await page.waitForFunction((l) => document.querySelector('#widget-host figure').dataset.loss !== l, d.loss, T);
    await screenshot(page, 'lesson-stn-transform');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('stn-interp: four weights, nearest dL/dtheta is exactly 0, bilinear is not', async () => {
    const page = await open('stn-interp', { index: 0, rotation: 25, scale: 1.1, row: 10, col: 14 });
    let d = await settled(page);
    const w = JSON.parse(d.weights);
    assert.ok(Math.abs(w.reduce((a, b) => a + b) - 1) < 1e-5, d.weights);
    assert.deepEqual(JSON.parse(d.gradNearest), [0, 0, 0, 0, 0, 0]);
    assert.ok(JSON.parse(d.gradBilinear).some((v) => Math.abs(v) > 1e-3), d.gradBilinear);
    const src = d.source;
    await page.locator('.nn-pick').focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((s) => document.querySelector('#widget-host figure').dataset.source !== s, src, T);
    d = await settled(page);
    await page.locator('.nn-pick').click({ position: { x: 5, y: 5 } });
    await page.waitForFunction(() => /row 0, col 0/.test(document.querySelector('.nn-detail').textContent), null, T);
    await screenshot(page, 'lesson-stn-interp');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('stn-confidence: usable at once with the weights make data trained; θ typed as six numbers', async () => {
    const page = await open('stn-confidence', { index: 0 });
    const d0 = await settled(page);
    assert.equal(d0.source, 'pretrained');
    assert.ok(Number(d0.accuracy) > 0.9, `accuracy ${d0.accuracy}`);
    assert.match(await page.textContent('.nn-status'), /trained by `make data`: 640 Adam steps of 64 upright digits \(seed 0\)\. It gets \d+\.\d% of 500 upright test digits right/);
    assert.equal(await page.isVisible('progress'), false, 'no training on the page');
    assert.deepEqual(JSON.parse(d0.theta), [1, 0, 0, 0, 1, 0]);
    // A slider moves θ; its six numbers follow.
    await page.locator('input[data-param="rotation"]').fill('150');
    await page.waitForFunction((c) => document.querySelector('#widget-host figure').dataset.conf !== c, d0.conf, T);
    const d1 = await settled(page);
    assert.ok(Math.abs(Number(await page.getByLabel('θ[0][0]').inputValue()) - Math.cos((150 * Math.PI) / 180)) < 1e-3);
    // θ typed directly: the sliders are greyed and the picture follows the typed θ.
    await page.getByLabel('θ[0][0]').fill('1');
    await page.getByLabel('θ[0][1]').fill('0');
    await page.getByLabel('θ[1][0]').fill('0');
    await page.getByLabel('θ[1][1]').fill('1');
    await page.getByLabel('θ[0][2]').fill('0.5');
    await page.waitForFunction(() => JSON.parse(document.querySelector('#widget-host figure').dataset.theta)[2] === 0.5, null, T);
    const d2 = await settled(page);
    assert.deepEqual(JSON.parse(d2.theta), [1, 0, 0.5, 0, 1, 0]);
    assert.notEqual(d2.conf, d1.conf);
    assert.equal(await page.$eval('.nn-sliders', (s) => s.classList.contains('nn-stale')), true);
    assert.match(await page.textContent('.nn-confidence'), /θ typed directly: the sliders are not used/);
    await page.getByLabel('θ[1][2]').fill('');
    await page.waitForSelector('.nn-error:not([hidden])', T);
    assert.equal(await page.textContent('.nn-error'), 'θ needs six numbers: θ[1][2] is not one.');
    await screenshot(page, 'lesson-stn-confidence');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('stn-confidence without the trained weights: trains here, the controls work meanwhile', async () => {
    const page = await open('stn-confidence', { index: 0, steps: 40, chunk: 10, weights: 'no-such-weights' });
    await page.waitForFunction(() => document.querySelector('#widget-host figure').dataset.source === 'training', null, T);
    assert.match(await page.textContent('.nn-status'), /No pre-trained weights \(could not load no-such-weights\.safetensors \(HTTP 404; run `make data`\)\)\. Training the CNN/);
    await page.waitForFunction(() => document.querySelector('#widget-host figure').dataset.source === 'trained-here', null, { timeout: 120000 });
    const d0 = await settled(page);
    assert.ok(Number(d0.accuracy) > 0.5, `accuracy ${d0.accuracy}`);
    await page.locator('input[data-param="rotation"]').fill('150');
    await page.waitForFunction((c) => document.querySelector('#widget-host figure').dataset.conf !== c, d0.conf, T);
    assert.deepEqual(page.consoleErrors.filter((e) => !/404/.test(e)), []);
  });

  test('stn-train: both networks train on distorted digits and report accuracy', async () => {
    const page = await open('stn-train', { steps: 10, chunk: 5, eval_every: 10, eval_count: 100, autostart: true });
    await page.waitForFunction(() => document.querySelector('#widget-host figure').dataset.state === 'done', null, { timeout: 180000 });
    const d = await page.evaluate(() => ({ ...document.querySelector('#widget-host figure').dataset }));
    assert.equal(d.steps, '10');
    for (const a of [d.accStn, d.accPlain]) assert.ok(Number(a) >= 0 && Number(a) <= 1, a);
    assert.match(await page.textContent('.nn-status'), /Done: 10 steps/);
    // Loss and accuracy curves: the accuracy at the start and after the 10 steps, per network.
    assert.equal(d.evals, '2');
    assert.deepEqual(await page.$$eval('.nn-chart h4', (h) => h.map((x) => x.textContent)), ['Training loss', 'Accuracy on 100 distorted test digits']);
    assert.deepEqual(await page.$$eval('.nn-chart', (c) => c.map((x) => x.dataset.points)), ['2', '2']);
    const acc = page.locator('.nn-chart').nth(1);
    const box = await acc.locator('.u-over').boundingBox();
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await page.waitForFunction(() => /\d+\.\d %/.test(document.querySelectorAll('.nn-chart')[1].querySelector('.u-legend').textContent), null, T);
    const legend = await acc.locator('.u-legend').textContent();
    assert.ok(legend.includes(`${(100 * Number(d.accStn)).toFixed(1)} %`), legend);
    assert.ok(legend.includes(`${(100 * Number(d.accPlain)).toFixed(1)} %`), legend);
    await screenshot(page, 'lesson-stn-train');
    assert.deepEqual(page.consoleErrors, []);
  });
});
