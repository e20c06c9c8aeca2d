// Helpers shared by the per-lesson stores (edits.js, outputs.js): a debounced writer, and which
// records this page has read, so that a page that could not read a record never replaces it
// with a partial one.

const loaded = new Set();

/** Notes that this page has read record `key` of `store`. */
export function markLoaded(store, key) {
  loaded.add(`${store}\u0000${key}`);
}

/** Whether this page has read record `key` of `store` (else a save merges instead of replacing). */
export function loadedOk(store, key) {
  return loaded.has(`${store}\u0000${key}`);
}

/** Returns `save()`, which calls `write()` `ms` milliseconds after its last call, and
 *  `save.flush()`, which writes a pending save now. Errors go to `onError`, successes to
 *  `onSaved`. */
export function debounced(write, { ms = 400, onSaved, onError } = {}) {
  let timer = null;
  const run = async () => {
    timer = null;
    try {
      await write();
      if (onSaved) onSaved();
    } catch (e) {
      if (onError) onError(e);
    }
  };
  const save = () => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  save.flush = () => {
    if (!timer) return Promise.resolve();
    clearTimeout(timer);
    return run();
  };
  return save;
}
