// IndexedDB storage of training checkpoints: {state (ArrayBuffer), losses, history, config,
// savedAt} under a key, in database `nnbook`, store `checkpoints`.

const DB = 'nnbook';
const STORE = 'checkpoints';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req && req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

export const saveCheckpoint = (key, value) => tx('readwrite', (s) => s.put(value, key));
export const loadCheckpoint = (key) => tx('readonly', (s) => s.get(key));
export const deleteCheckpoint = (key) => tx('readwrite', (s) => s.delete(key));
