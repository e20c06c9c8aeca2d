// The CIFAR-10 trainer widget through www/widget.html: real images, the loss falls, pause and
// resume, a reload resumes from the IndexedDB checkpoint, export → import gives the same
// predictions, a corrupt .safetensors is refused with the model untouched, and an official
// data_batch .bin (built here from real test images) loads and trains.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, launch, screenshot, serve } from './harness.mjs';

// Small and fast: 64 images, batch 16, Adam lr 3e-3 (falls reliably within 8 steps).
const OPTIONS = { trainSize: 64, batchSize: 16, epochs: 12, optimizer: 'adam', lr: 0.003, normalize: true, storeKey: 'e2e' };

/** The first `n` images of www/data/cifar10-test.nnbd as an official CIFAR-10 batch file
 *  (records of 1 label byte + 3072 CHW pixel bytes). */
function officialBatch(n) {
  const b = readFileSync(join(ROOT, 'www/data/cifar10-test.nnbd'));
  assert.equal(b.subarray(0, 4).toString(), 'NNBD');
  const count = b.readUInt32LE(8);
  const [c, h, w, k] = [b.readUInt16LE(12), b.readUInt16LE(14), b.readUInt16LE(16), b.readUInt16LE(18)];
  assert.deepEqual([c, h, w, k], [3, 32, 32, 10]);
  let off = 20;
  off += 2 + b.readUInt16LE(off); // dataset name
  for (let i = 0; i < k; i++) off += 2 + b.readUInt16LE(off); // class names
  const pixels = off;
  const labels = pixels + count * 3072;
  const out = Buffer.alloc(n * 3073);
  for (let i = 0; i < n; i++) {
    out[i * 3073] = b[labels + i];
    b.copy(out, i * 3073 + 1, pixels + i * 3072, pixels + (i + 1) * 3072);
  }
  return out;
}

describe('CIFAR-10 trainer widget', () => {
  let server, browser, page;
  const url = () => `${server.url}www/widget.html?name=trainer&options=${encodeURIComponent(JSON.stringify(OPTIONS))}`;
  const attr = (name) => page.getAttribute('.nn-trainer', `data-${name}`);
  const waitState = (s, timeout = 120000) => page.waitForSelector(`.nn-trainer[data-state="${s}"]`, { timeout });
  const waitStep = (n, timeout = 120000) => page.waitForFunction(
    (m) => Number(document.querySelector('.nn-trainer')?.dataset.step || 0) >= m, n, { timeout });
  const evaluate = async () => {
    await page.evaluate(() => document.querySelector('.nn-trainer')?.removeAttribute('data-eval-loss'));
    await page.click('button[data-action="evaluate"]');
    await page.waitForSelector('.nn-trainer[data-eval-loss]', { timeout: 60000 });
    return attr('eval-loss');
  };

  before(async () => {
    server = await serve({ isolation: false });
    browser = await launch();
    page = await browser.newPage();
  });
  after(async () => { await browser?.close(); server?.stop(); });

  test('trains on real images: the loss falls; pause and resume', async () => {
    await page.goto(url());
    await page.waitForSelector('#widget-host[data-mounted="trainer"]', { timeout: 60000 });
    await waitState('ready');
    assert.match(await page.textContent('.nn-data-status'), /10,000 training and 1,000 test images/);
    await page.click('button[data-action="start"]');
    await waitStep(20);
    await page.click('button[data-action="pause"]');
    await waitState('paused');
    // the running chunk finishes, then the checkpoint is saved and the widget says so
    await page.waitForSelector('.nn-trainer[data-settled-step]', { timeout: 60000 });
    assert.match(await page.textContent('.nn-train-message'), /Paused \(checkpoint saved\)/);
    const paused = Number(await attr('step'));
    assert.equal(Number(await attr('settled-step')), paused);
    const first = Number(await attr('loss-first'));
    const last = Number(await attr('loss-last'));
    assert.ok(first > 2.0 && first < 2.6, `first losses ${first} (expect ~ln 10)`);
    assert.ok(last < first - 0.15, `loss did not fall: ${first} -> ${last}`);
    const ips = Number(await attr('images-per-s'));
    assert.ok(ips > 0);
    console.log(`trainer: ${ips} images/s (single-thread package, loaded machine)`);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(Number(await attr('step')), paused, 'no steps while paused');
    await page.click('button[data-action="resume"]');
    await waitStep(paused + 2);
    await page.click('button[data-action="pause"]');
    await waitState('paused');
    assert.match(await page.textContent('.nn-train-stats'), /images\/s · elapsed .* · ETA/);
    assert.ok(await page.evaluate(() => document.querySelector('.nn-train-charts canvas')
      .getContext('2d').getImageData(0, 0, 460, 180).data.some((v) => v !== 0)), 'loss chart drawn');
    await screenshot(page, 'trainer-paused');
  });

  test('a reload restores the checkpoint and resumes where training stopped', async () => {
    await page.waitForFunction(() => {
      const d = document.querySelector('.nn-trainer').dataset;
      return d.checkpointStep === d.step;
    }, null, { timeout: 60000 });
    const step = Number(await attr('step'));
    await page.reload();
    await page.waitForSelector('.nn-trainer[data-resumed="1"]', { timeout: 60000 });
    await waitState('paused');
    assert.equal(Number(await attr('step')), step);
    assert.match(await page.textContent('.nn-train-message'), /Restored the checkpoint/);
    await page.click('button[data-action="resume"]');
    await waitStep(step + 1);
    await page.click('button[data-action="pause"]');
    await waitState('paused');
  });

  test('exported weights re-import to the same predictions; a corrupt file changes nothing', async () => {
    const before = await evaluate();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action="export"]')]);
    const file = await download.path();
    const bytes = readFileSync(file);
    // Train on, so the model differs, then import the export back.
    await page.click('button[data-action="resume"]');
    const s = Number(await attr('step'));
    await waitStep(s + 2);
    await page.click('button[data-action="pause"]');
    await waitState('paused');
    const changed = await evaluate();
    assert.notEqual(changed, before);
    await page.setInputFiles('.nn-trainer input[accept=".safetensors"]', { name: 'cifar10.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
    await page.waitForSelector('.nn-trainer[data-imported="cifar10.safetensors"]', { timeout: 30000 });
    assert.equal(await evaluate(), before);
    // Corrupt: truncated by 10 bytes → a clear error, model untouched.
    await page.setInputFiles('.nn-trainer input[accept=".safetensors"]', { name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, bytes.length - 10) });
    const alert = await page.waitForSelector('.nn-trainer .nn-error', { timeout: 30000 });
    assert.match(await alert.textContent(), /broken\.safetensors: not a valid \.safetensors file: .*truncated/);
    assert.equal(await evaluate(), before);
    // Gallery and confusion matrix are shown.
    assert.equal(await page.locator('.nn-gallery figure').count(), 24);
    assert.equal(await page.locator('.nn-confusion td').count(), 100);
  });

  // Issue 5's memory target; `make bench` measures it at batch 64 (train_worker_memory_bytes).
  test('the worker stays under 256 MB with the 10,000-image subset loaded, trained and evaluated', async () => {
    const bytes = await page.evaluate(async () => {
      const { getClient } = await import('./client.js');
      return (await getClient().call('benchMemory', { js: false })).wasm_memory_bytes;
    });
    console.log(`trainer: wasm memory ${(bytes / 2 ** 20).toFixed(1)} MB`);
    assert.ok(bytes > 40 * 2 ** 20, `wasm memory ${bytes} bytes cannot hold the 10,000 + 1,000 images`);
    assert.ok(bytes < 256 * 2 ** 20, `wasm memory ${bytes} bytes (target: under 256 MB)`);
  });

  test('an official data_batch .bin built from real images loads and trains', async () => {
    await page.setInputFiles('.nn-drop input[type=file]', { name: 'data_batch_1.bin', mimeType: 'application/octet-stream', buffer: officialBatch(200) });
    await page.waitForSelector('.nn-trainer[data-train-name="data_batch_1"]', { timeout: 30000 });
    assert.match(await page.textContent('.nn-data-status'), /data_batch_1 \(200 images, train\)/);
    // A broken one: a typed error naming the file and offset.
    await page.setInputFiles('.nn-drop input[type=file]', { name: 'data_batch_2.bin', mimeType: 'application/octet-stream', buffer: officialBatch(2).subarray(0, 5000) });
    const alert = await page.waitForSelector('.nn-trainer .nn-error', { timeout: 30000 });
    assert.match(await alert.textContent(), /data_batch_2\.bin/);
    await page.click('button[data-action="start"]');
    await page.waitForFunction(() => /Training 64 images/.test(document.querySelector('.nn-train-message').textContent));
    assert.ok(Number(await attr('step')) < 3);
    await waitStep(3);
    await page.click('button[data-action="stop"]');
    await waitState('stopped');
    assert.deepEqual(page.consoleErrors, []);
  });
});
