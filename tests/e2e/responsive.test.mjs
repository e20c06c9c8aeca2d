// The page stays responsive while the trainer trains: the Long Tasks API reports no main-thread
// task over 50 ms (all compute is in the worker; charts redraw at most once a frame).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launch, serve } from './harness.mjs';

describe('responsiveness while training', () => {
  let server, browser;
  before(async () => { server = await serve(); browser = await launch(); });
  after(async () => { await browser?.close(); server?.stop(); });

  test('no main-thread task longer than 50 ms during 10 s of training', async () => {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      window.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.longTasks.push(Math.round(e.duration));
      }).observe({ type: 'longtask' });
    });
    await page.goto(`${server.url}www/widget.html?name=trainer`);
    await page.waitForSelector('#widget-host[data-mounted="trainer"]', { timeout: 60000 });
    await page.waitForSelector('[data-train-name]', { timeout: 60000 }); // the CIFAR-10 subset is loaded
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForSelector('[data-state="running"]', { timeout: 30000 });
    const before = await page.evaluate(() => window.longTasks.length);
    await page.waitForTimeout(10000);
    const got = await page.evaluate(() => ({ tasks: window.longTasks, step: Number(document.querySelector('[data-step]')?.dataset.step) }));
    assert.ok(got.step > 5, `training advanced (step ${got.step})`);
    assert.deepEqual(got.tasks.slice(before), [], 'long main-thread tasks (ms) while training');
    assert.deepEqual(page.consoleErrors, []);
  });
});
