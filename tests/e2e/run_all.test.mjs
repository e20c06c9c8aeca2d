// A student's path through every lesson of www/lessons/index.json, each in a fresh browser
// profile: open the lesson, press Run all, and read what the page shows. Every cell must run;
// only the cells the lesson marks (```python error) may raise, with PyTorch's text; every
// cell's output must be the transcript real PyTorch printed (tests/lessons/expected/<id>.txt).
// Then the Jupyter habits: Run all stops at an unmarked error and says so, a traceback points
// at the line inside the block, Shift+Enter moves on, execution counts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fillCell, inFreshProfile, ROOT, screenshot, serve } from './harness.mjs';

const lessons = JSON.parse(readFileSync(join(ROOT, 'www/lessons/index.json'), 'utf8'));
const cell = (i) => `.nb-cell[data-index="${i}"]`;

/** tests/lessons/expected/<id>.txt as one string per cell. */
function transcript(id) {
  const text = readFileSync(join(ROOT, `tests/lessons/expected/${id}.txt`), 'utf8');
  return text.split(/^--- cell \d+ ---\n/m).slice(1);
}

async function openLesson(page, url, id) {
  await page.goto(`${url}www/lesson.html?id=${id}`);
  await page.waitForSelector('#lesson[data-state="ready"]', { timeout: 60000 });
}

/** What the page shows under each cell, in the transcript's format. */
function shownOutputs(page) {
  return page.$$eval('.nb-cell', (cells) => cells.map((c) => {
    const out = c.querySelector('.nb-stdout')?.textContent ?? '';
    const err = c.querySelector('.nb-error')?.textContent;
    return out + (err ? `!! ${err}\n` : '');
  }));
}

describe('Run all, every lesson, fresh profile each', () => {
  let server;
  before(async () => { server = await serve(); });
  after(() => server?.stop());

  for (const { id } of lessons) {
    test(`${id}: Run all runs every cell and prints what PyTorch prints`, async () => {
      await inFreshProfile(async (page) => {
        await page.setViewportSize({ width: 1000, height: 900 });
        await openLesson(page, server.url, id);
        const n = await page.locator('.nb-cell').count();
        if (n === 0) return;
        const want = transcript(id);
        assert.equal(want.length, n, `${id}: the transcript has ${want.length} cells, the page ${n}`);
        const t0 = Date.now();
        await page.click('#nb-run-all');
        await page.waitForFunction(() => ['done', 'stopped'].includes(document.querySelector('#lesson').dataset.runAll), null, { timeout: 600000 });
        const seconds = ((Date.now() - t0) / 1000).toFixed(1);
        console.log(`# ${id}: Run all took ${seconds} s for ${n} cells`);
        await screenshot(page, `run-all-${id}`);
        const states = await page.$$eval('.nb-cell', (cs) => cs.map((c) => `${c.dataset.state}${c.dataset.expectsError ? ' (marked)' : ''}`));
        const status = await page.textContent('#nb-runall-status');
        assert.equal(await page.getAttribute('#lesson', 'data-run-all'), 'done', `${status} — ${states.join(', ')}`);
        for (const [k, s] of states.entries()) {
          assert.ok(s === 'done' || s === 'error (marked)', `${id} cell ${k + 1}: ${s}`);
        }
        assert.deepEqual(await shownOutputs(page), want);
        assert.ok(await page.isHidden('#nb-runall-status'));
        assert.deepEqual(page.consoleErrors, []);
      });
    });
  }

  test('Run all stops at an unmarked error and says how many cells did not run', async () => {
    await inFreshProfile(async (page) => {
      await openLesson(page, server.url, 'tour');
      const n = await page.locator('.nb-cell').count();
      await fillCell(page, 1, 'x = 1\nprint(undefined_name)');
      await page.click('#nb-run-all');
      await page.waitForFunction(() => document.querySelector('#lesson').dataset.runAll === 'stopped', null, { timeout: 60000 });
      assert.equal((await page.textContent('#nb-runall-status')).trim(),
        `Run all stopped at cell 2 — ${n - 2} cells not run`);
      assert.equal(await page.getAttribute(cell(0), 'data-state'), 'done');
      assert.equal(await page.getAttribute(cell(1), 'data-state'), 'error');
      for (let i = 2; i < n; i++) assert.equal(await page.getAttribute(cell(i), 'data-state'), 'idle');
      assert.match(await page.textContent(`${cell(1)} .nb-error`), /^NameError: name 'undefined_name' is not defined \(line 2\)$/);
      // Execution counts as Jupyter numbers them: the first cell run is [1].
      assert.equal(await page.textContent(`${cell(0)} .nb-count`), '[1]');
      assert.equal(await page.textContent(`${cell(1)} .nb-count`), '[2]');
      assert.equal(await page.textContent(`${cell(2)} .nb-count`), '[ ]');
    });
  });

  test('a traceback names the line inside the block and marks it; Shift+Enter moves on', async () => {
    await inFreshProfile(async (page) => {
      await openLesson(page, server.url, 'tour');
      await page.waitForSelector('#nb-kernel[data-state="ready"]', { timeout: 60000 });
      await fillCell(page, 0, 'import torch\ndef f(x):\n    return x.reshape(7, -1)\nfor i in range(3):\n    if i == 2:\n        f(torch.ones(64, 3))');
      await page.locator(`${cell(0)} .cm-content`).press('Shift+Enter');
      await page.waitForFunction((sel) => document.querySelector(sel).dataset.state === 'error', cell(0), { timeout: 60000 });
      // The focus moved to the next cell's editor.
      assert.equal(await page.evaluate(() => document.activeElement.closest('.nb-cell')?.dataset.index), '1');
      assert.equal(await page.textContent(`${cell(0)} .nb-error`),
        "RuntimeError: shape '[7, -1]' is invalid for input of size 192 (line 6)");
      assert.equal(await page.textContent(`${cell(0)} .nb-traceback`), [
        'Traceback (most recent call last):',
        '  Cell In[1], line 6',
        '    f(torch.ones(64, 3))',
        '  Cell In[1], line 3, in f',
        '    return x.reshape(7, -1)',
      ].join('\n'));
      // The editor marks line 6, the line of this cell's frame.
      const marked = await page.$$eval(`${cell(0)} .cm-line`, (ls) => ls.map((l, i) => (l.classList.contains('nb-line-error') ? i + 1 : 0)).filter(Boolean));
      assert.deepEqual(marked, [6]);
      await screenshot(page, 'cell-traceback');
    });
  });
});
