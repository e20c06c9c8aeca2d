// nnbook's compute worker: the only place wasm runs. Pages and widgets talk to it through
// www/client.js with small messages; bulk data crosses as transferred typed arrays.
//
// Package choice (see ../shared/TOOLCHAIN.md): cross-origin isolated + wasm threads ->
// pkg-parallel with a rayon pool of navigator.hardwareConcurrency threads (with a timeout);
// otherwise, or if the pool fails, pkg (single thread). The reason for a fallback is reported.

import { simd, threads } from './vendor/wasm-feature-detect.js';
import { benchMethods } from './worker/bench.js';
import { notebookMethods } from './worker/notebook.js';
import { Transfer } from './worker/transfer.js';
import { figureMethods } from './worker/figures.js';
import { trainingMethods } from './worker/training.js';
import { modelSpecMethods } from './worker/modelspec.js';

const POOL_TIMEOUT_MS = 15000;

let wasm = null; // the imported package module
let info = null; // what the capability panel shows

function withTimeout(promise, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    promise.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e) => { clearTimeout(timer); reject(e); },
    );
  });
}

/** Why `pkg-parallel` could not be imported, when `make serve` says so in
 * pkg-parallel/status.json (written while it builds the threaded package in the background,
 * removed with the finished package), or when the package is simply not there; else null. */
async function missingThreadedPackage() {
  try {
    const res = await fetch(new URL('./pkg-parallel/status.json', import.meta.url), { cache: 'no-store' });
    if (res.ok) {
      const status = await res.json();
      if (status.state === 'building') return 'threads: being built — reload when done';
      if (status.state === 'failed') return `threads: the threaded package failed to build (see ${status.log})`;
    }
    const wasm = await fetch(new URL('./pkg-parallel/nnbook_bg.wasm', import.meta.url), { method: 'HEAD', cache: 'no-store' });
    if (wasm.status === 404) return 'threads: the threaded package pkg-parallel is not built (make build)';
  } catch (_) { /* offline or no server: keep the import's own error */ }
  return null;
}

async function loadPackage(options) {
  const isolated = self.crossOriginIsolated === true;
  const hasSimd = await simd();
  const hasThreads = await threads();
  const wanted = Math.max(1, Math.min(options.threads || navigator.hardwareConcurrency || 1, 16));
  let fallbackReason = null;
  if (!hasSimd) {
    throw new Error('This browser does not support WebAssembly SIMD (needed by nnbook); please use a current Chrome, Edge, Firefox or Safari.');
  }
  if (options.forceSingleThread) {
    fallbackReason = 'single-thread package requested (?threads=0)';
  } else if (!isolated) {
    fallbackReason = 'page is not cross-origin isolated (the host sends no COOP/COEP headers), so SharedArrayBuffer and threads are unavailable';
  } else if (!hasThreads) {
    fallbackReason = 'this browser does not support WebAssembly threads';
  } else {
    try {
      const mod = await import('./pkg-parallel/nnbook.js').catch(async (e) => {
        throw new Error(await missingThreadedPackage() || (e && e.message) || String(e));
      });
      await mod.default();
      // A strict CSP (no `blob:` workers) makes the pool's worker creation fail silently;
      // the violation event says so at once instead of after the timeout.
      const blocked = new Promise((_, reject) => self.addEventListener('securitypolicyviolation', (e) => reject(new Error(
        `the Content-Security-Policy (${e.effectiveDirective}) blocks the pool's ${e.blockedURI || 'blob'} workers`,
      )), { once: true }));
      await Promise.race([withTimeout(mod.initThreadPool(wanted), POOL_TIMEOUT_MS, 'initThreadPool'), blocked]);
      wasm = mod;
      return { pkg: 'pkg-parallel', isolated, hasSimd, hasThreads, fallbackReason };
    } catch (e) {
      const text = e && e.message ? e.message : String(e);
      fallbackReason = text.startsWith('threads: ') ? text : `thread pool failed to start: ${text}`;
    }
  }
  const mod = await import('./pkg/nnbook.js');
  await mod.default();
  wasm = mod;
  return { pkg: 'pkg', isolated, hasSimd, hasThreads, fallbackReason };
}

// Methods pages may call, one module per feature (www/worker/*.js). Each method gets
// (args, progress, wasm) and returns a structured-cloneable value (or a promise of one), or a
// worker/transfer.js `Transfer` to move its buffers.
const methods = {
  info: () => info,
  ...benchMethods,
  ...notebookMethods,
  ...figureMethods,
  ...trainingMethods,
  ...modelSpecMethods,
};

function errorPayload(e) {
  const text = e && e.message ? e.message : String(e);
  const m = /^([A-Za-z]+Error): ([\s\S]*)$/.exec(text);
  const payload = m ? { kind: m[1], message: m[2] } : { kind: 'Error', message: text };
  // A figure's own words for the failure (worker/figures.js), shown beside PyTorch's text.
  if (e && typeof e.explain === 'string') payload.explain = e.explain;
  return payload;
}

let readyPromise = null;

self.onmessage = async ({ data }) => {
  if (data && data.type === 'init') {
    readyPromise = readyPromise || (async () => {
      try {
        const chosen = await loadPackage(data.options || {});
        info = { ...chosen, ...wasm.buildInfo(), crossOriginIsolated: chosen.isolated };
        self.postMessage({ type: 'ready', info });
      } catch (e) {
        self.postMessage({ type: 'fatal', error: errorPayload(e) });
      }
    })();
    return;
  }
  if (!data || typeof data.id !== 'number') return;
  const { id, method, args } = data;
  try {
    await readyPromise;
    const fn = methods[method];
    if (!fn) throw new Error(`unknown method '${method}'`);
    const progress = (p) => self.postMessage({ id, type: 'progress', progress: p });
    const value = await fn(args || {}, progress, wasm);
    if (value instanceof Transfer) self.postMessage({ id, type: 'result', value: value.value }, value.buffers);
    else self.postMessage({ id, type: 'result', value });
  } catch (e) {
    self.postMessage({ id, type: 'error', error: errorPayload(e) });
  }
};
