// `make dist` output served from a sub-path (/nnbook/) by a plain static server with no
// COOP/COEP headers: the single-thread package is chosen and the page computes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expectedChecksum, launch, ROOT, screenshot, serve } from './harness.mjs';


/** The capability panel and self-test are folded into "This browser": wait for the worker,
 *  then open it as a reader does. */
async function openBrowserPanel(page) {
  await page.waitForSelector('#capabilities[data-state="ready"]', { state: 'attached', timeout: 30000 });
  if (!(await page.$eval('#this-browser', (d) => d.open))) await page.click('#this-browser > summary');
}

describe('dist/ from a sub-path without special headers', { skip: !existsSync(join(ROOT, 'dist/index.html')) && 'run make dist first' }, () => {
  let server, browser, hostRoot;
  before(async () => {
    hostRoot = mkdtempSync(join(tmpdir(), 'nnbook-host-'));
    symlinkSync(join(ROOT, 'dist'), join(hostRoot, 'nnbook'));
    server = await serve({ root: hostRoot, isolation: false });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    server?.stop();
    if (hostRoot) rmSync(hostRoot, { recursive: true, force: true });
  });

  test('landing page loads, picks pkg, and the self-test is exact', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}nnbook/`);
    await openBrowserPanel(page);
    assert.equal(await page.textContent('[data-testid="cap-pkg"]'), 'pkg');
    assert.equal(await page.textContent('[data-testid="cap-simd"]'), 'yes');
    await page.click('#selftest-run');
    await page.waitForSelector('#selftest-out[data-checksum]', { timeout: 30000 });
    assert.equal(Number(await page.getAttribute('#selftest-out', 'data-checksum')), expectedChecksum(256));
    await screenshot(page, 'dist-subpath');
    assert.deepEqual(page.consoleErrors, []);
  });
});

describe('dist/ under the strict CSP, then offline', { skip: !existsSync(join(ROOT, 'dist/index.html')) && 'run make dist first' }, () => {
  let server, browser;
  before(async () => {
    server = await serve({ root: join(ROOT, 'dist'), isolation: true, csp: true });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    server?.stop();
  });

  test('the landing page computes with no CSP violation, and reloads from the cache offline', async () => {
    const page = await browser.newPage();
    const csp = [];
    page.on('console', (m) => { if (/Content[- ]Security[- ]Policy/i.test(m.text())) csp.push(m.text()); });
    const t0 = Date.now();
    await page.goto(server.url);
    await openBrowserPanel(page);
    // The CSP forbids the thread pool's blob: workers: the single-thread package takes over at
    // once (not after the pool's 15 s timeout) and the panel says why.
    assert.equal(await page.textContent('[data-testid="cap-pkg"]'), 'pkg');
    assert.match(await page.textContent('[data-testid="cap-fallback"]'), /Content-Security-Policy \(worker-src\)/);
    assert.ok(Date.now() - t0 < 12000, `ready after ${Date.now() - t0} ms`);
    await page.click('#selftest-run');
    await page.waitForSelector('#selftest-out[data-checksum]', { timeout: 30000 });
    assert.equal(Number(await page.getAttribute('#selftest-out', 'data-checksum')), expectedChecksum(256));
    // The service worker has installed (with the precache list) and controls the page.
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15000 });
    await openBrowserPanel(page);
    await browser.context.setOffline(true);
    try {
      await page.reload();
      await openBrowserPanel(page);
      await page.click('#selftest-run');
      await page.waitForSelector('#selftest-out[data-checksum]', { timeout: 30000 });
      assert.equal(Number(await page.getAttribute('#selftest-out', 'data-checksum')), expectedChecksum(256));
      // A data file nobody fetched online comes from the precache.
      const bytes = await page.evaluate(async () => (await (await fetch('www/data/mnist-test.nnbd')).arrayBuffer()).byteLength);
      assert.ok(bytes > 784 * 1000, `mnist-test.nnbd from the cache: ${bytes} bytes`);
    } finally {
      await browser.context.setOffline(false);
    }
    assert.deepEqual(csp, []);
    assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
  });
});
