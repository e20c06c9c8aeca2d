// Edited cell text per lesson, kept in IndexedDB (database 'nnbook', store 'lesson-edits',
// key = lesson id, value = {cells: {<cell index>: {orig, text}}, savedAt}). `orig` is the
// lesson's text when the edit was made: an edit of a cell the lesson has since changed is dropped.

import { withStore } from '../idb.js';

const STORE = 'lesson-edits';
const tx = (mode, fn) => withStore(STORE, mode, fn);

/** The saved edits of `lessonId`: {<index>: {orig, text}} (empty if none or no IndexedDB). */
export async function loadEdits(lessonId) {
  try {
    const v = await tx('readonly', (s) => s.get(lessonId));
    return (v && v.cells) || {};
  } catch {
    return {};
  }
}

/** Replaces the saved edits of `lessonId` (an empty object deletes them). */
export async function saveEdits(lessonId, cells) {
  if (Object.keys(cells).length === 0) return tx('readwrite', (s) => s.delete(lessonId));
  return tx('readwrite', (s) => s.put({ cells, savedAt: Date.now() }, lessonId));
}

/** A saver that writes `collect()` at most every `ms` milliseconds after the last call;
 *  `.flush()` writes now. Errors go to `onError`. */
export function debouncedSaver(lessonId, collect, { ms = 400, onSaved, onError } = {}) {
  let timer = null;
  const write = async () => {
    timer = null;
    try {
      await saveEdits(lessonId, collect());
      if (onSaved) onSaved();
    } catch (e) {
      if (onError) onError(e);
    }
  };
  const save = () => {
    clearTimeout(timer);
    timer = setTimeout(write, ms);
  };
  save.flush = () => { if (timer) { clearTimeout(timer); return write(); } return Promise.resolve(); };
  return save;
}
