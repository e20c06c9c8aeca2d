// What a cell shows under its code: stdout in a <pre>, an exception as Python's traceback
// (`Cell In[n], line L, in f` frames, then `Kind: message (line N)`), pictures as crisp up-scaled canvases with a caption. Rendering only.
import { el } from '../widgets/common.js';

const IMAGE_TARGET_PX = 192; // pictures are scaled by a whole factor to about this size

function picture({ width, height, rgba, caption }) {
  const canvas = el('canvas', { width, height, class: 'nb-image', role: 'img', 'aria-label': caption || `image ${width}×${height}` });
  const scale = Math.max(1, Math.floor(IMAGE_TARGET_PX / Math.max(width, height, 1)));
  canvas.style.width = `${width * scale}px`;
  canvas.style.height = `${height * scale}px`;
  const bytes = rgba instanceof Uint8ClampedArray ? rgba : new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  if (width > 0 && height > 0 && bytes.length === width * height * 4) {
    canvas.getContext('2d').putImageData(new ImageData(bytes, width, height), 0, 0);
  }
  return el('figure', { class: 'nb-figure' }, canvas, caption ? el('figcaption', {}, caption) : null);
}

/** `Kind: message (line N)` with the kind in its own element. */
export function errorLine({ kind, message, line }) {
  return el('pre', { class: 'nb-error', role: 'alert' },
    el('span', { class: 'nb-error-kind' }, kind),
    message ? `: ${message}` : '',
    line ? ` (line ${line})` : '');
}

/** The frames of a traceback, outermost first, as IPython prints them. */
function tracebackFrames(frames) {
  if (!frames || !frames.length) return null;
  const lines = ['Traceback (most recent call last):'];
  for (const f of frames) {
    lines.push(`  Cell In[${f.cell}], line ${f.line}${f.function ? `, in ${f.function}` : ''}`);
    if (f.code) lines.push(`    ${f.code}`);
  }
  return el('pre', { class: 'nb-traceback' }, lines.join('\n'));
}

/** Fills `host` with a cell's result `{stdout, error, images}`. */
export function renderOutput(host, { stdout, error, images = [] }) {
  host.replaceChildren();
  if (stdout) host.append(el('pre', { class: 'nb-stdout' }, stdout));
  for (const img of images) host.append(picture(img));
  if (error) {
    const tb = tracebackFrames(error.traceback);
    if (tb) host.append(tb);
    host.append(errorLine(error));
  }
}

/** A note in the output area (e.g. the kernel restarted), styled as `kind`. */
export function renderNote(host, text, kind = 'info') {
  host.append(el('p', { class: `nb-note nb-note-${kind}`, role: kind === 'warn' ? 'alert' : null }, text));
}
