// nnbook's browser storage, one module: one IndexedDB database `nnbook` with one versioned
// schema (db.js) and a file per kind of data — cell edits, cell outputs, training checkpoints,
// saved files. Pages and widgets import from here.
export { DB_NAME, DB_VERSION, STORES, StorageError, onStorageNotice } from './db.js';
export { debouncedSaver, loadEdits, saveEdits } from './edits.js';
export { OUTPUT_LIMITS, clearOutputs, fitOutputs, loadOutputs, outputSaver, saveOutputs } from './outputs.js';
export { deleteCheckpoint, listCheckpoints, loadCheckpoint, newRun, openRun, saveCheckpoint } from './checkpoints.js';
export { deleteFile, listFiles, loadFile, saveFile } from './files.js';
