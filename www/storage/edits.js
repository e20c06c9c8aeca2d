// Edited cell text per lesson (store `lesson-edits`, key = lesson id, value = {cells:
// {<cell index>: {orig, text}}, savedAt}). `orig` is the lesson's text when the edit was made:
// the page drops an edit of a cell the lesson has since changed.
import { transact } from './db.js';
import { debounced, loadedOk, markLoaded } from './saver.js';

const STORE = 'lesson-edits';

/** The saved edits of `lessonId`: {<index>: {orig, text}}. Rejects with a StorageError when the
 *  browser's storage cannot be read (the page then shows the lesson's own text). */
export async function loadEdits(lessonId) {
  const v = await transact(STORE, 'readonly', 'read your saved edits', (s) => s[STORE].get(lessonId));
  markLoaded(STORE, lessonId);
  return (v && v.cells) || {};
}

/** Replaces the saved edits of `lessonId` (an empty object deletes them). If this page could
 *  not read them first, `cells` is merged over what is stored instead, so that edits made in
 *  an earlier visit are never overwritten unseen. */
export function saveEdits(lessonId, cells) {
  const merge = !loadedOk(STORE, lessonId);
  return transact(STORE, 'readwrite', 'save your edits', (s) => {
    const store = s[STORE];
    if (!merge) {
      return Object.keys(cells).length ? store.put({ cells, savedAt: Date.now() }, lessonId) : store.delete(lessonId);
    }
    const req = store.get(lessonId);
    req.onsuccess = () => store.put({ cells: { ...((req.result && req.result.cells) || {}), ...cells }, savedAt: Date.now() }, lessonId);
    return undefined;
  });
}

/** A saver that writes `collect()` as the edits of `lessonId` at most every `ms` milliseconds
 *  after the last call; `.flush()` writes now. Errors go to `onError`. */
export function debouncedSaver(lessonId, collect, { ms = 400, onSaved, onError } = {}) {
  return debounced(() => saveEdits(lessonId, collect()), { ms, onSaved, onError });
}
