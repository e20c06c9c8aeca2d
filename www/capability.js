// The capability panel: what the worker chose and why. Rendering only.

function row(dl, label, value, testid) {
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.textContent = value;
  dd.dataset.testid = testid;
  dl.append(dt, dd);
}

/** Fills `el` with the panel for `info` (from the worker's 'ready' message). */
export function renderCapabilities(el, info) {
  el.replaceChildren();
  const h = document.createElement('h2');
  h.textContent = 'What nnbook uses here';
  const dl = document.createElement('dl');
  row(dl, 'Package', info.pkg, 'cap-pkg');
  row(dl, 'SIMD128', info.simd128 ? 'yes' : 'no', 'cap-simd');
  row(dl, 'Threads', String(info.threads), 'cap-threads');
  row(dl, 'Cross-origin isolated', info.crossOriginIsolated ? 'yes' : 'no', 'cap-isolated');
  row(dl, 'GEMM kernel', info.gemm_kernel, 'cap-kernel');
  row(dl, 'Fallback', info.fallbackReason || 'none (threaded package in use)', 'cap-fallback');
  el.append(h, dl);
  el.dataset.state = 'ready';
}

/** Shows a load failure in the panel. */
export function renderCapabilityError(el, error) {
  el.replaceChildren();
  const p = document.createElement('p');
  p.className = 'error';
  p.dataset.testid = 'cap-error';
  p.textContent = `nnbook could not start: ${error.message}`;
  el.append(p);
  el.dataset.state = 'error';
}
