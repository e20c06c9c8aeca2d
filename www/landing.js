// The landing page view: the "This browser" panel (folded: what the worker chose, and a GEMM
// self-test computed in the worker).
import { getClient } from './client.js';
import { renderCapabilities, renderCapabilityError } from './capability.js';
import { registerOffline } from './offline.js';

registerOffline();

const client = getClient();
const panel = document.getElementById('capabilities');
const button = document.getElementById('selftest-run');
const out = document.getElementById('selftest-out');
const sizeInput = document.getElementById('selftest-n');

const summary = document.getElementById('browser-summary');

client.ready.then(
  (info) => {
    renderCapabilities(panel, info);
    // The folded panel's one-line answer: which package, how many threads.
    summary.textContent = `(${info.pkg}, ${info.threads} thread${info.threads === 1 ? '' : 's'}${info.simd128 ? ', SIMD' : ''})`;
    button.disabled = false;
  },
  (e) => {
    renderCapabilityError(panel, e);
    summary.textContent = '(nnbook could not start here: open for details)';
    document.getElementById('this-browser').open = true;
  },
);

button.addEventListener('click', async () => {
  button.disabled = true;
  delete out.dataset.checksum; // a reader waiting for the result must not see the previous one
  out.textContent = 'running in the worker…';
  try {
    const n = Number(sizeInput.value);
    const r = await client.call('gemmSelfTest', { n, reps: 3 });
    out.textContent = `${r.n}×${r.n}×${r.n}: ${r.gflops.toFixed(1)} GFLOP/s, best of 3 ${r.ms.toFixed(1)} ms, checksum ${r.checksum}`;
    out.dataset.checksum = String(r.checksum);
  } catch (e) {
    out.textContent = e.message;
    delete out.dataset.checksum;
  } finally {
    button.disabled = false;
  }
});
