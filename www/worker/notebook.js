// Worker methods for notebook lessons: one NotebookKernel (wasm) per lesson page, addressed by
// an id. Dataset files a cell mentions are fetched from www/data once per worker and registered.
import { Transfer } from './transfer.js';

const kernels = new Map(); // id -> wasm.NotebookKernel
let nextKernel = 1;
const files = new Map(); // dataset name -> Promise<Uint8Array>

function kernelOf(id) {
  const k = kernels.get(id);
  if (!k) throw new Error(`ValueError: no notebook kernel ${id} (it was reset or the worker restarted)`);
  return k;
}

function fetchDataset(name) {
  if (!files.has(name)) {
    const url = new URL(`../data/${name}.nnbd`, import.meta.url);
    const p = fetch(url).then(async (r) => {
      if (!r.ok) throw new Error(`FileNotFoundError: dataset file ${name}.nnbd could not be loaded (HTTP ${r.status}); run \`make data\``);
      return new Uint8Array(await r.arrayBuffer());
    });
    p.catch(() => files.delete(name)); // a failed fetch may be retried by the next cell
    files.set(name, p);
  }
  return files.get(name);
}

export const notebookMethods = {
  /** {} -> {kernel}: a fresh kernel (empty globals). */
  nbCreate: (_args, _progress, wasm) => {
    const kernel = nextKernel++;
    kernels.set(kernel, new wasm.NotebookKernel());
    return { kernel };
  },
  /** {kernel, code} -> {stdout, error: null|{kind, message, line}, images: [{width, height,
   *  rgba: Uint8Array, caption}]}; image buffers are transferred. */
  nbRun: async ({ kernel, code }, progress) => {
    const k = kernelOf(kernel);
    const needed = k.datasetsNeeded(String(code));
    for (const name of needed) {
      progress({ phase: 'dataset', name });
      const bytes = await fetchDataset(name);
      k.registerDataset(name, bytes);
    }
    progress({ phase: 'run' });
    const out = k.runCell(String(code));
    return new Transfer(out, out.images.map((im) => im.rgba.buffer));
  },
  /** {kernel} -> {}: forgets every global of the kernel. */
  nbReset: ({ kernel }) => {
    kernelOf(kernel).reset();
    return {};
  },
  /** {kernel, buffer: SharedArrayBuffer (>= 4 bytes)} -> {}: the page stops the running cell
   *  with Atomics.store(new Int32Array(buffer), 0, 1). */
  nbSetInterrupt: ({ kernel, buffer }) => {
    kernelOf(kernel).setInterruptFlag(new Int32Array(buffer, 0, 1));
    return {};
  },
  /** {kernel, steps} -> {}: the step budget of later cells. */
  nbSetStepBudget: ({ kernel, steps }) => {
    kernelOf(kernel).setStepBudget(Number(steps));
    return {};
  },
  /** {kernel} -> {}: frees the kernel. */
  nbDrop: ({ kernel }) => {
    const k = kernels.get(kernel);
    if (k) { kernels.delete(kernel); k.free(); }
    return {};
  },
};
