// Figures keep and explain their own state, as a student meets them on the lesson pages, each
// test in a fresh browser profile: two figures of one kind keep two states across reloads; the
// evaluation follows the trainer (untrained, then after each epoch and when training stops).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launch, screenshot, serve } from './harness.mjs';

const T = { timeout: 120000 };

describe('figures keep their own state', () => {
  let server;
  before(async () => { server = await serve(); });
  after(() => server?.stop());

  async function lesson(browser, id) {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1000, height: 900 });
    await page.goto(`${server.url}www/lesson.html?id=${id}`);
    await page.waitForSelector('#lesson[data-state="ready"]', T);
    return page;
  }

  test('reshape lesson: its two reshape figures keep two states across reloads', async () => {
    const browser = await launch();
    try {
      const page = await lesson(browser, 'reshape');
      const fig = (i) => page.locator('.nb-widget[data-widget="reshape-grid"]').nth(i);
      const settled = (i) => page.waitForFunction((k) => {
        const f = document.querySelectorAll('.nb-widget[data-widget="reshape-grid"]')[k]?.querySelector('figure');
        return f && f.dataset.state === 'done' ? f.dataset.outShape : false;
      }, i, T).then((h) => h.jsonValue());
      assert.equal(await settled(0), '4,6');
      assert.equal(await settled(1), '2,12');
      // The student changes each figure: the first to [3, 8], the second to flatten from dim 2.
      await fig(0).getByLabel('target shape', { exact: true }).fill('3, 8');
      await page.waitForFunction(() => document.querySelector('.nb-widget[data-widget="reshape-grid"] figure').dataset.outShape === '3,8', null, T);
      await fig(1).getByLabel('start_dim', { exact: true }).fill('2');
      await page.waitForFunction(() => document.querySelectorAll('.nb-widget[data-widget="reshape-grid"] figure')[1].dataset.outShape === '2,3,4', null, T);
      for (let reload = 0; reload < 3; reload++) {
        await page.reload();
        await page.waitForSelector('#lesson[data-state="ready"]', T);
        assert.equal(await settled(0), '3,8', `reload ${reload + 1}: the first figure`);
        assert.equal(await settled(1), '2,3,4', `reload ${reload + 1}: the second figure`);
        assert.equal(await fig(0).locator('.nn-call').textContent(), 'x.reshape(3, 8)');
        assert.equal(await fig(1).locator('.nn-call').textContent(), 'nn.Flatten(2, -1)(x)');
        assert.equal(await fig(0).getByLabel('input shape', { exact: true }).inputValue(), '2, 3, 4');
        assert.equal(await fig(1).getByLabel('input shape', { exact: true }).inputValue(), '2, 3, 2, 2');
      }
      assert.deepEqual(page.consoleErrors, []);
    } finally {
      await browser.close();
    }
  });

  test('cifar10 lesson: the evaluation follows the trainer', async () => {
    const browser = await launch();
    try {
      const page = await lesson(browser, 'cifar10');
      const trainer = page.locator('.nn-trainer');
      const evaluation = page.locator('.nb-widget[data-widget="evaluation"] .nn-evaluation');
      const evalData = () => evaluation.evaluate((e) => ({ ...e.dataset }));
      await page.waitForSelector('.nn-trainer[data-state="ready"]', T);
      await page.waitForSelector('.nb-widget[data-widget="evaluation"] .nn-evaluation[data-state="done"]', T);
      let ev = await evalData();
      assert.equal(ev.trained, '0');
      assert.equal(ev.step, '0');
      assert.match(await evaluation.locator('.nn-eval-model').textContent(), /^Untrained: .* test accuracy \d+\.\d % on 1000 images/);
      const untrained = ev.accuracy;
      const refreshes = Number(ev.refreshes);

      // A small run: 256 images in batches of 16 for 3 epochs.
      await trainer.getByLabel('training images').fill('256');
      await trainer.getByLabel('batch size').fill('16');
      await trainer.getByLabel('epochs').fill('3');
      await trainer.locator('button[data-action="start"]').click();
      await page.waitForFunction(() => Number(document.querySelector('.nn-trainer').dataset.epoch) >= 1, null, T);
      await trainer.locator('button[data-action="pause"]').click();
      await page.waitForSelector('.nn-trainer[data-settled-step]', T);
      const paused = await trainer.getAttribute('data-settled-step');
      // Paused: the evaluation is of the model where training stopped.
      await page.waitForFunction((s) => {
        const e = document.querySelector('.nb-widget[data-widget="evaluation"] .nn-evaluation');
        return e.dataset.state === 'done' && e.dataset.step === s;
      }, paused, T);
      ev = await evalData();
      assert.equal(ev.trained, '1');
      assert.ok(Number(ev.refreshes) >= refreshes + 2, `refreshed at the start, after epoch 1 and at the pause (${ev.refreshes})`);
      assert.match(await evaluation.locator('.nn-eval-model').textContent(), new RegExp(`^After ${paused} steps \\(epoch \\d of 3\\): test accuracy`));

      // Resumed to the end: the evaluation's accuracy is the trainer's last test accuracy.
      await trainer.locator('button[data-action="resume"]').click();
      await page.waitForSelector('.nn-trainer[data-state="done"]', T);
      const step = await trainer.getAttribute('data-step');
      await page.waitForFunction((s) => {
        const e = document.querySelector('.nb-widget[data-widget="evaluation"] .nn-evaluation');
        return e.dataset.state === 'done' && e.dataset.step === s;
      }, step, T);
      ev = await evalData();
      assert.equal(ev.accuracy, await trainer.getAttribute('data-test-accuracy'));
      assert.notEqual(ev.accuracy, untrained);
      const text = await evaluation.locator('.nn-eval-model').textContent();
      assert.match(text, /^After all 3 epochs: test accuracy/);
      assert.ok(text.includes(`${(100 * Number(ev.accuracy)).toFixed(1)} %`), text);
      await evaluation.scrollIntoViewIfNeeded();
      await screenshot(page, 'figures-evaluation-follows-trainer');
      assert.deepEqual(page.consoleErrors, []);
    } finally {
      await browser.close();
    }
  });
});
