// Writes bench/cifar64.bin, the benchmark's batch: the first 64 CIFAR-10 training images.
// usage: node bench/prep_cifar64.mjs [NNBD_FILE]   (default www/data/cifar10-train.nnbd, which
// `make data` writes from whichever source it found). Skips the work when the file is already
// there and newer.
//
// Source: an NNBD file (src/data/format.rs): "NNBD", u16 version 1, u16 flags, u32 N, u16 C,
// H, W, K, then the name and K class names (u16 length + UTF-8 each), N·C·H·W pixel bytes (each
// image CHW planar), N label bytes. The training subset keeps the official order, so its first
// 64 images are the first 64 training images of CIFAR-10.
// Output layout (little-endian, no header; the images are never committed):
//   float32 x[64][3][32][32]  values in [0, 1] (byte / 255), CHW planar: all R, then G, then B
//   int32   labels[64]
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const BATCH = 64;
const HERE = dirname(new URL(import.meta.url).pathname);
const OUT = join(HERE, 'cifar64.bin');
const DEFAULT = resolve(HERE, '../www/data/cifar10-train.nnbd');

/** The images and labels of an NNBD file. */
export function readNnbd(buf, file) {
  if (buf.toString('latin1', 0, 4) !== 'NNBD') throw new Error(`${file}: not an NNBD file`);
  if (buf.readUInt16LE(4) !== 1) throw new Error(`${file}: NNBD version ${buf.readUInt16LE(4)}, expected 1`);
  const n = buf.readUInt32LE(8);
  const [c, h, w, k] = [12, 14, 16, 18].map((o) => buf.readUInt16LE(o));
  let pos = 20;
  for (let i = 0; i < k + 1; i++) pos += 2 + buf.readUInt16LE(pos); // name, class names
  const image = c * h * w;
  const pixels = buf.subarray(pos, pos + n * image);
  const labels = buf.subarray(pos + n * image, pos + n * image + n);
  if (labels.length !== n) throw new Error(`${file}: truncated (${buf.length} bytes)`);
  return { n, c, h, w, pixels, labels };
}

export function prepare(file = DEFAULT) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`make data\` first`);
  if (existsSync(OUT) && statSync(OUT).mtimeMs > statSync(file).mtimeMs) return OUT;
  const ds = readNnbd(readFileSync(file), file);
  if (ds.n < BATCH || ds.c !== 3 || ds.h !== 32 || ds.w !== 32) {
    throw new Error(`${file}: expected at least ${BATCH} images of 3x32x32, found ${ds.n} of ${ds.c}x${ds.h}x${ds.w}`);
  }
  const out = Buffer.alloc(BATCH * 3072 * 4 + BATCH * 4);
  for (let i = 0; i < BATCH * 3072; i++) out.writeFloatLE(ds.pixels[i] / 255, i * 4);
  for (let n = 0; n < BATCH; n++) out.writeInt32LE(ds.labels[n], BATCH * 3072 * 4 + n * 4);
  writeFileSync(OUT, out);
  return OUT;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(`prep_cifar64: ${prepare(process.argv[2])}`);
  } catch (e) {
    console.error(`prep_cifar64: ${e.message}`);
    process.exit(1);
  }
}
