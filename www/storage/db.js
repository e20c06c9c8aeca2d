// The one IndexedDB database nnbook keeps in the browser: `nnbook`, schema version 2.
//
// Stores (every one created by the single upgrade path below, whatever the old version):
//   lesson-edits  key lesson id → {cells: {<cell index>: {orig, text}}, savedAt}   (edits.js)
//   outputs       key lesson id → {cells: {<cell index>: {orig, count, stdout, error,
//                 images, dropped}}, savedAt}                                      (outputs.js)
//   checkpoints   key run id → {runId, widget, config, step, epoch, batch, state, losses,
//                 history, elapsed, savedAt}; index `widget`                     (checkpoints.js)
//   files         key file name → {name, bytes, size, savedAt}                       (files.js)
//
// Version 1 (nnbook before this module) had two modules that each opened `nnbook` at version 1
// and created only their own store, so whichever ran first won and the other's store was
// missing. Upgrading creates whatever store is missing and rewrites version-1 checkpoints
// (value {state, losses, history, elapsed, savedAt} under the trainer's key) as runs.
//
// Other tabs: a tab whose connection gets `versionchange` (a newer nnbook wants to upgrade)
// closes it and says "reload"; an open that is `blocked` (an older tab keeps its connection)
// fails every call at once with a message that says to close that tab, and goes on by itself
// once it is closed. Errors are StorageError with a message for people (quota full, storage
// unavailable, page older than the database); `onStorageNotice(fn)` hears the tab-level ones.

export const DB_NAME = 'nnbook';
export const DB_VERSION = 2;
export const STORES = ['lesson-edits', 'outputs', 'checkpoints', 'files'];

/** An error of the browser's storage, with a message meant for the user. `kind`: quota |
 *  blocked | version | unavailable | failed. */
export class StorageError extends Error {
  constructor(kind, message, cause) {
    super(message);
    this.name = 'StorageError';
    this.kind = kind;
    if (cause) this.cause = cause;
  }
}

const RELOAD = 'reload this page to keep saving your work here';
const BLOCKED = 'nnbook is open in another tab with an older version that keeps its storage '
  + 'open: close or reload the other nnbook tabs, then your edits, outputs and checkpoints are '
  + 'saved again (nothing saved earlier is lost)';

// Tab-level notices (blocked, unblocked, versionchange) for pages that show them.
const listeners = new Set();
let lastNotice = null;

/** Calls `fn({kind, message})` for each notice (`kind`: blocked | ready | versionchange); the
 *  current one, if any, at once. Returns an unsubscribe function. */
export function onStorageNotice(fn) {
  listeners.add(fn);
  if (lastNotice) fn(lastNotice);
  return () => listeners.delete(fn);
}

function notice(kind, message) {
  lastNotice = kind === 'ready' ? null : { kind, message };
  for (const fn of listeners) {
    try { fn({ kind, message }); } catch { /* a listener's bug must not break storage */ }
  }
}

function upgrade(db, tx, oldVersion) {
  for (const name of STORES) if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
  const checkpoints = tx.objectStore('checkpoints');
  if (!checkpoints.indexNames.contains('widget')) checkpoints.createIndex('widget', 'widget');
  if (oldVersion < 2) migrateV1Checkpoints(checkpoints);
}

// A version-1 checkpoint sits under the trainer's store key (e.g. 'cifar10-trainer') and has no
// runId: it becomes the run 'v1-<key>' of that trainer, which a fresh tab then offers.
function migrateV1Checkpoints(store) {
  store.openCursor().onsuccess = (e) => {
    const cursor = e.target.result;
    if (!cursor) return;
    const v = cursor.value;
    if (v && typeof v === 'object' && !v.runId && typeof cursor.key === 'string') {
      const runId = `v1-${cursor.key}`;
      store.put({ ...v, runId, widget: cursor.key }, runId);
      cursor.delete();
    }
    cursor.continue();
  };
}

let dbPromise = null;
let blocked = null; // the StorageError while an open is blocked
const waiting = new Set(); // rejects of the calls waiting for an open that may get blocked

function openDb() {
  if (dbPromise) return dbPromise;
  if (!globalThis.indexedDB) {
    return Promise.reject(new StorageError('unavailable', 'this browser keeps no data for this page (IndexedDB is unavailable, as in some private windows)'));
  }
  dbPromise = new Promise((resolve, reject) => {
    let req;
    try {
      req = indexedDB.open(DB_NAME, DB_VERSION);
    } catch (e) {
      reject(wrap(e, 'open the browser storage'));
      return;
    }
    req.onupgradeneeded = (e) => upgrade(req.result, req.transaction, e.oldVersion);
    req.onblocked = () => {
      blocked = new StorageError('blocked', BLOCKED);
      for (const fail of waiting) fail(blocked);
      notice('blocked', BLOCKED);
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => {
        db.close();
        dbPromise = null;
        notice('versionchange', `nnbook was updated in another tab: ${RELOAD}`);
      };
      db.onclose = () => { dbPromise = null; };
      if (blocked) { blocked = null; notice('ready', ''); }
      resolve(db);
    };
    req.onerror = () => {
      dbPromise = null;
      blocked = null;
      reject(wrap(req.error, 'open the browser storage'));
    };
  });
  dbPromise.catch(() => {});
  return dbPromise;
}

/** The open connection; rejects at once with the blocked error while another tab blocks the
 *  upgrade (the open goes on, and succeeds once that tab lets go). */
function connection() {
  const p = openDb();
  if (blocked) return Promise.reject(blocked);
  return new Promise((resolve, reject) => {
    waiting.add(reject);
    p.then(resolve, reject).finally(() => waiting.delete(reject));
  });
}

/** A StorageError for the DOMException `e` met while trying to `what` (e.g. "save the
 *  checkpoint (1.7 MB)"). */
export function wrap(e, what) {
  if (e instanceof StorageError) return e;
  const name = e && e.name;
  if (name === 'QuotaExceededError') {
    return new StorageError('quota', `the browser's storage for this site is full, so nnbook could not ${what}. Free some space (Reset lesson on lessons you no longer need, or clear this site's data in the browser's settings) and try again`, e);
  }
  if (name === 'VersionError') {
    return new StorageError('version', `this page is older than the data another nnbook tab saved; ${RELOAD}`, e);
  }
  if (name === 'InvalidStateError' || name === 'SecurityError') {
    return new StorageError('unavailable', `could not ${what}: the browser's storage is not available to this page (${e.message})`, e);
  }
  return new StorageError('failed', `could not ${what}: ${name || 'Error'}: ${(e && e.message) || e}`, e);
}

/** Runs `fn(stores)` in one transaction over `names` (`mode` readonly | readwrite); `stores`
 *  maps each name to its IDBObjectStore. Resolves to what `fn` returned — an IDBRequest's
 *  result, or a function's return value — once the transaction has committed. */
export async function transact(names, mode, what, fn) {
  for (let attempt = 0; ; attempt++) {
    const db = await connection().catch((e) => { throw wrap(e, what); });
    let t;
    try {
      t = db.transaction(names, mode);
    } catch (e) {
      // The connection closed under us (another tab's upgrade): open again once.
      if (e.name === 'InvalidStateError' && attempt === 0) { dbPromise = null; continue; }
      throw wrap(e, what);
    }
    return new Promise((resolve, reject) => {
      const stores = Object.fromEntries([names].flat().map((n) => [n, t.objectStore(n)]));
      let out;
      try {
        out = fn(stores);
      } catch (e) {
        t.abort();
        reject(wrap(e, what));
        return;
      }
      t.oncomplete = () => resolve(typeof out === 'function' ? out() : out instanceof IDBRequest ? out.result : out);
      t.onabort = () => reject(wrap(t.error || new DOMException('transaction aborted', 'AbortError'), what));
    });
  }
}

/** `n` bytes as "1.7 MB". */
export function formatBytes(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
