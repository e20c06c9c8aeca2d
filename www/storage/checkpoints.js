// Training checkpoints, one record per run (store `checkpoints`, key = run id, value = {runId,
// widget, config, step, epoch, batch, state (ArrayBuffer: the worker's exportState bytes),
// losses, history, elapsed, savedAt}; index `widget` = the trainer's store key).
//
// Which run a tab shows (`openRun`), so that two tabs training at once never restore each
// other's run:
//  - a tab keeps the id of its run in sessionStorage (per tab, kept across reloads) and holds a
//    Web Lock named after the run while the page lives (the browser releases it when the tab
//    closes or reloads);
//  - on a reload the tab takes its own run back (waiting a moment for the old page's lock);
//  - a fresh tab (or a duplicated one, whose copied run is held by the original) offers the
//    newest checkpoint of that trainer that no open tab holds, and adopts it; if every saved run
//    is held by another tab it starts a run of its own;
//  - Start in a tab replaces that tab's run.
// Without Web Locks (pages served over plain http from another host) a fresh tab offers the
// newest checkpoint, as before. At most KEEP_RUNS checkpoints are kept per trainer: saving
// deletes the oldest ones no tab holds.
import { formatBytes, transact } from './db.js';

const STORE = 'checkpoints';
const KEEP_RUNS = 3;
const RELOAD_WAIT_MS = 5000; // how long a reloaded tab waits for its old page's lock
const LOCK_PREFIX = 'nnbook-run:';
const SESSION_PREFIX = 'nnbook-run:';

const locks = () => (globalThis.navigator && navigator.locks) || null;
const held = new Map(); // run id -> release() of the lock this page holds

/** Holds the lock of `runId` for this page; `waitMs` > 0 waits that long for it, else only
 *  takes it when free. Resolves to whether this page holds it. */
function hold(runId, waitMs = 0) {
  if (held.has(runId)) return Promise.resolve(true);
  const l = locks();
  if (!l) return Promise.resolve(true);
  return new Promise((resolve) => {
    const abort = waitMs > 0 ? new AbortController() : null;
    const timer = abort && setTimeout(() => abort.abort(), waitMs);
    const opts = abort ? { signal: abort.signal } : { ifAvailable: true };
    l.request(LOCK_PREFIX + runId, opts, (lock) => {
      clearTimeout(timer);
      if (!lock) { resolve(false); return undefined; }
      return new Promise((release) => { held.set(runId, release); resolve(true); });
    }).catch(() => resolve(false)); // aborted: another tab holds it
  });
}

function release(runId) {
  const r = held.get(runId);
  if (r) { held.delete(runId); r(); }
}

/** The names of the runs some tab holds (null without Web Locks). */
async function heldRuns() {
  const l = locks();
  if (!l || !l.query) return null;
  const { held: h = [] } = await l.query();
  return new Set(h.map((x) => x.name).filter((n) => n.startsWith(LOCK_PREFIX)).map((n) => n.slice(LOCK_PREFIX.length)));
}

function sessionGet(widget) {
  try { return sessionStorage.getItem(SESSION_PREFIX + widget); } catch { return null; }
}

function sessionSet(widget, runId) {
  try { sessionStorage.setItem(SESSION_PREFIX + widget, runId); } catch { /* no sessionStorage */ }
}

const newRunId = () => (globalThis.crypto && crypto.randomUUID ? crypto.randomUUID()
  : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);

/** The checkpoints of trainer `widget`, newest first, without their state bytes:
 *  [{runId, config, step, epoch, batch, savedAt}]. */
export function listCheckpoints(widget) {
  const list = [];
  return transact(STORE, 'readonly', 'read the saved checkpoints', (s) => {
    s[STORE].index('widget').openCursor(IDBKeyRange.only(widget)).onsuccess = (e) => {
      const c = e.target.result;
      if (!c) return;
      const { runId, config, step, epoch, batch, savedAt } = c.value;
      list.push({ runId, config, step, epoch, batch, savedAt });
      c.continue();
    };
    return () => list.sort((a, b) => (b.savedAt || 0) - (a.savedAt || 0));
  });
}

/** The checkpoint of run `runId`, or undefined. */
export function loadCheckpoint(runId) {
  return transact(STORE, 'readonly', 'read the checkpoint', (s) => s[STORE].get(runId));
}

/** Picks and holds the run this tab shows for trainer `widget` (see the top of this file):
 *  {runId, checkpoint (or null), adopted (a fresh tab took a saved run), others (saved runs
 *  other tabs hold)}. */
export async function openRun(widget) {
  const mine = sessionGet(widget);
  if (mine && await hold(mine, RELOAD_WAIT_MS)) {
    const saved = await loadCheckpoint(mine);
    if (saved) return { runId: mine, checkpoint: saved, adopted: false, others: 0 };
  } else if (mine) {
    sessionSet(widget, ''); // a duplicated tab: the run is the original tab's
  }
  let others = 0;
  for (const c of await listCheckpoints(widget)) {
    if (c.runId === mine) continue;
    if (await hold(c.runId)) {
      const saved = await loadCheckpoint(c.runId);
      if (!saved) { release(c.runId); continue; }
      if (mine) release(mine);
      sessionSet(widget, c.runId);
      return { runId: c.runId, checkpoint: saved, adopted: true, others };
    }
    others += 1;
  }
  return { runId: newRun(widget), checkpoint: null, adopted: false, others };
}

/** The run id of this tab for trainer `widget` when it has no checkpoint to restore: the one
 *  it already holds, else a new one (held, and kept in sessionStorage). Needs no database. */
export function newRun(widget) {
  const mine = sessionGet(widget);
  if (mine && held.has(mine)) return mine;
  const runId = newRunId();
  hold(runId);
  sessionSet(widget, runId);
  return runId;
}

/** Saves `value` ({config, step, epoch, batch, state, losses, history, elapsed}) as the
 *  checkpoint of run `runId` of trainer `widget`, then deletes the oldest checkpoints of that
 *  trainer beyond KEEP_RUNS that no tab holds. */
export async function saveCheckpoint(runId, widget, value) {
  const size = (value.state ? value.state.byteLength : 0) + 4 * ((value.losses && value.losses.length) || 0);
  const record = { ...value, runId, widget, savedAt: Date.now() };
  await transact(STORE, 'readwrite', `save the training checkpoint (${formatBytes(size)})`, (s) => s[STORE].put(record, runId));
  await prune(widget).catch(() => {});
}

async function prune(widget) {
  const list = await listCheckpoints(widget);
  if (list.length <= KEEP_RUNS) return;
  const busy = (await heldRuns()) || new Set(held.keys());
  const old = list.slice(KEEP_RUNS).filter((c) => !busy.has(c.runId)).map((c) => c.runId);
  if (!old.length) return;
  await transact(STORE, 'readwrite', 'delete old checkpoints', (s) => { for (const id of old) s[STORE].delete(id); });
}

/** Deletes the checkpoint of run `runId` (the run stays this tab's). */
export function deleteCheckpoint(runId) {
  return transact(STORE, 'readwrite', 'delete the checkpoint', (s) => s[STORE].delete(runId));
}
