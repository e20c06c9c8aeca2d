// Builds a `cifar-10-binary.tar.gz` in exactly the official layout from the real CIFAR-10
// images of `www/data` (written by `make data`), for tests that serve it to `make data` as if
// it were the canonical download: members cifar-10-batches-bin/batches.meta.txt,
// data_batch_1.bin … data_batch_5.bin (the training images split in five, in order) and
// test_batch.bin; each record 1 label byte + 1024 R + 1024 G + 1024 B (NNBD's CHW layout).
// usage: node tests/e2e/cifar_archive.mjs OUT.tar.gz [DATA_DIR]   (prints the archive's MD5)
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readNnbd } from '../../bench/prep_cifar64.mjs';

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** A ustar header block for a regular file (type '0') or a folder (type '5'). */
function tarHeader(name, size, type) {
  const h = Buffer.alloc(512);
  const put = (text, at, len) => h.write(text, at, len, 'latin1');
  const octal = (v, len) => v.toString(8).padStart(len - 1, '0') + '\0';
  put(name, 0, 100);
  put(octal(type === '5' ? 0o755 : 0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(1262304000, 12), 136, 12); // a fixed mtime: the archive is reproducible
  put(' '.repeat(8), 148, 8);
  put(type, 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

function records(ds, from, to) {
  const image = 3 * 32 * 32;
  const out = Buffer.alloc((to - from) * (image + 1));
  for (let i = from; i < to; i++) {
    const at = (i - from) * (image + 1);
    out[at] = ds.labels[i];
    out.set(ds.pixels.subarray(i * image, (i + 1) * image), at + 1);
  }
  return out;
}

/** The archive for the NNBD training and test sets `train`, `test` (from readNnbd). */
export function buildCifarArchive(train, test) {
  const members = [['cifar-10-batches-bin/batches.meta.txt', Buffer.from(`${CLASSES.join('\n')}\n`)]];
  for (let b = 0; b < 5; b++) {
    const from = Math.floor((b * train.n) / 5);
    const to = Math.floor(((b + 1) * train.n) / 5);
    members.push([`cifar-10-batches-bin/data_batch_${b + 1}.bin`, records(train, from, to)]);
  }
  members.push(['cifar-10-batches-bin/test_batch.bin', records(test, 0, test.n)]);
  const parts = [tarHeader('cifar-10-batches-bin/', 0, '5')];
  for (const [name, data] of members) {
    parts.push(tarHeader(name, data.length, '0'), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts), { level: 1 });
}

/** Builds the archive from `dataDir` (default www/data) into `out`; returns its MD5. */
export function writeCifarArchive(out, dataDir = resolve(new URL('../../www/data', import.meta.url).pathname)) {
  const load = (f) => readNnbd(readFileSync(join(dataDir, f)), join(dataDir, f));
  const gz = buildCifarArchive(load('cifar10-train.nnbd'), load('cifar10-test.nnbd'));
  writeFileSync(out, gz);
  return createHash('md5').update(gz).digest('hex');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!process.argv[2]) {
    console.error('usage: node tests/e2e/cifar_archive.mjs OUT.tar.gz [DATA_DIR]');
    process.exit(2);
  }
  console.log(writeCifarArchive(process.argv[2], process.argv[3]));
}
