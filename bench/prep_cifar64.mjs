// Writes bench/cifar64.bin, the benchmark's batch: the first 64 CIFAR-10 training images.
// usage: node bench/prep_cifar64.mjs [DATA_DIR]   (default ../shared/data/cifar10, then
// /work/shared/data/cifar10). Skips the work when the file is already there and newer.
//
// Source: cifar10_batch_0.png, a "sprite" PNG (RGB, 1024 wide, one image per row, pixel (y, x)
// at column y*32 + x) and cifar10_labels.json ({"labels": [...]}).
// Output layout (little-endian, no header; the images are never committed):
//   float32 x[64][3][32][32]  values in [0, 1] (byte / 255), CHW planar: all R, then G, then B
//   int32   labels[64]
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';

export const BATCH = 64;
const HERE = dirname(new URL(import.meta.url).pathname);
const OUT = join(HERE, 'cifar64.bin');

/** Decodes an 8-bit RGB, non-interlaced PNG into {width, height, rgb: Uint8Array}. */
function decodePng(buf) {
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!signature.every((b, i) => buf[i] === b)) throw new Error('not a PNG file');
  let pos = 8;
  let header = null;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), depth: body[8],
        colour: body[9], interlace: body[12] };
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (!header || header.depth !== 8 || header.colour !== 2 || header.interlace !== 0) {
    throw new Error('expected an 8-bit RGB non-interlaced PNG');
  }
  const { width, height } = header;
  const raw = inflateSync(Buffer.concat(idat));
  const bpp = 3;
  const stride = width * bpp;
  const rgb = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = rgb.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rgb.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = up[i];
      const c = i >= bpp ? up[i - bpp] : 0;
      let pred;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`unknown PNG filter ${filter} on row ${y}`);
      }
      row[i] = (src[i] + pred) & 255;
    }
  }
  return { width, height, rgb };
}

function findDataDir(arg) {
  const candidates = [arg, resolve(HERE, '../../shared/data/cifar10'), '/work/shared/data/cifar10'];
  for (const dir of candidates) {
    if (dir && existsSync(join(dir, 'cifar10_batch_0.png'))) return dir;
  }
  throw new Error(`CIFAR-10 sprites not found (looked in ${candidates.filter(Boolean).join(', ')})`);
}

export function prepare(dataDir) {
  const dir = findDataDir(dataDir);
  const png = join(dir, 'cifar10_batch_0.png');
  if (existsSync(OUT) && statSync(OUT).mtimeMs > statSync(png).mtimeMs) return OUT;
  const { width, height, rgb } = decodePng(readFileSync(png));
  if (width !== 1024 || height < BATCH) throw new Error(`unexpected sprite size ${width}x${height}`);
  const { labels } = JSON.parse(readFileSync(join(dir, 'cifar10_labels.json'), 'utf8'));
  const out = Buffer.alloc(BATCH * 3072 * 4 + BATCH * 4);
  for (let n = 0; n < BATCH; n++) {
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) {
        out.writeFloatLE(rgb[n * 3072 + p * 3 + c] / 255, ((n * 3 + c) * 1024 + p) * 4);
      }
    }
    out.writeInt32LE(labels[n], BATCH * 3072 * 4 + n * 4);
  }
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
