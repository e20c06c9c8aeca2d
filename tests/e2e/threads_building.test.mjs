// `make serve` serves before the threaded package is built (scripts/serve-dev.sh): while
// www/pkg-parallel holds only status.json, a cross-origin isolated page must work on the
// single-thread package and its capability panel must say "threads: being built — reload when
// done"; once the finished package is in place, a reload uses it. Served from a copy of the
// site made of links to the real files, with pkg-parallel replaced as the build would.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, expectedChecksum, launch, screenshot, serve } from './harness.mjs';

function siteWithout(pkgParallel) {
  const root = mkdtempSync(join(tmpdir(), 'nnbook-building-'));
  for (const f of ['index.html', 'sw.js']) symlinkSync(join(ROOT, f), join(root, f));
  mkdirSync(join(root, 'www'));
  for (const f of readdirSync(join(ROOT, 'www'))) {
    if (f !== 'pkg-parallel') symlinkSync(join(ROOT, 'www', f), join(root, 'www', f));
  }
  pkgParallel(join(root, 'www', 'pkg-parallel'));
  return root;
}

function status(state) {
  return (dir) => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ state, log: 'target/pkg-parallel-build.log' }));
  };
}

async function panel(page) {
  await page.waitForSelector('#capabilities[data-state="ready"]', { timeout: 30000 });
  const get = (id) => page.textContent(`[data-testid="${id}"]`);
  return { pkg: await get('cap-pkg'), threads: Number(await get('cap-threads')), fallback: await get('cap-fallback') };
}

async function selfTest(page, n) {
  await page.selectOption('#selftest-n', String(n));
  await page.click('#selftest-run');
  await page.waitForSelector('#selftest-out[data-checksum]', { timeout: 30000 });
  return Number(await page.getAttribute('#selftest-out', 'data-checksum'));
}

describe('the threaded package while make serve builds it', () => {
  let browser;
  const roots = [];
  before(async () => { browser = await launch(); });
  after(async () => {
    await browser?.close();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  test('the page works on one thread, says so, and a reload picks the package up', async () => {
    const root = siteWithout(status('building'));
    roots.push(root);
    const server = await serve({ root });
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      const cap = await panel(page);
      assert.equal(cap.pkg, 'pkg');
      assert.equal(cap.threads, 1);
      assert.equal(cap.fallback, 'threads: being built — reload when done');
      assert.equal(await selfTest(page, 128), expectedChecksum(128));
      await screenshot(page, 'landing-threads-building');
      // The build finishes: the whole folder appears at once.
      rmSync(join(root, 'www', 'pkg-parallel'), { recursive: true });
      symlinkSync(join(ROOT, 'www', 'pkg-parallel'), join(root, 'www', 'pkg-parallel'));
      await page.reload();
      const now = await panel(page);
      assert.equal(now.pkg, 'pkg-parallel');
      assert.ok(now.threads >= 2, `expected a pool, got ${now.threads} threads`);
      assert.match(now.fallback, /^none/);
      assert.equal(await selfTest(page, 128), expectedChecksum(128));
    } finally {
      server.stop();
    }
  });

  test('a failed build and a package never built are named', async () => {
    for (const [make, expected] of [
      [status('failed'), /^threads: the threaded package failed to build \(see target\/pkg-parallel-build\.log\)$/],
      [() => {}, /^threads: the threaded package pkg-parallel is not built \(make build\)$/],
    ]) {
      const root = siteWithout(make);
      roots.push(root);
      const server = await serve({ root });
      try {
        const page = await browser.newPage();
        await page.goto(server.url);
        const cap = await panel(page);
        assert.equal(cap.pkg, 'pkg');
        assert.match(cap.fallback, expected);
        await page.close();
      } finally {
        server.stop();
      }
    }
  });
});
