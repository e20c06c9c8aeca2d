// The embed demo: two custom elements from nnbook-widgets.js in a plain page render inside their
// Shadow DOM, compute through one shared worker, and leave the host page's globals and URL alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launch, screenshot, serve } from './harness.mjs';

describe('www/embed.html', () => {
  let server, browser;
  before(async () => { server = await serve(); browser = await launch(); });
  after(async () => { await browser?.close(); server?.stop(); });

  test('both widgets compute in Shadow DOM with one worker', async () => {
    const page = await browser.newPage();
    const workers = [];
    page.on('worker', (w) => { if (w.url().endsWith('/worker.js')) workers.push(w.url()); });
    await page.goto(`${server.url}www/embed.html`);
    await page.waitForSelector('nn-linear[data-mounted="linear-shapes"]', { timeout: 60000 });
    await page.waitForSelector('nn-reshape[data-mounted="reshape-grid"]', { timeout: 60000 });
    // Playwright's CSS engine pierces open shadow roots.
    await page.waitForSelector('nn-linear figure[data-state="done"]', { timeout: 60000 });
    await page.waitForSelector('nn-reshape figure[data-state="done"]', { timeout: 60000 });
    const linear = await page.$eval('nn-linear', (e) => {
      const f = e.shadowRoot.querySelector('figure');
      return { params: f.dataset.params, y: f.dataset.yShape, light: e.children.length };
    });
    assert.deepEqual(linear, { params: '21', y: '4,3', light: 0 }); // 6·3 + 3; nothing in light DOM
    const out = await page.$eval('nn-reshape', (e) => e.shadowRoot.querySelector('figure').dataset.outShape);
    assert.equal(out, '4,6'); // [2, 3, 4] → [4, -1] infers 6
    // The cell runs in the shared worker's Python kernel.
    await page.waitForSelector('nn-cell[data-mounted="cell"]', { timeout: 60000 });
    await page.click('nn-cell button.nb-run');
    await page.waitForSelector('nn-cell .nb-cell[data-state="done"]', { timeout: 60000 });
    assert.equal((await page.textContent('nn-cell .nb-output')).trim(), 'torch.Size([64, 3072])');
    assert.equal(workers.length, 1, `one shared worker, got ${workers.length}`);
    assert.equal(new URL(page.url()).search, '', 'the widgets leave the host URL alone');
    const leaked = await page.evaluate(() => {
      const frame = document.createElement('iframe'); // a fresh window of the same browser
      document.body.append(frame);
      const base = new Set(Object.keys(frame.contentWindow));
      frame.remove();
      return Object.keys(window).filter((k) => !base.has(k));
    });
    assert.deepEqual(leaked, [], 'no globals added to window');
    await screenshot(page, 'embed');
    assert.deepEqual(page.consoleErrors, []);
  });
});

describe('the landing page documents the embed snippet with a live example', () => {
  let server, browser;
  before(async () => { server = await serve(); browser = await launch(); });
  after(async () => { await browser?.close(); server?.stop(); });

  test('the snippet\'s element computes', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#landing-embed figure[data-state="done"]', { timeout: 60000 });
    assert.equal(await page.$eval('#landing-embed', (e) => e.shadowRoot.querySelector('figure').dataset.outShape), '3,8');
    assert.match(await page.textContent('#embed-h + p + pre'), /<nn-reshape in-shape="\[2, 3, 4\]" target="\[3, -1\]"><\/nn-reshape>/);
    assert.deepEqual(page.consoleErrors, []);
  });
});
