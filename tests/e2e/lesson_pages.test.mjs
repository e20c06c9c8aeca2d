// Every lesson of www/lessons/index.json opens in lesson.html with all its figures mounted (none
// in an error state) and no console errors — the lessons as a reader meets them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launch, ROOT, serve } from './harness.mjs';

const lessons = JSON.parse(readFileSync(join(ROOT, 'www/lessons/index.json'), 'utf8'));

describe('lesson pages', () => {
  let server, browser;
  before(async () => { server = await serve(); browser = await launch(); });
  after(async () => { await browser?.close(); server?.stop(); });

  for (const { id, title } of lessons) {
    test(`${id}: renders, every widget mounts`, async () => {
      const page = await browser.newPage();
      await page.goto(`${server.url}www/lesson.html?id=${id}`);
      await page.waitForSelector('#lesson[data-state="ready"]', { timeout: 60000 });
      assert.equal(await page.title(), `nnbook — ${title}`);
      const widgets = await page.$$eval('.nb-widget', (ws) => ws.length);
      await page.waitForFunction(() => [...document.querySelectorAll('.nb-widget')].every((w) => w.dataset.mounted), null, { timeout: 120000 });
      const failed = await page.$$eval('.nb-widget[data-mounted="error"]', (ws) => ws.map((w) => `${w.dataset.widget}: ${w.textContent.slice(0, 200)}`));
      assert.deepEqual(failed, [], `${widgets} widgets`);
      assert.ok(await page.$$eval('.nb-cell, [data-cell]', (c) => c.length) > 0, 'the lesson has runnable cells');
      assert.deepEqual(page.consoleErrors, []);
      await page.close();
    });
  }
});
