// The training charts as a student reads them, TensorBoard-style, on a high-DPI screen (device
// pixel ratio 2) in a fresh profile: axes with step numbers and ticks, the values under the
// pointer, a smoothing control that changes the smoothed curve and not the raw one, and a
// canvas with two device pixels per CSS pixel.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launch, screenshot, serve } from './harness.mjs';

const T = { timeout: 120000 };
const OPTIONS = { trainSize: 64, batchSize: 16, epochs: 2, optimizer: 'adam', lr: 0.003, normalize: true, storeKey: 'e2e-charts' };

describe('training charts', () => {
  let server, browser;
  before(async () => { server = await serve({ isolation: false }); browser = await launch({ deviceScaleFactor: 2 }); });
  after(async () => { await browser?.close(); server?.stop(); });

  test('ticks, hover values, smoothing, crisp on a high-DPI screen', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1000, height: 1100 });
    await page.goto(`${server.url}www/widget.html?name=trainer&options=${encodeURIComponent(JSON.stringify(OPTIONS))}`);
    await page.waitForSelector('.nn-trainer[data-state="ready"]', T);
    await page.click('button[data-action="start"]');
    await page.waitForSelector('.nn-trainer[data-state="done"]', T);
    const steps = Number(await page.getAttribute('.nn-trainer', 'data-step'));
    assert.equal(steps, 8); // 64 images / 16 per step × 2 epochs
    const loss = page.locator('.nn-chart').nth(0);
    const acc = page.locator('.nn-chart').nth(1);
    assert.equal(await loss.locator('h4').textContent(), 'Training loss');
    await page.waitForFunction((n) => document.querySelector('.nn-chart').dataset.points === String(n), steps, T);
    assert.equal(await acc.getAttribute('data-points'), '2');

    // Axes: step numbers along x, loss values up y; accuracy in percent.
    const xTicks = (await loss.getAttribute('data-x-ticks')).split(' | ');
    assert.ok(xTicks.length >= 3 && xTicks.every((t) => /^\d+$/.test(t)), xTicks.join(','));
    assert.ok(Number(xTicks.at(-1)) <= steps, xTicks.join(','));
    const yTicks = (await loss.getAttribute('data-y-ticks')).split(' | ');
    assert.ok(yTicks.length >= 3 && new Set(yTicks).size === yTicks.length, `distinct loss ticks: ${yTicks.join(',')}`);
    assert.ok((await acc.getAttribute('data-y-ticks')).split(' | ').every((t) => / %$/.test(t)));

    // Crisp: the plot's canvas has two device pixels per CSS pixel.
    const px = await loss.locator('canvas').evaluate((c) => ({ w: c.width, css: c.getBoundingClientRect().width }));
    assert.ok(Math.abs(px.w - 2 * px.css) <= 2, JSON.stringify(px));

    // Hover: the legend shows the step under the pointer and the loss there, raw and smoothed.
    const box = await loss.locator('.u-over').boundingBox();
    const hover = async () => {
      await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
      await page.mouse.move(box.x + box.width * 0.9 + 1, box.y + box.height / 2);
      return loss.locator('.u-legend .u-series').evaluateAll((rows) => rows.map((r) => r.querySelector('.u-value').textContent));
    };
    let [step, raw, smoothed] = await hover();
    assert.match(step, /^[2-8]$/);
    assert.match(raw, /^\d+\.\d{4}$/);
    assert.match(smoothed, /^\d+\.\d{4}$/);
    assert.notEqual(smoothed, raw, 'smoothing 0.6 by default');

    // Smoothing 0: the smoothed curve is the raw one; 0.95: it lags further behind.
    const slider = loss.getByLabel('smoothing');
    await slider.fill('0');
    await page.waitForFunction(() => document.querySelector('.nn-chart').dataset.smoothing === '0', null, T);
    let again = await hover();
    assert.equal(again[0], step);
    assert.equal(again[1], raw);
    assert.equal(again[2], raw);
    await slider.fill('0.95');
    again = await hover();
    assert.equal(again[1], raw);
    assert.notEqual(again[2], smoothed);
    await screenshot(page, 'charts-trainer-hidpi');
    assert.deepEqual(page.consoleErrors, []);
  });
});
