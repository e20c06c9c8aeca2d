// The browser trains exactly like the native CLI: same seed, same data, same batches, the
// single-thread package — the losses agree step for step within float32 tolerance.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { launch, ROOT, serve } from './harness.mjs';

const STEPS = 6;
const CLI = ['run', '--quiet', '--release', '--bin', 'nnbook', '--', 'train', '--train-size', '256', '--batch', '32',
  '--augment', '--normalize', '--momentum', '0.9', '--lr', '0.01', '--max-steps', String(STEPS), '--verbose'];
const CONFIG = { seed: 0, optimizer: 'sgd', lr: 0.01, momentum: 0.9, batch_size: 32, train_size: 256, augment: true, normalize: true, epochs: 1 };

describe('browser training vs the native CLI', () => {
  let server, browser;
  before(async () => { server = await serve(); browser = await launch(); });
  after(async () => { await browser?.close(); server?.stop(); });

  test(`the first ${STEPS} losses match`, async () => {
    const out = execFileSync('cargo', CLI, { cwd: ROOT, encoding: 'utf8', timeout: 900000 });
    const native = [...out.matchAll(/^step (\d+) loss ([\d.]+)$/gm)].map((m) => Number(m[2]));
    assert.equal(native.length, STEPS, `CLI output:\n${out}`);

    const page = await browser.newPage();
    await page.goto(`${server.url}www/widget.html?name=none&threads=0`);
    const got = await page.evaluate(async (config) => {
      const { getClient } = await import('./client.js');
      const client = getClient();
      const info = await client.ready;
      await client.call('trainInit', { config });
      await client.call('trainLoadUrl', { url: 'data/cifar10-train.nnbd', role: 'train' });
      await client.call('trainLoadUrl', { url: 'data/cifar10-test.nnbd', role: 'test' });
      const losses = [];
      while (losses.length < 6) losses.push(...(await client.call('trainSteps', { k: 2 })).losses);
      return { pkg: info.pkg, losses };
    }, CONFIG);
    assert.equal(got.pkg, 'pkg');
    for (let i = 0; i < STEPS; i++) {
      assert.ok(Math.abs(got.losses[i] - native[i]) <= 1e-4 * Math.max(1, native[i]),
        `step ${i + 1}: browser ${got.losses[i]} vs native ${native[i]}`);
    }
    assert.ok(native[STEPS - 1] !== native[0], 'the loss changes as it trains');
  });
});
