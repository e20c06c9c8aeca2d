// The layer editor and the graph view through www/widget.html: the CIFAR-10 trace, PyTorch's
// error at the layer that breaks, adding a ReLU, the graph's nodes and a conv layer's feature
// maps and filters drawn, no console errors, every control labelled (axe-core).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { a11yViolations, launch, screenshot, serve } from './harness.mjs';

/** Whether a canvas has more than one distinct pixel value (i.e. is not blank). */
const canvasVaries = (sel) => (page) => page.evaluate((s) => {
  const c = document.querySelector(s);
  if (!c || c.width < 2) return false;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const seen = new Set();
  for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
  return seen.size > 8;
}, sel);

describe('layer editor and model graph', () => {
  let server, browser, page;
  const widget = (name, options = {}) => `${server.url}www/widget.html?name=${name}&options=${encodeURIComponent(JSON.stringify(options))}`;

  before(async () => {
    server = await serve({ isolation: false });
    browser = await launch();
    page = await browser.newPage();
  });
  after(async () => { await browser?.close(); server?.stop(); });

  test('the editor traces the CIFAR-10 model, breaks at the right layer and keeps shapes for a ReLU', async () => {
    await page.goto(widget('layer-editor', { storeKey: 'e2e-editor' }));
    await page.waitForSelector('#widget-host[data-mounted="layer-editor"]', { timeout: 60000 });
    await page.waitForSelector('.nn-layer-editor[data-state="ok"]');
    const line = await page.textContent('.nn-trace-line');
    assert.ok(line.startsWith('[64, 3, 32, 32] → [64, 32, 32, 32] → [64, 32, 16, 16]'), line);
    assert.ok(line.endsWith('[64, 1024] → [64, 64] → [64, 10]'), line);
    assert.equal(await page.getAttribute('.nn-layer-editor', 'data-total-params'), '145578');
    assert.match(await page.textContent('.nn-layer-totals'), /145,578 parameters/);
    assert.match(await page.textContent('li[data-index="0"] .nn-layer-params'), /2,432 params/);
    // 64·32·32·32·3·5·5
    assert.match(await page.textContent('li[data-index="0"] .nn-layer-macs'), /157,286,400 mult-adds/);
    assert.match(await page.textContent('.nn-model-text'), /\(1\): MaxPool2d\(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False\)/);

    // Remove the first MaxPool2d: Linear(1024, 64) now gets 4096 features.
    await page.click('button[aria-label="Remove layer 1 (MaxPool2d)"]');
    await page.waitForSelector('.nn-layer-editor[data-state="broken"]');
    assert.equal(await page.getAttribute('.nn-layer-editor', 'data-error-layer'), '6');
    assert.equal(await page.textContent('li.nn-layer-broken .nn-layer-error'),
      'RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (64x4096 and 1024x64)');
    assert.equal(await page.getAttribute('li.nn-layer-broken', 'data-type'), 'Linear');
    assert.equal(await page.locator('li.nn-layer-greyed').count(), 1);
    // The removal kept keyboard focus on a layer button.
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'BUTTON');

    // Reset, then add a ReLU after layer 0 with the keyboard: shapes unchanged.
    await page.click('button[data-action="reset"]');
    await page.waitForFunction(() => document.querySelector('.nn-layer-editor').dataset.layers === '9'
      && document.querySelector('.nn-layer-editor').dataset.state === 'ok');
    await page.selectOption('select[aria-label="Layer type to add"]', 'ReLU');
    await page.selectOption('select[aria-label="Insert the new layer after"]', '0');
    await page.focus('button[data-action="add"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('.nn-layer-editor').dataset.layers === '10');
    await page.waitForSelector('.nn-layer-editor[data-state="ok"]');
    assert.equal(await page.getAttribute('li[data-index="1"]', 'data-type'), 'ReLU');
    assert.equal(await page.textContent('li[data-index="1"] .nn-layer-shape'), '→ [64, 32, 32, 32]');
    assert.equal(await page.getAttribute('.nn-layer-editor', 'data-output-shape'), '[64, 10]');

    // Editing an argument inline: Conv2d 0 with 16 output channels breaks layer 3.
    await page.fill('li[data-index="0"] input[data-arg="out_channels"]', '16');
    await page.waitForSelector('.nn-layer-editor[data-state="broken"]');
    assert.equal(await page.textContent('li.nn-layer-broken .nn-layer-error'),
      'RuntimeError: Given groups=1, weight of size [32, 32, 5, 5], expected input[64, 16, 16, 16] to have 32 channels, but got 16 channels instead');
    // Kept across a reload (localStorage).
    await page.reload();
    await page.waitForSelector('.nn-layer-editor[data-state="broken"]', { timeout: 60000 });
    assert.equal(await page.getAttribute('.nn-layer-editor', 'data-layers'), '10');
    // An absurd size: the size guard's message, at once.
    await page.fill('li[data-index="0"] input[data-arg="out_channels"]', '100000000');
    await page.waitForFunction(() => /size limit|limited to/.test(document.querySelector('li.nn-layer-broken .nn-layer-error')?.textContent || ''));
    await page.click('button[data-action="reset"]');
    await page.waitForSelector('.nn-layer-editor[data-state="ok"]');
    await screenshot(page, 'layer-editor');
    assert.deepEqual(await a11yViolations(page), []);
    assert.deepEqual(page.consoleErrors, []);
  });

  test('the graph shows 9 nodes; activating a conv node draws its feature maps and filters', async () => {
    await page.goto(widget('model-graph', { image: 3 }));
    await page.waitForSelector('#widget-host[data-mounted="model-graph"]', { timeout: 60000 });
    await page.waitForSelector('.nn-model-graph[data-state="ready"]', { timeout: 60000 });
    assert.equal(await page.locator('.nn-graph-node').count(), 9);
    assert.equal(await page.getAttribute('.nn-model-graph', 'data-nodes'), '9');
    assert.equal(await page.locator('.nn-graph-edge').count(), 9);
    assert.equal(await page.textContent('.nn-graph-node[data-layer="0"]'), '(0) Conv2dout [1, 32, 32, 32]2,432 params');
    assert.match(await page.textContent('.nn-graph-source'), /freshly initialised/);
    await page.click('.nn-graph-node[data-layer="2"]');
    await page.waitForSelector('.nn-model-graph[data-maps="drawn"][data-selected="2"]');
    assert.ok(await canvasVaries('.nn-graph-maps')(page), 'feature maps drawn');
    assert.ok(await canvasVaries('.nn-graph-filters')(page), 'filters drawn');
    assert.match(await page.textContent('.nn-graph-maps-text'), /32 of 32 feature maps of 16×16/);
    assert.match(await page.textContent('.nn-graph-filters-text'), /weight \[32, 32, 5, 5\]/);
    // Keyboard: from node 2, arrow down to the pooling layer, Enter.
    await page.focus('.nn-graph-node[data-layer="2"]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.nn-model-graph[data-maps="drawn"][data-selected="3"]');
    assert.ok(await page.isHidden('.nn-graph-filters'));
    // The last layer: ten logits as a strip.
    await page.click('.nn-graph-node[data-layer="8"]');
    await page.waitForSelector('.nn-model-graph[data-maps="drawn"][data-selected="8"]');
    assert.match(await page.textContent('.nn-graph-maps-text'), /Output \[1, 10\]: 10 values/);
    await screenshot(page, 'model-graph');
    assert.deepEqual(await a11yViolations(page), []);
    assert.deepEqual(page.consoleErrors, []);
  });
  test('train this model: the edited model trains on CIFAR-10 images, with its charts and graph', async () => {
    await page.goto(widget('layer-editor', { storeKey: 'e2e-train-model' }));
    await page.waitForSelector('.nn-layer-editor[data-state="ok"]', { timeout: 60000 });
    const train = page.locator('.nn-layer-train');
    // A model that cannot classify 10 classes cannot be trained, and the page says why.
    await page.click('button[aria-label="Remove layer 8 (Linear)"]');
    await page.waitForSelector('.nn-layer-editor[data-state="ok"][data-layers="8"]');
    assert.equal(await page.isDisabled('button[data-action="train-model"]'), true);
    assert.equal(await train.locator('.nn-train-reason').textContent(),
      'Fix the model first: the output is [64, 64], but training on CIFAR-10 needs [N, 10], one score per class: end with nn.Linear(…, 10).');
    // A smaller model of the student's own: drop the third convolution block.
    await page.click('button[data-action="reset"]');
    await page.waitForSelector('.nn-layer-editor[data-state="ok"][data-layers="9"]');
    for (const i of [5, 4]) await page.click(`button[aria-label^="Remove layer ${i} "]`);
    await page.fill('li[data-index="5"] input[data-arg="in_features"]', '2048');
    await page.waitForSelector('.nn-layer-editor[data-state="ok"][data-layers="7"]');
    assert.equal(await page.isDisabled('button[data-action="train-model"]'), false);
    await train.getByLabel('training images').fill('64');
    await train.getByLabel('epochs').fill('2');
    await train.getByLabel('batch size').fill('16');
    await page.click('button[data-action="train-model"]');
    await page.waitForSelector('.nn-layer-train[data-train-state="done"]', { timeout: 180000 });
    const d = await train.evaluate((e) => ({ ...e.dataset }));
    assert.equal(d.trainStep, '8'); // 64 images / 16 × 2 epochs
    assert.equal(d.trainEpoch, '2');
    assert.equal(d.trainLayers, '7');
    assert.ok(Number(d.trainTestAccuracy) >= 0 && Number(d.trainTestAccuracy) <= 1, d.trainTestAccuracy);
    assert.match(await train.locator('.nn-train-status').textContent(), /^Epoch 2 of 2: train loss \d+\.\d{4}, train accuracy \d+\.\d %, test accuracy \d+\.\d %\. Training finished\.$/);
    assert.deepEqual(await train.locator('.nn-chart').evaluateAll((c) => c.map((x) => x.dataset.points)), ['8', '2']);
    // The graph is of this model and its trained weights.
    await page.waitForSelector('.nn-layer-train .nn-model-graph[data-state="ready"]', { timeout: 60000 });
    assert.equal(await train.locator('.nn-graph-node').count(), 7);
    assert.equal(await train.locator('.nn-model-graph').getAttribute('data-source'), 'trained');
    assert.equal(await train.locator('.nn-graph-source').textContent(), 'Weights: this model after 8 steps (images normalised as in training).');
    await train.locator('.nn-graph-node[data-layer="0"]').click();
    await page.waitForSelector('.nn-layer-train .nn-model-graph[data-maps="drawn"][data-selected="0"]');
    // Its own session: the lesson's trainer has not moved.
    assert.equal(await page.evaluate(async () => (await (await import('./client.js')).getClient().call('trainStatus')).step), 0);
    // Editing the model afterwards marks the charts and graph as out of date.
    await page.click('button[data-action="add"]');
    await page.waitForSelector('.nn-layer-editor[data-layers="8"]');
    assert.match(await train.locator('.nn-train-reason').textContent(), /The layers changed since this model was trained/);
    assert.equal(await train.locator('.nn-train-charts').evaluate((c) => c.classList.contains('nn-stale')), true);
    await screenshot(page, 'layer-editor-trained');
    assert.deepEqual(await a11yViolations(page), []);
    assert.deepEqual(page.consoleErrors, []);
  });
});
