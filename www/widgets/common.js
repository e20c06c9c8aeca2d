// Small DOM helpers shared by the widgets.

/** `el('div', {class: 'x', onclick: f}, child, 'text')` → an element. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

/** Shows an error (an `NnbookError` or any Error) inside `host`, replacing nothing else. */
export function showError(host, error) {
  const box = el('p', { class: 'nn-error', role: 'alert' }, error && error.message ? error.message : String(error));
  host.append(box);
  return box;
}
