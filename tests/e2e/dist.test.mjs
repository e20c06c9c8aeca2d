// `make dist` output served from a sub-path (/nnbook/) by a plain static server with no
// COOP/COEP headers: the single-thread package is chosen and the page computes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expectedChecksum, launch, ROOT, screenshot, serve } from './harness.mjs';

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
    await page.waitForSelector('#capabilities[data-state="ready"]', { timeout: 30000 });
    assert.equal(await page.textContent('[data-testid="cap-pkg"]'), 'pkg');
    assert.equal(await page.textContent('[data-testid="cap-simd"]'), 'yes');
    await page.click('#selftest-run');
    await page.waitForSelector('#selftest-out[data-checksum]', { timeout: 30000 });
    assert.equal(Number(await page.getAttribute('#selftest-out', 'data-checksum')), expectedChecksum(256));
    await screenshot(page, 'dist-subpath');
    assert.deepEqual(page.consoleErrors, []);
  });
});
