// The landing page, served twice: with COOP/COEP (threaded package, a real pool) and
// without (single-thread package, the page still computes). It says where to start (the
// lessons of index.json in order, minutes each, the tour first); the capability panel and the
// self-test are folded into "This browser".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expectedChecksum, launch, ROOT, screenshot, serve, openBrowserPanel } from './harness.mjs';

const lessons = JSON.parse(readFileSync(join(ROOT, 'www/lessons/index.json'), 'utf8'));

/** Opens "This browser" as a reader does (a click on its summary) and reads the panel. */
async function readPanel(page) {
  await openBrowserPanel(page);
  const get = (id) => page.textContent(`[data-testid="${id}"]`);
  return {
    pkg: await get('cap-pkg'), simd: await get('cap-simd'), threads: Number(await get('cap-threads')),
    isolated: await get('cap-isolated'), fallback: await get('cap-fallback'), kernel: await get('cap-kernel'),
  };
}

async function runSelfTest(page, n) {
  await page.selectOption('#selftest-n', String(n));
  await page.click('#selftest-run');
  await page.waitForSelector('#selftest-out[data-checksum]', { timeout: 30000 });
  return Number(await page.getAttribute('#selftest-out', 'data-checksum'));
}

for (const isolation of [true, false]) {
  describe(`landing page ${isolation ? 'with' : 'without'} COOP/COEP`, () => {
    let server, browser;
    before(async () => { server = await serve({ isolation }); browser = await launch(); });
    after(async () => { await browser?.close(); server?.stop(); });

    test('capability panel reports the package chosen and why', async () => {
      const page = await browser.newPage();
      await page.goto(server.url);
      const cap = await readPanel(page);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      assert.equal(await page.textContent('#this-browser > summary'), `This browser (${cap.pkg}, ${cap.threads} thread${cap.threads === 1 ? '' : 's'}, SIMD)`);
      assert.equal(cap.simd, 'yes');
      assert.equal(cap.kernel, 'simd128');
      if (isolation) {
        assert.equal(cap.pkg, 'pkg-parallel');
        assert.equal(cap.isolated, 'yes');
        assert.equal(cap.threads, cores);
        assert.ok(cap.threads >= 2, `expected a pool of >= 2 threads, got ${cap.threads}`);
        assert.match(cap.fallback, /^none/);
      } else {
        assert.equal(cap.pkg, 'pkg');
        assert.equal(cap.isolated, 'no');
        assert.equal(cap.threads, 1);
        assert.match(cap.fallback, /not cross-origin isolated/);
      }
      await screenshot(page, `landing-${isolation ? 'isolated' : 'plain'}`);
      assert.deepEqual(page.consoleErrors, []);
    });

    test('says where to start: the lessons in order, minutes each, the tour first', async () => {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.waitForSelector('#lessons-list[data-state="ready"]');
      assert.equal(await page.textContent('#lessons-h'), 'Where to start');
      assert.equal(lessons[0].id, 'tour', 'index.json lists the tour first');
      const items = await page.$$eval('#lessons-list > li', (li) => li.map((l) => ({
        id: l.dataset.lesson, title: l.querySelector('a').textContent, text: l.textContent,
      })));
      assert.deepEqual(items.map((i) => i.id), lessons.map((l) => l.id));
      items.forEach((item, k) => {
        assert.equal(item.title, lessons[k].title);
        assert.ok(Number.isInteger(lessons[k].minutes) && lessons[k].minutes > 0, `${item.id}: minutes in index.json`);
        assert.ok(item.text.includes(`about ${lessons[k].minutes} min`), item.text);
        assert.equal(item.text.includes('start here'), k === 0, item.text);
      });
      assert.equal(await page.$eval('#lessons-list', (l) => l.tagName), 'OL');
      assert.match(await page.textContent('#lessons-total'), new RegExp(`^${lessons.length} lessons, about \\d+ minutes in all\\.$`));
      // "This browser" is folded until the reader opens it.
      assert.equal(await page.$eval('#this-browser', (d) => d.tagName === 'DETAILS' && !d.open), true);
      assert.equal(await page.isVisible('#selftest-run'), false);
      await readPanel(page);
      assert.equal(await page.isVisible('#selftest-run'), true);
      assert.deepEqual(page.consoleErrors, []);
    });

    test('the self-test computes in the worker and gives the exact checksum', async () => {
      const page = await browser.newPage();
      await page.goto(server.url);
      await readPanel(page);
      assert.equal(await runSelfTest(page, 256), expectedChecksum(256));
      assert.equal(await runSelfTest(page, 128), expectedChecksum(128));
      assert.match(await page.textContent('#selftest-out'), /GFLOP\/s/);
      assert.deepEqual(page.consoleErrors, []);
    });
  });
}

describe('forcing the single-thread package', () => {
  let server, browser;
  before(async () => { server = await serve({ isolation: true }); browser = await launch(); });
  after(async () => { await browser?.close(); server?.stop(); });

  test('?threads=0 picks pkg even when isolated, and says so', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}?threads=0`);
    const cap = await readPanel(page);
    assert.equal(cap.pkg, 'pkg');
    assert.equal(cap.threads, 1);
    assert.match(cap.fallback, /requested/);
    assert.equal(await runSelfTest(page, 128), expectedChecksum(128));
  });
});
