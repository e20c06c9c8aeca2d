// IndexedDB storage of training checkpoints: {state (ArrayBuffer), losses, history, config,
// savedAt} under a key, in database `nnbook`, store `checkpoints`.

import { withStore } from '../idb.js';

const STORE = 'checkpoints';
const tx = (mode, fn) => withStore(STORE, mode, fn);

export const saveCheckpoint = (key, value) => tx('readwrite', (s) => s.put(value, key));
export const loadCheckpoint = (key) => tx('readonly', (s) => s.get(key));
export const deleteCheckpoint = (key) => tx('readwrite', (s) => s.delete(key));
