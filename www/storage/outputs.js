// The last output of each cell per lesson, so that a reload shows what the cells printed, as a
// saved Jupyter notebook does (store `outputs`, key = lesson id, value = {cells: {<cell index>:
// {orig, count, stdout, error, images, truncated, dropped}}, savedAt}). `orig` is the lesson's
// text of the cell (an output of a cell the lesson has since changed is not shown), `count` the
// execution count, `images` [{width, height, rgba, caption}].
//
// Size-limited: a cell keeps at most OUTPUT_LIMITS.stdout characters of stdout (`truncated`
// says how many were dropped) and a lesson at most OUTPUT_LIMITS.bytes of pictures and text
// in cell order (`dropped`: pictures not kept), so a cell printing in a long loop cannot fill
// the browser's storage.
import { formatBytes, transact } from './db.js';
import { debounced, loadedOk, markLoaded } from './saver.js';

const STORE = 'outputs';

export const OUTPUT_LIMITS = { stdout: 100_000, bytes: 4 * 1024 * 1024 };

const imageBytes = (im) => (im && im.rgba ? im.rgba.byteLength : 0);

/** `cells` cut to `limits` ({stdout, bytes}); returns {cells, bytes}. */
export function fitOutputs(cells, limits = OUTPUT_LIMITS) {
  let bytes = 0;
  const out = {};
  for (const index of Object.keys(cells).sort((a, b) => a - b)) {
    const c = cells[index];
    if (!c) continue;
    let stdout = String(c.stdout || '');
    let truncated = c.truncated || 0;
    if (stdout.length > limits.stdout) {
      truncated += stdout.length - limits.stdout;
      stdout = stdout.slice(0, limits.stdout);
    }
    const error = c.error || null;
    bytes += 2 * (stdout.length + JSON.stringify(error || '').length + String(c.orig || '').length);
    const images = [];
    let dropped = c.dropped || 0;
    for (const im of c.images || []) {
      if (bytes + imageBytes(im) > limits.bytes) { dropped += 1; continue; }
      bytes += imageBytes(im);
      images.push({ width: im.width, height: im.height, rgba: im.rgba, caption: im.caption || '' });
    }
    out[index] = { orig: c.orig, count: c.count ?? null, stdout, error, images, truncated, dropped };
  }
  return { cells: out, bytes };
}

/** The saved outputs of `lessonId`: {<index>: {orig, count, stdout, error, images, truncated,
 *  dropped}}. Rejects with a StorageError when the storage cannot be read. */
export async function loadOutputs(lessonId) {
  const v = await transact(STORE, 'readonly', 'read the saved cell outputs', (s) => s[STORE].get(lessonId));
  markLoaded(STORE, lessonId);
  return (v && v.cells) || {};
}

/** Replaces the saved outputs of `lessonId` with `cells` ({<index>: {orig, count, stdout,
 *  error, images}}, cut to OUTPUT_LIMITS; an empty object deletes them). If this page could not
 *  read them first, `cells` is merged over what is stored. */
export function saveOutputs(lessonId, cells) {
  const fit = fitOutputs(cells);
  const merge = !loadedOk(STORE, lessonId);
  const what = `save the cell outputs (${formatBytes(fit.bytes)})`;
  return transact(STORE, 'readwrite', what, (s) => {
    const store = s[STORE];
    if (!merge) {
      return Object.keys(fit.cells).length ? store.put({ cells: fit.cells, savedAt: Date.now() }, lessonId) : store.delete(lessonId);
    }
    const req = store.get(lessonId);
    req.onsuccess = () => store.put({ cells: { ...((req.result && req.result.cells) || {}), ...fit.cells }, savedAt: Date.now() }, lessonId);
    return undefined;
  });
}

/** Deletes the saved outputs of `lessonId` ("Reset lesson"). */
export function clearOutputs(lessonId) {
  markLoaded(STORE, lessonId);
  return transact(STORE, 'readwrite', 'clear the saved cell outputs', (s) => s[STORE].delete(lessonId));
}

/** A saver that writes `collect()` as the outputs of `lessonId` `ms` milliseconds after its
 *  last call; `.flush()` writes now. Errors go to `onError`. */
export function outputSaver(lessonId, collect, { ms = 300, onSaved, onError } = {}) {
  return debounced(() => saveOutputs(lessonId, collect()), { ms, onSaved, onError });
}
