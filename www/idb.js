// nnbook's one IndexedDB database, `nnbook`, and every object store in it. Each module that
// keeps something names its store here, so whichever page opens the database first creates all
// of them (two modules that each created only their own store at the same version left the
// other's missing: the CIFAR-10 lesson's trainer failed with "One of the specified object
// stores was not found" because the lesson's cell edits had created the database first).
const DB = 'nnbook';
const VERSION = 2;
/** `lesson-edits`: notebook/persist.js; `checkpoints`: widgets/checkpoint-store.js. */
export const STORES = ['lesson-edits', 'checkpoints'];
let dbPromise = null;

function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, VERSION);
      req.onupgradeneeded = () => {
        for (const s of STORES) if (!req.result.objectStoreNames.contains(s)) req.result.createObjectStore(s);
      };
      req.onsuccess = () => {
        const db = req.result;
        // Another tab upgrading the database: let it, and reopen on the next use.
        db.onversionchange = () => { db.close(); dbPromise = null; };
        resolve(db);
      };
      req.onerror = () => { dbPromise = null; reject(req.error); };
    });
  }
  return dbPromise;
}

/** Runs `fn(objectStore)` in a `mode` ('readonly' | 'readwrite') transaction on `store`;
 *  resolves to the result of the request `fn` returns once the transaction has committed. */
export async function withStore(store, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(store, mode);
    const req = fn(t.objectStore(store));
    t.oncomplete = () => resolve(req && req.result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}
