// Edited cell text per lesson, kept in IndexedDB (database 'nnbook', store 'lesson-edits',
// key = lesson id, value = {cells: {<cell index>: {orig, text}}, savedAt}). `orig` is the
// lesson's text when the edit was made: an edit of a cell the lesson has since changed is dropped.

const DB = 'nnbook';
const STORE = 'lesson-edits';
let dbPromise = null;

function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return dbPromise;
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(req.result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

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
