// The landing page view: capability panel and a GEMM self-test computed in the worker.
import { getClient } from './client.js';
import { renderCapabilities, renderCapabilityError } from './capability.js';
import { registerOffline } from './offline.js';

registerOffline();

const client = getClient();
const panel = document.getElementById('capabilities');
const button = document.getElementById('selftest-run');
const out = document.getElementById('selftest-out');
const sizeInput = document.getElementById('selftest-n');

client.ready.then(
  (info) => {
    renderCapabilities(panel, info);
    button.disabled = false;
  },
  (e) => renderCapabilityError(panel, e),
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
