// The "other layers" lesson (www/lesson.html?id=layers): Run all finishes every cell without an
// error, the pictures (normalized batches, dropout mask, embedding table, RNN hidden state,
// attention heat-maps) are drawn and not blank, and editing a picture cell (dropout's p, the
// RNN's seed) changes its pixels. No console errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cellText, fillCell, launch, screenshot, serve } from './harness.mjs';

const cell = (i) => `.nb-cell[data-index="${i}"]`;
const FINISHED = ['done', 'error', 'stopped'];
// Cells with a picture (0-based), as in tests/lessons_layers_pictures.rs.
const PICTURES = [0, 1, 2, 3, 5, 6, 7, 9, 10];

async function waitFinished(page, i, timeout = 60000) {
  await page.waitForFunction(([sel, states]) => states.includes(document.querySelector(sel)?.dataset.state),
    [cell(i), FINISHED], { timeout });
  return page.getAttribute(cell(i), 'data-state');
}

/** The first picture of cell `i`: its size, pixels (as a string) and whether it is blank. */
function picture(page, i) {
  return page.evaluate((sel) => {
    const c = document.querySelector(`${sel} .nb-output canvas`);
    if (!c) return null;
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let distinct = false;
    for (let k = 4; k < px.length && !distinct; k += 4) {
      distinct = px[k] !== px[0] || px[k + 1] !== px[1] || px[k + 2] !== px[2];
    }
    return { width: c.width, height: c.height, pixels: Array.from(px).join(','), distinct };
  }, cell(i));
}

describe('layers lesson', () => {
  let server, browser;
  before(async () => { server = await serve({ isolation: false }); browser = await launch(); });
  after(async () => { await browser?.close(); server?.stop(); });

  test('Run all: every cell runs, every picture is drawn, edits change the pictures', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1000, height: 900 });
    await page.goto(`${server.url}www/lesson.html?id=layers`);
    await page.waitForSelector('#lesson[data-state="ready"]', { timeout: 30000 });
    await page.waitForSelector('#nb-kernel[data-state="ready"]', { timeout: 30000 });
    assert.equal(await page.textContent('h1'),
      'The other layers: normalization, dropout, recurrent, transformer, sparse');
    const n = await page.locator('.nb-cell').count();
    assert.equal(n, 12);

    await page.click('#nb-run-all');
    for (let i = 0; i < n; i++) {
      const state = await waitFinished(page, i);
      assert.equal(state, 'done', `cell ${i}: ${await page.textContent(`${cell(i)} .nb-output`)}`);
    }
    for (const i of PICTURES) {
      const p = await picture(page, i);
      assert.ok(p, `cell ${i} has a picture`);
      assert.ok(p.distinct, `cell ${i}: the picture is blank`);
    }
    assert.deepEqual([(await picture(page, 7)).width, (await picture(page, 7)).height], [10, 8]);
    assert.match(await page.textContent(`${cell(3)} .nb-output`), /zeroed: 20 of 48/);
    assert.match(await page.textContent(`${cell(7)} .nb-output`),
      /torch\.Size\(\[1, 10, 1\]\) -> torch\.Size\(\[1, 10, 8\]\) torch\.Size\(\[1, 1, 8\]\)/);
    assert.match(await page.textContent(`${cell(11)} .nb-output`), /\(encoder\): TransformerEncoderLayer\(/);
    assert.match(await page.textContent(`${cell(11)} .nb-output`), /head {5}torch\.Size\(\[3, 3\]\)/);
    await screenshot(page, 'lesson-layers');

    // Edit the dropout cell (p) and the RNN cell (seed): their pictures change.
    for (const [i, from, to] of [[3, 'p=0.5', 'p=0.2'], [7, 'manual_seed(0)', 'manual_seed(5)']]) {
      const before = await picture(page, i);
      const src = await cellText(page, i);
      assert.ok(src.includes(from), `cell ${i} has ${from}`);
      await fillCell(page, i, src.replace(from, to));
      await page.click(`${cell(i)} .nb-run`);
      await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'running'
        || document.querySelector(sel)?.dataset.state === 'done', cell(i), { timeout: 30000 });
      assert.equal(await waitFinished(page, i), 'done');
      await page.waitForFunction(([sel, px]) => {
        const c = document.querySelector(`${sel} .nb-output canvas`);
        if (!c) return false;
        return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).join(',') !== px;
      }, [cell(i), before.pixels], { timeout: 30000 });
      const after = await picture(page, i);
      assert.ok(after.distinct, `cell ${i}: the edited picture is blank`);
    }
    assert.deepEqual(page.consoleErrors, []);
  });
});
