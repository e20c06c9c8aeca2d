// Files a lesson saves in the browser (store `files`, key = file name, value = {name, bytes
// (ArrayBuffer), size, savedAt}). Reserved for `torch.save(obj, "name.pt")` / `torch.load` in
// cells; nothing writes it yet.
import { formatBytes, transact } from './db.js';

const STORE = 'files';

/** Saves `bytes` (ArrayBuffer or a typed array) as file `name`. */
export function saveFile(name, bytes) {
  const buffer = ArrayBuffer.isView(bytes) ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) : bytes;
  const record = { name, bytes: buffer, size: buffer.byteLength, savedAt: Date.now() };
  return transact(STORE, 'readwrite', `save ${name} (${formatBytes(buffer.byteLength)})`, (s) => s[STORE].put(record, name));
}

/** File `name` as {name, bytes, size, savedAt}, or undefined. */
export function loadFile(name) {
  return transact(STORE, 'readonly', `read ${name}`, (s) => s[STORE].get(name));
}

/** [{name, size, savedAt}] of every saved file, by name. */
export function listFiles() {
  const list = [];
  return transact(STORE, 'readonly', 'list the saved files', (s) => {
    s[STORE].openCursor().onsuccess = (e) => {
      const c = e.target.result;
      if (!c) return;
      list.push({ name: c.value.name, size: c.value.size, savedAt: c.value.savedAt });
      c.continue();
    };
    return () => list;
  });
}

/** Deletes file `name`. */
export function deleteFile(name) {
  return transact(STORE, 'readwrite', `delete ${name}`, (s) => s[STORE].delete(name));
}
