// Trains the CIFAR-10 model in headless Chromium exactly as the lesson's trainer does (in the
// worker, through the same methods) and prints per-epoch accuracy and wall time as JSON.
// The figures of the README's "Training accuracy" table come from this script.
//
// usage: node bench/train_accuracy.mjs [--epochs N] [--relu] [--augment] [--normalize]
//          [--optimizer sgd|adam] [--lr X] [--momentum X] [--batch N] [--train-size N] [--threads 0]
// Needs `make build data` first. `--threads 0` uses the single-thread package.
import { launch, serve } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const config = {
  seed: 0,
  relu: flag('--relu'),
  augment: flag('--augment'),
  normalize: flag('--normalize'),
  optimizer: value('--optimizer', 'sgd'),
  lr: Number(value('--lr', '0.01')),
  momentum: Number(value('--momentum', '0.9')),
  batch_size: Number(value('--batch', '64')),
  train_size: Number(value('--train-size', '0')),
  epochs: Number(value('--epochs', '5')),
};
const threads = value('--threads', null);

const server = await serve();
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}www/widget.html?name=none${threads === '0' ? '&threads=0' : ''}`);
  const result = await page.evaluate(async (config) => {
    const { getClient } = await import('./client.js');
    const client = getClient();
    const info = await client.ready;
    await client.call('trainInit', { config });
    const [train] = await client.call('trainLoadUrl', { url: 'data/cifar10-train.nnbd', role: 'train' });
    await client.call('trainLoadUrl', { url: 'data/cifar10-test.nnbd', role: 'test' });
    const epochs = [];
    const t0 = performance.now();
    for (let e = 0; e < config.epochs; e++) {
      let last;
      do { last = await client.call('trainSteps', { k: 20 }); } while (!last.epoch_done);
      const rec = await client.call('trainFinishEpoch', {});
      epochs.push({ ...rec, elapsed_s: (performance.now() - t0) / 1000 });
    }
    return { package: info.pkg, threads: info.threads, train_images: train.count, config, epochs };
  }, config);
  console.log(JSON.stringify(result, null, 1));
} finally {
  await browser.close();
  server.stop();
}
