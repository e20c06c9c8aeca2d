// The benchmark's engine table: id -> how to run it. Peers run in their own module worker
// (one per engine, terminated afterwards); nnbook runs in its own worker through its client.
import { runNnbook } from './nnbook-engine.js';

const cores = () => navigator.hardwareConcurrency || 1;

export const ENGINES = [
  { id: 'nnbook-1t', kind: 'nnbook', label: 'nnbook pkg (1 thread)', options: () => ({ forceSingleThread: true }) },
  { id: 'nnbook-mt', kind: 'nnbook', label: 'nnbook pkg-parallel (all threads)', options: () => ({}) },
  { id: 'tfjs-wasm', kind: 'peer', label: 'TF.js 4.22 wasm (SIMD, threads)', worker: 'tfjs-worker.js', options: () => ({ backend: 'wasm', threads: cores() }) },
  { id: 'tfjs-wasm-1t', kind: 'peer', label: 'TF.js 4.22 wasm (SIMD, 1 thread)', worker: 'tfjs-worker.js', options: () => ({ backend: 'wasm', threads: 1 }) },
  { id: 'tfjs-cpu', kind: 'peer', label: 'TF.js 4.22 cpu', worker: 'tfjs-worker.js', options: () => ({ backend: 'cpu' }) },
  { id: 'ort-wasm', kind: 'peer', label: 'onnxruntime-web wasm (SIMD, threads)', worker: 'ort-worker.js', options: () => ({ threads: cores() }) },
  { id: 'ort-wasm-1t', kind: 'peer', label: 'onnxruntime-web wasm (SIMD, 1 thread)', worker: 'ort-worker.js', options: () => ({ threads: 1 }) },
  { id: 'convnetjs', kind: 'peer', label: 'ConvNetJS 0.3', worker: 'convnetjs-worker.js', options: () => ({}) },
];

/** Runs a peer's worker once with the batch; rejects on error or after `timeoutMs`. */
function runPeer(engine, { x, labels, options }, onProgress) {
  const worker = new Worker(new URL(engine.worker, import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s`)), options.timeoutMs);
    worker.onmessage = ({ data }) => {
      if (data.type === 'progress') return onProgress(data.text);
      clearTimeout(timer);
      if (data.type === 'result') resolve(data.value);
      else reject(new Error(data.message));
    };
    worker.onerror = (e) => {
      clearTimeout(timer);
      reject(new Error(`worker failed: ${e.message || 'unknown error (see the console)'}`));
    };
    worker.postMessage({ x, labels, options });
  }).finally(() => worker.terminate());
}

export function runEngine(engine, { x, labels, timeoutMs, budgetMs }, onProgress) {
  const options = { ...engine.options(), timeoutMs, budgetMs };
  if (engine.kind === 'nnbook') return runNnbook({ x, labels, options });
  return runPeer(engine, { x, labels, options }, onProgress);
}
