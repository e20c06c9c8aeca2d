// The landing page, served twice: with COOP/COEP (threaded package, a real pool) and
// without (single-thread package, the page still computes).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectedChecksum, launch, screenshot, serve } from './harness.mjs';

async function readPanel(page) {
  await page.waitForSelector('#capabilities[data-state="ready"]', { timeout: 30000 });
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
